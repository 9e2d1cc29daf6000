package oidctest

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

var alice = User{
	Username: "alice",
	Password: "wonderland",
	Claims: map[string]any{
		"custom:companyId": "acme",
		"organization":     "acme",
		"groups":           []string{"admins"},
		"email":            "alice@example.com",
	},
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// getJSON fetches url over loopback with a client of the test's own, as a
// verifier would.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(testContext(t), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", url, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

func fetchJWKS(t *testing.T, p *Provider) jose.JSONWebKeySet {
	t.Helper()
	var set jose.JSONWebKeySet
	getJSON(t, p.JWKSURI(), &set)
	return set
}

// verify checks token's signature against the key its kid names in set and
// returns the kid and the claims.
func verify(token string, set jose.JSONWebKeySet) (string, map[string]any, error) {
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return "", nil, err
	}
	hdr := jws.Signatures[0].Header
	keys := set.Key(hdr.KeyID)
	if len(keys) != 1 {
		return hdr.KeyID, nil, fmt.Errorf("JWKS has %d keys with kid %q", len(keys), hdr.KeyID)
	}
	if keys[0].Algorithm != hdr.Algorithm {
		return hdr.KeyID, nil, fmt.Errorf("token alg %s, key alg %s", hdr.Algorithm, keys[0].Algorithm)
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		return hdr.KeyID, nil, err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return hdr.KeyID, nil, err
	}
	return hdr.KeyID, claims, nil
}

