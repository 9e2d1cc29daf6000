// Package examples embeds the seed scenarios, one folder each: policies, a
// README, policy test suites (*_test.yaml, run by `gatehouse test
// examples`) and store.yaml, the store `gatehouse serve --demo` loads for
// the scenario. Embedding them lets a built gatehouse binary run the demo
// from any directory.
package examples

import "embed"

// FS holds every scenario's JSON and YAML files, under its folder name
// ("loopback-roles/store.yaml").
//
//go:embed */*.json */*.yaml
var FS embed.FS
