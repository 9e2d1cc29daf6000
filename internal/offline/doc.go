// Package offline holds what the gatehouse CLI's offline commands (eval,
// explain, test) share: reading a request file into an engine.Request,
// loading policy files into an engine, and the JSON result of a decision
// (API.md §4).
//
// Offline there is no directory: the request file gives the principal's
// roles and groups, the token's claims, and may set any condition key in
// its context, reserved ones included, to simulate what the server fills.
package offline
