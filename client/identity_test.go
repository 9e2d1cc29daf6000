package client

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// basic returns the HTTP Basic header of id and secret as RFC 6749 §2.3.1
// has them: each form-encoded, then base64.
func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// The OAuth endpoints are form-encoded, with the client's key as HTTP Basic
// client credentials (RFC 6749 §2.3.1): client_id the key's id,
// client_secret the whole key.
func TestOAuthRequestShape(t *testing.T) {
	ctx := context.Background()
	const key = "ghk_0123456789abcdef_s3cr3t"
	var got fake
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		got = fake{method: r.Method, path: r.URL.Path, auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type"), body: r.PostForm.Encode()}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		switch {
		case strings.HasSuffix(r.URL.Path, "/introspect"):
			w.Write([]byte(`{"active": true, "token_type": "Bearer", "sub": "1", "client_id": "0123456789abcdef", "iss": "http://x/v1/stores/s",
				"aud": "http://x/v1/stores/s", "exp": 1800000000, "iat": 1799996400, "jti": "j1", "gh:kind": "user"}`))
		case strings.HasSuffix(r.URL.Path, "/revoke"):
		default:
			w.Write([]byte(`{"access_token": "eyJ.x.y", "token_type": "Bearer", "expires_in": 3600, "issued_token_type": "urn:ietf:params:oauth:token-type:access_token"}`))
		}
	}))
	t.Cleanup(hs.Close)
	c, err := New(hs.URL, key)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Store("s")

	for _, tc := range []struct {
		name string
		call func() error
		path string
		form url.Values
	}{
		{"token exchange", func() error {
			tok, err := s.ExchangeToken(ctx, TokenExchange{SubjectToken: "ext.jwt.sig"})
			if err == nil && (tok.AccessToken != "eyJ.x.y" || tok.ExpiresIn != 3600 || tok.IssuedTokenType != TokenTypeAccessToken) {
				t.Errorf("token: %+v", tok)
			}
			return err
		}, "/v1/stores/s/oauth2/token", url.Values{"grant_type": {GrantTokenExchange}, "subject_token": {"ext.jwt.sig"}, "subject_token_type": {TokenTypeIDToken}}},
		{"token exchange of a JWT", func() error {
			_, err := s.ExchangeToken(ctx, TokenExchange{SubjectToken: "a.b.c", SubjectTokenType: TokenTypeJWT, RequestedTokenType: TokenTypeAccessToken})
			return err
		}, "/v1/stores/s/oauth2/token", url.Values{"grant_type": {GrantTokenExchange}, "subject_token": {"a.b.c"},
			"subject_token_type": {TokenTypeJWT}, "requested_token_type": {TokenTypeAccessToken}}},
		{"client credentials", func() error { _, err := s.ClientCredentials(ctx); return err },
			"/v1/stores/s/oauth2/token", url.Values{"grant_type": {"client_credentials"}}},
		// A password with characters that form encoding must escape.
		{"password", func() error { _, err := s.PasswordLogin(ctx, "al ice", "p&ss=w+rd%"); return err },
			"/v1/stores/s/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"al ice"}, "password": {"p&ss=w+rd%"}}},
		{"introspect", func() error {
			in, err := s.Introspect(ctx, "eyJ.x.y")
			if err == nil && (!in.Active || in.Subject != "1" || in.ClientID != "0123456789abcdef" || in.ID != "j1" ||
				!in.ExpiresAt.Equal(time.Unix(1800000000, 0)) || len(in.Audience) != 1 || in.Claims["gh:kind"] != "user") {
				t.Errorf("introspection: %+v", in)
			}
			return err
		}, "/v1/stores/s/oauth2/introspect", url.Values{"token": {"eyJ.x.y"}}},
		{"revoke", func() error { return s.Revoke(ctx, "eyJ.x.y") }, "/v1/stores/s/oauth2/revoke", url.Values{"token": {"eyJ.x.y"}}},
	} {
		if err := tc.call(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got.method != "POST" || got.path != tc.path || got.contentType != "application/x-www-form-urlencoded" || got.body != tc.form.Encode() {
			t.Errorf("%s: %s %s (%s) %s, want %s", tc.name, got.method, got.path, got.contentType, got.body, tc.form.Encode())
		}
		if want := basic("0123456789abcdef", key); got.auth != want {
			t.Errorf("%s: Authorization %q, want %q", tc.name, got.auth, want)
		}
	}

	// The admin key is the client "admin".
	c, _ = New(hs.URL, "the-admin-key-0123456789")
	_, _ = c.Store("s").ClientCredentials(ctx)
	if want := basic("admin", "the-admin-key-0123456789"); got.auth != want {
		t.Errorf("admin key: %q, want %q", got.auth, want)
	}
}

func TestClientCredentialsOfKey(t *testing.T) {
	for _, tc := range []struct{ key, id string }{
		{"ghk_0123456789abcdef_secret", "0123456789abcdef"},
		{"ghk_id_with_underscores", "id"},
		{"ghk__x", "admin"},
		{"ghk_noseparator", "admin"},
		{"admin-key-0123456789", "admin"},
	} {
		id, secret := clientCredentials(tc.key)
		if id != tc.id || secret != tc.key {
			t.Errorf("clientCredentials(%q) = %q, %q; want %q and the whole key", tc.key, id, secret, tc.id)
		}
	}
}

// OAuth errors are RFC 6749 §5.2 objects; other error answers of those
// endpoints (an unknown store) stay problems.
func TestOAuthErrors(t *testing.T) {
	ctx := context.Background()
	c, _ := newFakeHeaders(t, http.StatusTooManyRequests, map[string]string{"Content-Type": "application/json", "Retry-After": "7"},
		`{"error": "invalid_grant", "error_description": "too many failed logins for this user or from this address; retry in 7s"}`)
	_, err := c.Store("s").PasswordLogin(ctx, "1", "wrong")
	var oe *OAuthError
	if !errors.As(err, &oe) {
		t.Fatalf("%T %v is not an *OAuthError", err, err)
	}
	if oe.Status != 429 || oe.Code != "invalid_grant" || oe.RetryAfter != 7*time.Second || !strings.Contains(oe.Description, "too many") {
		t.Errorf("OAuth error: %+v", oe)
	}
	if want := "gatehouse: POST /v1/stores/s/oauth2/token: 429 invalid_grant: too many failed logins for this user or from this address; retry in 7s (retry after 7s)"; oe.Error() != want {
		t.Errorf("Error():\n got %s\nwant %s", oe.Error(), want)
	}
	if ErrorCode(err) != "" {
		t.Error("an OAuth error is not a problem")
	}

	c, _ = newFake(t, http.StatusNotFound, "application/problem+json", `{"status": 404, "code": "not_found", "title": "Not found", "detail": "no store"}`)
	_, err = c.Store("nope").ClientCredentials(ctx)
	if !IsNotFound(err) || errors.As(err, &oe) {
		t.Errorf("an unknown store's problem: %T %v", err, err)
	}
	c, _ = newFake(t, http.StatusBadGateway, "text/html", "<html>bad gateway</html>")
	err = c.Store("s").Revoke(ctx, "x")
	var pe *Error
	if !errors.As(err, &pe) || pe.Status != 502 {
		t.Errorf("a proxy's page: %T %v", err, err)
	}

	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"": 0, "0": 0, "120": 2 * time.Minute, "-3": 0, "soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", h, got, want)
		}
	}
}