// audience reads aud, which is a string or an array (RFC 7519 §4.1.3).
func audience(claims map[string]any) []string {
	switch aud := claims["aud"].(type) {
	case string:
		return []string{aud}
	case []any:
		var out []string
		for _, a := range aud {
			s, _ := a.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

// OpenID Connect Discovery 1.0 §4.3: the issuer in the document is the
// issuer the document was fetched from; the endpoints are the provider's.
func TestDiscovery(t *testing.T) {
	p := Start(t, WithUser(alice))
	var doc map[string]any
	getJSON(t, p.DiscoveryURL(), &doc)

	if got := doc["issuer"]; got != p.Issuer() {
		t.Errorf("issuer = %v, want %s", got, p.Issuer())
	}
	if !strings.HasPrefix(p.Issuer(), "http://127.0.0.1:") {
		t.Errorf("issuer %s is not on loopback", p.Issuer())
	}
	if got := doc["jwks_uri"]; got != p.JWKSURI() {
		t.Errorf("jwks_uri = %v, want %s", got, p.JWKSURI())
	}
	for _, field := range []string{"authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"} {
		s, _ := doc[field].(string)
		if !strings.HasPrefix(s, p.Issuer()+"/") {
			t.Errorf("%s = %q, not under the issuer %s", field, s, p.Issuer())
		}
	}
	lists := map[string]string{
		"response_types_supported":              "code",
		"grant_types_supported":                 "authorization_code",
		"id_token_signing_alg_values_supported": "RS256",
		"token_endpoint_auth_methods_supported": "client_secret_basic",
		"scopes_supported":                      "openid",
	}
	for field, want := range lists {
		var got []string
		for _, v := range asList(doc[field]) {
			got = append(got, fmt.Sprint(v))
		}
		if !slices.Contains(got, want) {
			t.Errorf("%s = %v, want it to contain %q", field, got, want)
		}
	}

	set := fetchJWKS(t, p)
	if len(set.Keys) != 1 || set.Keys[0].KeyID != p.KeyID() {
		t.Fatalf("JWKS = %+v, want one key with kid %s", set.Keys, p.KeyID())
	}
	k := set.Keys[0]
	if !k.IsPublic() || k.Use != "sig" || k.Algorithm != "RS256" {
		t.Errorf("JWKS key: public %v, use %q, alg %q; want a public RS256 signing key", k.IsPublic(), k.Use, k.Algorithm)
	}
	if rk, ok := k.Key.(*rsa.PublicKey); !ok || rk.N.BitLen() != 2048 {
		t.Errorf("JWKS key is %T, want a 2048-bit RSA public key", k.Key)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// OpenID Connect Core 1.0 §2 and §3.1.3.7: the ID token is signed by the
// provider, iss is the issuer, aud contains the client id, sub identifies
// the user; the user's extra claims ride along.
func TestLoginIDToken(t *testing.T) {
	for _, tc := range []struct {
		alg     jose.SignatureAlgorithm
		keyType any
	}{
		{jose.RS256, &rsa.PublicKey{}},
		{jose.ES256, &ecdsa.PublicKey{}},
	} {
		t.Run(string(tc.alg), func(t *testing.T) {
			p := Start(t, WithUser(alice), WithAlgorithm(tc.alg))
			tok, err := p.LoginTokens(testContext(t), "alice", "wonderland")
			if err != nil {
				t.Fatal(err)
			}
			set := fetchJWKS(t, p)
			if got, want := fmt.Sprintf("%T", set.Keys[0].Key), fmt.Sprintf("%T", tc.keyType); got != want {
				t.Errorf("JWKS key type %s, want %s", got, want)
			}
			kid, claims, err := verify(tok.IDToken, set)
			if err != nil {
				t.Fatalf("ID token does not verify against the JWKS: %v", err)
			}
			if kid != p.KeyID() {
				t.Errorf("kid = %q, want %q", kid, p.KeyID())
			}
			want := map[string]any{
				"iss":                p.Issuer(),
				"sub":                p.Subject("alice"),
				"custom:companyId":   "acme",
				"organization":       "acme",
				"groups":             []any{"admins"},
				"email":              "alice@example.com",
				"preferred_username": "alice",
			}
			for name, v := range want {
				if got := claims[name]; fmt.Sprint(got) != fmt.Sprint(v) {
					t.Errorf("claim %s = %#v, want %#v", name, got, v)
				}
			}
			if aud := audience(claims); !slices.Contains(aud, p.ClientID()) {
				t.Errorf("aud = %v, want it to contain %s", aud, p.ClientID())
			}
			if sub := p.Subject("alice"); sub == "alice" || sub == "" {
				t.Errorf("sub = %q, want an opaque id", sub)
			}
			exp, _ := claims["exp"].(float64)
			if left := time.Until(time.Unix(int64(exp), 0)); left <= 0 || left > DefaultTokenLifetime+time.Minute {
				t.Errorf("exp is %v from now, want about %v", left, DefaultTokenLifetime)
			}

			// The JWT access token is signed by the same key and names the client.
			_, at, err := verify(tok.AccessToken, set)
			if err != nil {
				t.Fatalf("access token does not verify: %v", err)
			}
			if at["client_id"] != p.ClientID() || at["custom:companyId"] != "acme" || at["sub"] != p.Subject("alice") {
				t.Errorf("access token claims = %v", at)
			}
		})
	}
}

// A provider rotates its signing key: new tokens carry the new kid, the
// JWKS publishes both keys until the old one is withdrawn (OpenID Connect
// Core 1.0 §10.1.1).
func TestRotateKey(t *testing.T) {
	p := Start(t, WithUser(alice))
	ctx := testContext(t)
	before, err := p.Login(ctx, "alice", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	oldKID := p.KeyID()
	newKID := p.RotateKey()
	if newKID == oldKID || p.KeyID() != newKID {
		t.Fatalf("RotateKey: kid %q -> %q, KeyID %q", oldKID, newKID, p.KeyID())
	}
	after, err := p.Login(ctx, "alice", "wonderland")
	if err != nil {
		t.Fatal(err)
	}

	set := fetchJWKS(t, p)
	if len(set.Keys) != 2 || set.Keys[0].KeyID != newKID || set.Keys[1].KeyID != oldKID {
		t.Fatalf("JWKS after rotation has %d keys, want the new one then the old one", len(set.Keys))
	}
	for name, tc := range map[string]struct{ token, kid string }{
		"before": {before, oldKID},
		"after":  {after, newKID},
	} {
		kid, _, err := verify(tc.token, set)
		if err != nil || kid != tc.kid {
			t.Errorf("token from %s rotation: kid %q, err %v; want kid %q and a valid signature", name, kid, err, tc.kid)
		}
	}

	p.DropOldKeys()
	set = fetchJWKS(t, p)
	if _, _, err := verify(before, set); err == nil {
		t.Error("token signed with the dropped key still verifies")
	}
	if _, _, err := verify(after, set); err != nil {
		t.Errorf("token signed with the current key: %v", err)
	}
}

// A refused login is an error a test can recognise, saying why.
func TestLoginRefused(t *testing.T) {
	p := Start(t, WithUser(alice))
	for _, tc := range []struct{ name, username, password string }{
		{"wrong password", "alice", "looking-glass"},
		{"empty password", "alice", ""},
		{"unknown user", "bob", "wonderland"},
		{"password of another case", "alice", "Wonderland"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := p.Login(testContext(t), tc.username, tc.password)
			if !errors.Is(err, ErrLoginRefused) {
				t.Fatalf("Login = %q, %v; want ErrLoginRefused", tok, err)
			}
			if !strings.Contains(err.Error(), "invalid username or password") || !strings.Contains(err.Error(), tc.username) {
				t.Errorf("error %q does not say who and why", err)
			}
		})
	}
}

func TestUserValidation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		users []User
		want  string // part of the error; "" for none
	}{
		{"ok", []User{alice, {Username: "bob", Password: "x"}}, ""},
		{"no username", []User{{Password: "x"}}, "no username"},
		{"twice", []User{alice, alice}, "registered twice"},
		{"same subject", []User{{Username: "a", Subject: "s"}, {Username: "b", Subject: "s"}}, "used by two users"},
		{"registered claim", []User{{Username: "a", Claims: map[string]any{"iss": "x"}}}, `claim "iss"`},
		{"not JSON", []User{{Username: "a", Claims: map[string]any{"c": make(chan int)}}}, "marshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := indexUsers(tc.users)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("indexUsers: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestUnsupportedAlgorithm(t *testing.T) {
	if _, err := newSigningKey(jose.HS256); err == nil {
		t.Error("newSigningKey(HS256) succeeded")
	}
}
