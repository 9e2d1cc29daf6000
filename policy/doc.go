// Package policy is gatehouse's policy language: the AWS IAM JSON grammar,
// read from JSON or YAML into a positioned syntax tree, validated and linted.
//
// The package takes bytes and returns values; it never reads a file, a clock
// or the network. Every element of a parsed [Document] carries its source
// position (1-based line and column) and its JSON pointer, so that every
// [Finding] can say exactly where a problem is.
//
// Parse reports structural problems (syntax, duplicate keys, wrong types,
// unknown fields, limits). Validate adds what IAM would reject for a given
// [Kind] of policy (errors) and what is legal but almost certainly a mistake
// (warnings).
package policy
