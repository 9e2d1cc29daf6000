// Package server is gatehouse's HTTP service: the API under /v1 (API.md
// §1, §6, §7; the choices it makes are in docs/api.md), /metrics, /healthz
// and /readyz. It is the only package that knows HTTP.
//
// A request goes through one middleware chain (request id, panic recovery,
// body limit, deadline, caller authentication, error mapping, access log,
// metrics) to a handler that returns an error; problemFor is the one place
// that turns errors into application/problem+json answers.
//
// Callers are authenticated by the bootstrap admin key or by API keys kept
// in the system scope (store.SystemScope), whose policies are compiled into
// one engine apart from every application store; every endpoint maps to a
// gatehouse: action on a gatehouse: resource (auth.go, routes.go).
//
// Each application store is served from a compiled, immutable
// directory.Directory per revision, held in an atomic pointer: checks read
// it and never compile; a write is validated against it, committed with its
// revision as the base, and the new revision's directory is swapped in
// before the write is answered (snapshot.go). Other writers (replicas
// sharing a database) are followed through the store's change feed.
//
// Every check, batch item and explain is logged (decisionlog.go) through a
// bounded queue to the store and, optionally, a JSON-lines stream; a logged
// decision can be replayed at its revision (explain.go).
package server
