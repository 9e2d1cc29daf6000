// Package itest holds gatehouse's end-to-end tests: a real server on a
// real SQLite database in a temporary directory, called over real HTTP on
// loopback through the Go client (package client), as an application
// would. They cover the admin flow, LoopBack-style role mappings, role
// cycles, caller authorization, bad input, the decision log and its
// replay, and a crash of the built binary (kill -9) in the middle of a
// stream of writes.
//
// The package has no code of its own; everything is in its tests.
package itest
