// Package token verifies JSON Web Tokens from a store's trusted issuers.
//
// An [Issuer] is one trusted issuer as a store keeps it (API.md §6: its
// URL, the audiences it must name, where its keys come from, which
// signature algorithms it may use, which claim names the principal). A
// [Verifier] is long-lived and shared by every store of a server: it
// fetches and caches each issuer's keys (JWKS), refreshes them on rotation
// at a bounded rate, keeps serving the last good keys while an issuer is
// briefly unreachable, and remembers verified tokens until they expire.
//
// [Verifier.Verify] checks, in this order: the size of the token, its
// compact JWS form, the trusted issuer named by its unverified "iss", the
// "alg" header against that issuer's allowlist and the key's type, the key
// ("kid"), the signature (with go-jose; no cryptography is written here),
// the "exp", "nbf" and "iat" claims with a small leeway, the audience, and
// the principal claim. A failure is an [*Error] with one of the stable
// codes of API.md §1 and a detail a person can act on; neither ever holds
// the token itself. docs/tokens.md gives the full rules and the choices
// made where the RFCs are silent.
//
// The package makes HTTP requests (discovery documents and key sets) but
// serves none.
package token
