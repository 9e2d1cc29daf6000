package token

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// compact is a token split into its parts, header and claims decoded but
// nothing verified.
type compact struct {
	alg, kid string
	claims   map[string]any
	payload  []byte // the decoded claims segment
	sig      string // the signature segment, still encoded
}

// b64 decodes base64url without padding, refusing the non-canonical forms
// the standard decoder lets through (line breaks, non-zero trailing bits),
// so that one token has one spelling.
var b64 = base64.RawURLEncoding.Strict()

// isB64URL reports whether s uses only the base64url alphabet.
func isB64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// parseCompact splits a compact JWS (RFC 7515 §7.1) and decodes its header
// and claims: both JSON objects, UTF-8, without duplicate keys. It checks
// the header's form, not its values: "alg" is judged against the issuer
// later. Messages never quote the token.
func parseCompact(raw string) (*compact, *Error) {
	if raw == "" {
		return nil, fail(CodeMalformedToken, "the token is empty")
	}
	switch n := strings.Count(raw, "."); {
	case n == 4:
		return nil, fail(CodeMalformedToken, "the token has five parts: it is an encrypted token (JWE), which gatehouse does not accept; send a signed token (JWS)")
	case n != 2:
		return nil, fail(CodeMalformedToken, "the token is not a JWT: a JWT is three base64url parts separated by two dots (header.claims.signature)")
	}
	h, rest, _ := strings.Cut(raw, ".")
	p, sig, _ := strings.Cut(rest, ".")
	if !isB64URL(h) || !isB64URL(p) || !isB64URL(sig) {
		return nil, fail(CodeMalformedToken, "the token holds characters outside base64url (A–Z, a–z, 0–9, -, _) between its dots: send it as issued, without padding, spaces or line breaks")
	}
	hb, err := b64.DecodeString(h)
	if err != nil || len(hb) == 0 {
		return nil, fail(CodeMalformedToken, "the token's header is not valid base64url")
	}
	if !utf8.Valid(hb) {
		return nil, fail(CodeMalformedToken, "the token's header is not UTF-8 JSON")
	}
	hv, err := decodeStrict(hb)
	if err != nil {
		return nil, fail(CodeMalformedToken, "the token's header is not valid JSON: "+err.Error())
	}
	header, ok := hv.(map[string]any)
	if !ok {
		return nil, fail(CodeMalformedToken, "the token's header is not a JSON object")
	}
	c := &compact{sig: sig}
	switch alg := header["alg"].(type) {
	case string:
		c.alg = alg
	case nil:
		return nil, fail(CodeMalformedToken, "the token's header has no alg (RFC 7515 §4.1.1)")
	default:
		return nil, fail(CodeMalformedToken, "the token's header has an alg that is not a string")
	}
	switch kid := header["kid"].(type) {
	case string:
		c.kid = kid
	case nil:
		if _, present := header["kid"]; present {
			return nil, fail(CodeMalformedToken, "the token's header has a kid that is not a string")
		}
	default:
		return nil, fail(CodeMalformedToken, "the token's header has a kid that is not a string")
	}
	if _, ok := header["crit"]; ok {
		return nil, fail(CodeMalformedToken, "the token's header names critical extensions (crit), which gatehouse does not support (RFC 7515 §4.1.11)")
	}
	if _, ok := header["b64"]; ok {
		return nil, fail(CodeMalformedToken, "the token's header has b64 (unencoded payload, RFC 7797), which a JWT never uses")
	}
	pb, err := b64.DecodeString(p)
	if err != nil {
		return nil, fail(CodeMalformedToken, "the token's claims are not valid base64url")
	}
	if !utf8.Valid(pb) {
		return nil, fail(CodeMalformedToken, "the token's claims are not UTF-8 JSON")
	}
	pv, err := decodeStrict(pb)
	if err != nil {
		return nil, fail(CodeMalformedToken, "the token's claims are not valid JSON: "+err.Error())
	}
	claims, ok := pv.(map[string]any)
	if !ok {
		return nil, fail(CodeMalformedToken, "the token's claims are not a JSON object (RFC 7519 §7.2)")
	}
	if _, err := b64.DecodeString(sig); err != nil {
		return nil, fail(CodeMalformedToken, "the token's signature is not valid base64url: it was cut short or altered")
	}
	c.claims, c.payload = claims, pb
	return c, nil
}
