package token

import (
	"context"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// TestAttackCorpus refuses each attack of issue 4's corpus, and a few
// more from RFC 8725 (JWT Best Current Practices), with the right code,
// and never quotes the token in the error.
func TestAttackCorpus(t *testing.T) {
	rk, ek, dk, wk := rsaTestKey(t), ecTestKey(t), edTestKey(t), weakTestKey(t)
	p := newIDP(t, jwks(t, []testKey{rk, ek, dk, wk}))
	iss := Issuer{Name: "idp", Issuer: p.URL(), Audiences: []string{"orders-app"}}
	issuers := []Issuer{iss}
	v := newTestVerifier(t, newFakeClock(), func(o *Options) {
		o.Revoked = func(_ context.Context, v *Verified) bool { return v.ID == "revoked-jti" }
	})
	good := func(over map[string]any) map[string]any { return claimsFor(p.URL(), "orders-app", over) }
	hdr := func(h map[string]any) string { return b64json(t, h) }

	valid := sign(t, rk, good(nil), nil)
	h, pl, sig := splitToken(valid)

	cases := []struct {
		name    string
		raw     string
		issuers []Issuer // nil: the default issuer
		want    string
		detail  string // a part of the detail
	}{
		// RFC 8725 §2.1: "alg": "none".
		{"alg none", hdr(map[string]any{"alg": "none", "kid": "rsa-1"}) + "." + pl + ".", nil, CodeAlgorithmNotAllowed, "alg none"},
		{"alg None", hdr(map[string]any{"alg": "None"}) + "." + pl + ".", nil, CodeAlgorithmNotAllowed, "unsigned"},
		{"alg none with the signature kept", hdr(map[string]any{"alg": "none", "kid": "rsa-1"}) + "." + pl + "." + sig, nil, CodeAlgorithmNotAllowed, "never accepts"},
		// RFC 8725 §2.1: HS256 keyed with the RSA public key.
		{"HS256 keyed with the public key", hmacWithPublicKey(t, good(nil)), nil, CodeAlgorithmNotAllowed, "HMAC"},
		{"HS256 even if the issuer lists it", hmacWithPublicKey(t, good(nil)),
			[]Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"orders-app"}, Algorithms: []string{"HS256", "RS256"}}}, CodeAlgorithmNotAllowed, "HMAC"},
		// Algorithm switching.
		{"PS256 header on the RS256 key", resign(t, rk, jose.PS256, good(nil), "rsa-1"),
			[]Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"orders-app"}, Algorithms: []string{"RS256"}}}, CodeAlgorithmNotAllowed, "allows only RS256"},
		{"ES256 header naming the RSA key", hdr(map[string]any{"alg": "ES256", "kid": "rsa-1"}) + "." + pl + "." + sig, nil, CodeAlgorithmNotAllowed, "cannot verify ES256"},
		{"RS512 not in the allowlist", resign(t, rk, jose.RS512, good(nil), "rsa-1"), nil, CodeAlgorithmNotAllowed, "add RS512"},
		// Keys.
		{"unknown kid", sign(t, rk, good(nil), map[string]any{"kid": "nope"}), nil, CodeUnknownKey, `kid "nope"`},
		{"signed by another key under a known kid", sign(t, testKey{alg: jose.RS256, kid: "rsa-1", priv: evilKey}, good(nil), nil), nil, CodeBadSignature, "does not verify"},
		{"1024-bit RSA key in the JWKS", sign(t, wk, good(nil), nil), nil, CodeUnknownKey, "1024-bit RSA key"},
		{"no kid and several RS256 keys", sign(t, rk, good(nil), map[string]any{"kid": ""}),
			[]Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"orders-app"}, JWKS: jwks(t, []testKey{rk, rsaTestKey2(t)})}}, CodeUnknownKey, "no kid"},
		{"embedded jwk of the attacker", signEmbedded(t, good(nil)), nil, CodeBadSignature, "does not verify"},
		{"jku to the attacker's keys", sign(t, testKey{alg: jose.RS256, kid: "rsa-1", priv: evilKey}, good(nil), map[string]any{"jku": "https://evil.example/keys"}), nil, CodeBadSignature, "does not verify"},
		// Times.
		{"expired", sign(t, rk, good(map[string]any{"exp": t0.Add(-3 * time.Minute).Unix()}), nil), nil, CodeTokenExpired, "3m ago (leeway 60s)"},
		{"expired just beyond the leeway", sign(t, rk, good(map[string]any{"exp": t0.Add(-61 * time.Second).Unix()}), nil), nil, CodeTokenExpired, "leeway 60s"},
		{"not yet valid", sign(t, rk, good(map[string]any{"nbf": t0.Add(5 * time.Minute).Unix()}), nil), nil, CodeTokenNotYetValid, "in 5m"},
		{"issued in the future", sign(t, rk, good(map[string]any{"iat": t0.Add(10 * time.Minute).Unix(), "nbf": nil}), nil), nil, CodeTokenNotYetValid, "10m in the future"},
		{"no exp", sign(t, rk, good(map[string]any{"exp": nil}), nil), nil, CodeMalformedToken, "no exp"},
		{"exp as a string", sign(t, rk, good(map[string]any{"exp": "2030-01-01"}), nil), nil, CodeMalformedToken, "NumericDate"},
		// Issuer and audience.
		{"wrong iss", sign(t, rk, good(map[string]any{"iss": "https://evil.example"}), nil), nil, CodeUnknownIssuer, "https://evil.example"},
		{"iss with a trailing slash", sign(t, rk, good(map[string]any{"iss": p.URL() + "/"}), nil), nil, CodeUnknownIssuer, "trailing slash"},
		{"no iss", sign(t, rk, good(map[string]any{"iss": nil}), nil), nil, CodeUnknownIssuer, "no iss"},
		{"wrong aud", sign(t, rk, good(map[string]any{"aud": "billing-app"}), nil), nil, CodeWrongAudience, `"billing-app"`},
		{"wrong aud list", sign(t, rk, good(map[string]any{"aud": []string{"a", "b"}}), nil), nil, CodeWrongAudience, "accepts only"},
		{"no aud", sign(t, rk, good(map[string]any{"aud": nil}), nil), nil, CodeWrongAudience, "no aud claim"},
		// Tampering.
		{"tampered payload", h + "." + b64json(t, good(map[string]any{"sub": "admin"})) + "." + sig, nil, CodeBadSignature, "altered"},
		{"tampered signature", h + "." + pl + "." + flip(sig), nil, CodeBadSignature, "altered"},
		{"signature removed", h + "." + pl + ".", nil, CodeBadSignature, "no signature"},
		{"truncated signature", valid[:len(valid)-2], nil, CodeBadSignature, "altered"},
		{"truncated into bad base64", valid[:len(valid)-1], nil, CodeMalformedToken, "cut short"},
		{"truncated to two parts", h + "." + pl, nil, CodeMalformedToken, "three base64url parts"},
		{"padding added", valid + "==", nil, CodeMalformedToken, "base64url"},
		{"line break inserted", h + ".\n" + pl + "." + sig, nil, CodeMalformedToken, "base64url"},
		{"oversized", h + "." + strings.Repeat("A", DefaultMaxTokenBytes) + "." + sig, nil, CodeTokenTooLarge, "at most 16384"},
		{"empty", "", nil, CodeMalformedToken, "empty"},
		{"JWE", "a.b.c.d.e", nil, CodeMalformedToken, "JWE"},
		{"duplicate claim", h + "." + b64json(t, `{"iss":"`+p.URL()+`","sub":"a","sub":"admin"}`) + "." + sig, nil, CodeMalformedToken, "twice"},
		{"claims not an object", h + "." + b64json(t, `["x"]`) + "." + sig, nil, CodeMalformedToken, "not a JSON object"},
		{"crit header", sign(t, rk, good(nil), map[string]any{"crit": []string{"exp"}, "exp": 1}), nil, CodeMalformedToken, "crit"},
		{"header without alg", hdr(map[string]any{"kid": "rsa-1"}) + "." + pl + "." + sig, nil, CodeMalformedToken, "no alg"},
		// Principal.
		{"no principal claim", sign(t, rk, good(map[string]any{"sub": nil}), nil), nil, CodeMalformedToken, `no "sub" claim`},
		{"principal with a space", sign(t, rk, good(map[string]any{"sub": "a b"}), nil), nil, CodeMalformedToken, "white space"},
		// Revocation.
		{"revoked", sign(t, rk, good(map[string]any{"jti": "revoked-jti"}), nil), nil, CodeTokenRevoked, "revoked"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			is := issuers
			if c.issuers != nil {
				is = c.issuers
			}
			res, err := v.Verify(bg, c.raw, is, t0)
			if got := code(t, err); got != c.want {
				t.Fatalf("code %q, want %q (err %v, result %+v)", got, c.want, err, res)
			}
			if !strings.Contains(err.Error(), c.detail) {
				t.Errorf("detail %q lacks %q", err, c.detail)
			}
			assertNoToken(t, err, c.raw)
			t.Logf("%v", err)
			if c.want == CodeTokenRevoked { // revocation is checked on cache hits too
				_, err := v.Verify(bg, c.raw, is, t0)
				if code(t, err) != CodeTokenRevoked {
					t.Errorf("second verification: %v", err)
				}
			}
		})
	}

	// And the valid token of each kind verifies.
	for _, k := range []testKey{rk, ek, dk} {
		raw := sign(t, k, good(nil), nil)
		res, err := v.Verify(bg, raw, issuers, t0)
		if err != nil {
			t.Fatalf("%s: %v", k.alg, err)
		}
		if res.Subject != "idp:4fbf0c06-user" || res.KeyID != k.kid {
			t.Errorf("%s: %+v", k.alg, res)
		}
	}
}

