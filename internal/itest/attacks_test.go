package itest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"gatehouse.dev/gatehouse/client"
)

// tokenCheck is a check request whose subject is a token.
func tokenCheck(tok, action, resource string) client.CheckRequest {
	return client.CheckRequest{Token: tok, Action: action, Resource: client.Resource{Name: resource}}
}

// TestAttackCorpusOverHTTP sends issue 4's attack corpus as subject tokens
// of POST /v1/stores/{store}/check, each built here with go-jose and keys
// the test generates, against an issuer on 127.0.0.1 that the store
// trusts by jwks_uri. Each is refused with 422 and the code of API.md §1
// (RFC 8725, JWT Best Current Practices, names most of them), never with
// a decision, never quoting the token; a batch refuses the same item with
// the same code and decides the others. The weak key is refused when
// written inline (PUT issuer, 422) and skipped when served.
func TestAttackCorpusOverHTTP(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := e.admin.Store("default")
	good, weak := testKeys(t)
	idp := newTestIssuer(t, good, weak)
	must(s.PutIssuer(ctx, "corp", client.Issuer{Issuer: idp.URL(), Audiences: []string{testAudience}, JWKSURI: idp.JWKSURI()}))(t)
	must(s.PutPolicy(ctx, "orders", client.Policy{Document: doc("Allow", "orders:*", "orders:*")}))(t)
	must(s.PutRole(ctx, "$authenticated", client.Role{Policies: []string{"orders"}}))(t)
	key := must(e.admin.CreateKey(ctx, "orders-api", keyPolicy([]string{"gatehouse:Check", "gatehouse:Explain"}, "gatehouse:store/default")))(t)
	ks := e.client(key.Secret).Store("default")

	valid := sign(t, good, idp.claims("alice", nil))
	if got := decide(t, ks, tokenCheck(valid, "orders:Read", "orders:acme/1")); got != "allow" {
		t.Fatalf("the valid token: %s", got)
	}
	parts := strings.Split(valid, ".")
	header, payload, signature := parts[0], parts[1], parts[2]

	// A gatehouse token (exchanged for the valid one), then revoked. One
	// token in 64 has a jti starting with '-', which revocation cannot
	// store (TestRevokeAnyToken, a server bug): this test takes another so
	// as to stay deterministic; TestRevokeAnyToken fails until it is fixed.
	var revoked string
	for revoked == "" || strings.HasPrefix(jtiOf(t, revoked), "-") {
		revoked = must(ks.ExchangeToken(ctx, client.TokenExchange{SubjectToken: valid}))(t).AccessToken
	}
	if got := decide(t, ks, tokenCheck(revoked, "orders:Read", "orders:acme/1")); got != "allow" {
		t.Fatalf("the exchanged token before revocation: %s", got)
	}
	if err := ks.Revoke(ctx, revoked); err != nil {
		t.Fatal(err)
	}

	now := time.Now()
	cases := []struct {
		name, token, code string
	}{
		// RFC 8725 §2.1: the "none" algorithm, with and without the
		// signature kept.
		{"alg none", b64(t, map[string]any{"alg": "none", "kid": "rsa-1", "typ": "JWT"}) + "." + payload + ".", "algorithm_not_allowed"},
		{"alg none, signature kept", b64(t, map[string]any{"alg": "none", "kid": "rsa-1"}) + "." + payload + "." + signature, "algorithm_not_allowed"},
		// RFC 8725 §2.1: HS256 keyed with the bytes of the issuer's RSA
		// public key (its PEM), which anyone can read from the JWKS.
		{"HS256 keyed with the RSA public key", sign(t, testKey{kid: "rsa-1", alg: jose.HS256, priv: publicKeyPEM(t, good)}, idp.claims("alice", nil)), "algorithm_not_allowed"},
		// Algorithm switching: RS512 is not in the default allowlist.
		{"RS512 on the RS256 key", sign(t, testKey{kid: "rsa-1", alg: jose.RS512, priv: good.priv}, idp.claims("alice", nil)), "algorithm_not_allowed"},
		{"unknown kid", sign(t, good, idp.claims("alice", nil), "rsa-9"), "unknown_key"},
		{"expired", sign(t, good, idp.claims("alice", map[string]any{"exp": now.Add(-10 * time.Minute).Unix(), "iat": now.Add(-time.Hour).Unix(), "nbf": now.Add(-time.Hour).Unix()})), "token_expired"},
		{"not yet valid", sign(t, good, idp.claims("alice", map[string]any{"nbf": now.Add(10 * time.Minute).Unix()})), "token_not_yet_valid"},
		{"issued in the future", sign(t, good, idp.claims("alice", map[string]any{"iat": now.Add(10 * time.Minute).Unix(), "nbf": nil})), "token_not_yet_valid"},
		{"wrong iss", sign(t, good, idp.claims("alice", map[string]any{"iss": "https://evil.example"})), "unknown_issuer"},
		{"iss with a trailing slash", sign(t, good, idp.claims("alice", map[string]any{"iss": idp.URL() + "/"})), "unknown_issuer"},
		{"wrong aud", sign(t, good, idp.claims("alice", map[string]any{"aud": "billing-app"})), "wrong_audience"},
		{"no aud", sign(t, good, idp.claims("alice", map[string]any{"aud": nil})), "wrong_audience"},
		// The payload changed after signing: alice becomes admin.
		{"tampered payload", header + "." + b64(t, idp.claims("admin", nil)) + "." + signature, "bad_signature"},
		{"tampered signature", header + "." + payload + "." + flip(signature), "bad_signature"},
		{"signature removed", header + "." + payload + ".", "bad_signature"},
		// An RS256 signature of a 2048-bit key is 342 base64url
		// characters: two fewer still decode (to 255 bytes), one fewer
		// does not.
		{"truncated signature", valid[:len(valid)-2], "bad_signature"},
		{"truncated into bad base64url", valid[:len(valid)-1], "malformed_token"},
		{"truncated to two parts", header + "." + payload, "malformed_token"},
		{"truncated inside the header", valid[:len(header)/2], "malformed_token"},
		// A real signature over a payload larger than the 16 KiB limit.
		{"oversized", sign(t, good, idp.claims("alice", map[string]any{"padding": strings.Repeat("x", 20<<10)})), "token_too_large"},
		// The weak key is in the served JWKS: gatehouse skips it.
		{"signed by the 1024-bit key of the JWKS", sign(t, weak, idp.claims("alice", nil)), "unknown_key"},
		{"revoked", revoked, "token_revoked"},
	}
	var batch client.BatchRequest
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ks.Check(ctx, tokenCheck(c.token, "orders:Read", "orders:acme/1"))
			pe := wantError(t, "check", err, http.StatusUnprocessableEntity, c.code)
			if pe != nil && c.token != "" && strings.Contains(pe.Error(), c.token) {
				t.Errorf("the problem quotes the token: %s", pe.Detail)
			}
			// explain refuses it the same way.
			_, err = ks.Explain(ctx, tokenCheck(c.token, "orders:Read", "orders:acme/1"))
			wantError(t, "explain", err, http.StatusUnprocessableEntity, c.code)
		})
		batch.Checks = append(batch.Checks, tokenCheck(c.token, "orders:Read", "orders:acme/1"))
	}
	batch.Checks = append(batch.Checks, tokenCheck(valid, "orders:Read", "orders:acme/1"))
	res := must(ks.CheckBatch(ctx, batch))(t)
	for i, c := range cases {
		if it := res.Results[i]; it.Error == nil || it.Error.Status != http.StatusUnprocessableEntity || it.Error.Code != c.code || it.Decision != "" {
			t.Errorf("batch item %d (%s): %+v, want a 422 %s", i, c.name, it, c.code)
		}
	}
	if last := res.Results[len(cases)]; last.Error != nil || last.Decision != "allow" {
		t.Errorf("the valid token in the batch: %+v", last)
	}

	// A key set with a weak key, written inline, is refused; so is an
	// issuer allowing HMAC or none.
	for name, is := range map[string]client.Issuer{
		"an inline JWKS with a 1024-bit RSA key": {Issuer: idp.URL(), Audiences: []string{testAudience}, JWKS: jwksOf(t, weak)},
		"HS256 in the allowlist":                 {Issuer: idp.URL(), Audiences: []string{testAudience}, JWKSURI: idp.JWKSURI(), Algorithms: []string{"HS256"}},
		"none in the allowlist":                  {Issuer: idp.URL(), Audiences: []string{testAudience}, JWKSURI: idp.JWKSURI(), Algorithms: []string{"none"}},
		"a plain http issuer off loopback":       {Issuer: "http://idp.example", Audiences: []string{testAudience}},
	} {
		_, err := s.PutIssuer(ctx, "bad", is)
		if pe := wantError(t, name, err, http.StatusUnprocessableEntity, "invalid"); pe != nil && len(pe.Findings) == 0 {
			t.Errorf("%s: no findings say where: %+v", name, pe)
		}
	}
	if _, err := s.GetIssuer(ctx, "bad"); !client.IsNotFound(err) {
		t.Errorf("a refused issuer was stored: %v", err)
	}
	// A subject is a principal or a token, not both (API.md §1).
	both := tokenCheck(valid, "orders:Read", "orders:acme/1")
	both.Principal = &client.Principal{Type: "user", ID: "corp:alice"}
	_, err := ks.Check(ctx, both)
	wantError(t, "a principal and a token", err, http.StatusBadRequest, "bad_request")

	// The issuer deleted, its token (verified and cached a moment ago) is
	// refused at once.
	must(s.DeleteIssuer(ctx, "corp"))(t)
	_, err = ks.Check(ctx, tokenCheck(valid, "orders:Read", "orders:acme/1"))
	wantError(t, "the valid token after its issuer was deleted", err, http.StatusUnprocessableEntity, "unknown_issuer")

	// The inline set with the good key beside the weak one is refused too:
	// a weak key is never published to gatehouse, even unused.
	_, err = s.PutIssuer(ctx, "mixed", client.Issuer{Issuer: idp.URL(), Audiences: []string{testAudience}, JWKS: jwksOf(t, good, weak)})
	wantError(t, "an inline JWKS with a good and a weak key", err, http.StatusUnprocessableEntity, "invalid")
}

// flip changes the first character of a base64url part.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
