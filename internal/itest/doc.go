// Package itest holds gatehouse's end-to-end tests: a real server on a
// real SQLite database in a temporary directory, called over real HTTP on
// loopback through the Go client (package client), as an application
// would. They cover the admin flow, LoopBack-style role mappings, role
// cycles, caller authorization, bad input, the decision log and its
// replay, and a crash of the built binary (kill -9) in the middle of a
// stream of writes; and identity (issue 4): the seed threads with
// subjects given as tokens (local logins, a real OpenID provider from
// internal/oidctest, token exchange, assume-role sessions), the attack
// corpus of subject tokens over HTTP, tokens and passwords kept out of
// every log, the store as an issuer (discovery, keys, rotation,
// revocation), and the authorization of every identity endpoint.
//
// The package has no code of its own; everything is in its tests.
package itest