// splitToken returns the three parts of a compact token.
func splitToken(raw string) (string, string, string) {
	p := strings.SplitN(raw, ".", 3)
	return p[0], p[1], p[2]
}

// flip changes the first character of a base64url part.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// hmacWithPublicKey signs claims with HS256 keyed by the PEM of the
// issuer's RSA public key: the classic key-confusion attack.
func hmacWithPublicKey(t testing.TB, claims map[string]any) string {
	t.Helper()
	return sign(t, testKey{alg: jose.HS256, kid: "rsa-1", priv: pemOf(t, &rsaKey.PublicKey)}, claims, nil)
}

// resign signs claims with k's private key under another algorithm.
func resign(t testing.TB, k testKey, alg jose.SignatureAlgorithm, claims map[string]any, kid string) string {
	t.Helper()
	return sign(t, testKey{alg: alg, kid: kid, priv: k.priv}, claims, nil)
}

// signEmbedded signs with the attacker's key and embeds its public key in
// the header (RFC 7515 §4.1.3 "jwk"), naming the issuer's kid: the
// embedded key must be ignored.
func signEmbedded(t testing.TB, claims map[string]any) string {
	t.Helper()
	genKeys(t)
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithHeader("kid", "rsa-1")
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: evilKey}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(b64decode(t, b64json(t, claims)))
	obj, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