// newFakeHeaders is newFake with answer headers.
func newFakeHeaders(t *testing.T, status int, headers map[string]string, answer string) (*Client, *fake) {
	t.Helper()
	got := &fake{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*got = fake{method: r.Method, path: r.URL.Path, auth: r.Header.Get("Authorization")}
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		w.Write([]byte(answer))
	}))
	t.Cleanup(hs.Close)
	c, err := New(hs.URL, "secret-key")
	if err != nil {
		t.Fatal(err)
	}
	return c, got
}

// The JSON endpoints of identity: paths, methods, bodies (documents sent
// as written), and the public ones send no key.
func TestIdentityRequestShape(t *testing.T) {
	ctx := context.Background()
	c, got := newFake(t, http.StatusCreated, "application/json", `{"revision": 4}`)
	s := c.Store("s")

	jwks := "{\n  \"keys\": []\n}"
	w, err := s.PutIssuer(ctx, "idp", Issuer{Name: "ignored", Issuer: "https://idp.example", Audiences: []string{"app"},
		JWKS: []byte(jwks), PrincipalClaim: "cognito:username", Stored: Stored{Revision: 9}})
	if err != nil || !w.Created || w.Revision != 4 {
		t.Fatalf("PutIssuer: %+v %v", w, err)
	}
	if want := `{"jwks":` + jwks + `,"issuer":"https://idp.example","audiences":["app"],"principal_claim":"cognito:username"}`; got.method != "PUT" || got.path != "/v1/stores/s/issuers/idp" || got.body != want {
		t.Errorf("PutIssuer: %s %s\n got %s\nwant %s", got.method, got.path, got.body, want)
	}
	_, _ = s.DeleteIssuer(ctx, "idp")
	if got.method != "DELETE" || got.path != "/v1/stores/s/issuers/idp" {
		t.Errorf("DeleteIssuer: %s %s", got.method, got.path)
	}
	_, _ = s.ListIssuers(ctx, ListOptions{Limit: 2})
	if got.method != "GET" || got.path != "/v1/stores/s/issuers" || got.query != "limit=2" {
		t.Errorf("ListIssuers: %s %s?%s", got.method, got.path, got.query)
	}

	policy := "{\"Version\": \"2012-10-17\",\n \"Statement\": []}"
	_, err = s.AssumeRole(ctx, AssumeRoleRequest{Role: "tenant", SessionPolicy: []byte(policy), DurationSeconds: 900, SessionTags: map[string]any{"companyId": "acme"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"session_policy":` + policy + `,"role":"tenant","duration_seconds":900,"session_tags":{"companyId":"acme"}}`; got.path != "/v1/stores/s/assume-role" || got.body != want {
		t.Errorf("AssumeRole: %s\n got %s\nwant %s", got.path, got.body, want)
	}
	_, _ = s.AssumeRole(ctx, AssumeRoleRequest{Role: "tenant"})
	if got.body != `{"role":"tenant"}` {
		t.Errorf("AssumeRole without a policy: %s", got.body)
	}

	_, _ = s.Whoami(ctx, WhoamiRequest{Token: "a.b.c"})
	if got.method != "POST" || got.path != "/v1/stores/s/whoami" || got.body != `{"token":"a.b.c"}` || got.auth != "Bearer secret-key" {
		t.Errorf("Whoami: %s %s %s %s", got.method, got.path, got.body, got.auth)
	}

	w, _ = s.SetUserPassword(ctx, "u/1", "correct horse")
	if got.method != "PUT" || got.rawPath != "/v1/stores/s/users/u%2F1/password" || got.body != `{"password":"correct horse"}` || !w.Created {
		t.Errorf("SetUserPassword: %s %s %s %+v", got.method, got.rawPath, got.body, w)
	}
	_, _ = s.DeleteUserPassword(ctx, "u1")
	if got.method != "DELETE" || got.path != "/v1/stores/s/users/u1/password" {
		t.Errorf("DeleteUserPassword: %s %s", got.method, got.path)
	}

	_, _ = s.RotateSigningKeys(ctx, "")
	if got.method != "POST" || got.path != "/v1/stores/s/signing-keys/rotate" || got.body != "" {
		t.Errorf("RotateSigningKeys: %s %s %q", got.method, got.path, got.body)
	}
	_, _ = s.RotateSigningKeys(ctx, AlgorithmES256)
	if got.body != `{"algorithm":"ES256"}` {
		t.Errorf("RotateSigningKeys(ES256): %s", got.body)
	}

	// Public endpoints: no key sent.
	_, _ = s.Discovery(ctx)
	if got.method != "GET" || got.path != "/v1/stores/s/.well-known/openid-configuration" || got.auth != "" {
		t.Errorf("Discovery: %s %s auth %q", got.method, got.path, got.auth)
	}
	_, _ = s.JWKS(ctx)
	if got.path != "/v1/stores/s/.well-known/jwks.json" || got.auth != "" {
		t.Errorf("JWKS: %s auth %q", got.path, got.auth)
	}
}

func TestJWKSAnswer(t *testing.T) {
	raw := `{"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "abc", "kid": "k1", "alg": "EdDSA", "use": "sig", "extra": 1}]}`
	c, _ := newFake(t, http.StatusOK, "application/jwk-set+json", raw)
	set, err := c.Store("s").JWKS(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	k := set.Keys[0]
	if len(set.Keys) != 1 || k.KeyType != "OKP" || k.Curve != "Ed25519" || k.X != "abc" || k.KeyID != "k1" || k.Algorithm != "EdDSA" || !strings.Contains(string(k.Raw), `"extra": 1`) {
		t.Errorf("key: %+v (%s)", k, k.Raw)
	}
	c, _ = newFake(t, http.StatusOK, "application/json", `{"issuer": "http://x/v1/stores/s", "keys": [{"kid": "k2", "alg": "ES256", "created_at": "2026-01-01T00:00:00Z"},
		{"kid": "k1", "alg": "EdDSA", "created_at": "2025-01-01T00:00:00Z", "retired_at": "2026-01-01T00:00:00Z", "verifies_until": "2026-01-02T00:00:00Z"}]}`)
	ks, err := c.Store("s").ListSigningKeys(context.Background())
	if err != nil || len(ks.Keys) != 2 || !ks.Keys[0].Active() || ks.Keys[1].Active() || ks.Issuer != "http://x/v1/stores/s" {
		t.Errorf("signing keys: %+v %v", ks, err)
	}
}
