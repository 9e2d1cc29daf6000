package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzCheck sends arbitrary bodies to the check, batch and explain
// handlers: none may panic or answer 5xx, and every error is a problem.
func FuzzCheck(f *testing.F) {
	for _, seed := range []string{
		`{"principal": {"type": "user", "id": "1"}, "action": "orders:Read", "resource": {"name": "orders:1"}}`,
		`{"principal": {"type": "user", "id": "1", "attributes": {"a": [1, "x", true]}}, "action": "a:B", "resource": {"name": "r", "attributes": {"owner": "1"}}, "fields": ["f"], "context": {"k": 1e400}}`,
		`{"principal": {"type": "anonymous"}, "action": "a:B", "resource": {"name": "r"}, "request": {"ip": "::1"}}`,
		`{"token": "a.b.c", "action": "a:B", "resource": {"name": "r"}}`,
		`{"checks": [{"principal": {"type": "app", "id": "x", "roles": ["admin"]}, "action": "a:B", "resource": {"name": "r"}}]}`,
		`{"at_least_revision": 9223372036854775807}`,
		`{"principal": null, "action": null}`,
		`{"a":{"a":{"a":{"a":[[[[[[]]]]]]}}}}`,
		"\x00\xff",
		`"\ud800"`,
	} {
		f.Add(seed)
	}
	ts := newTestServer(f, func(c *Config) { c.RevisionWait = 1; c.DecisionLog = nil })
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/v1/stores/default/check", "/v1/stores/default/check/batch", "/v1/stores/default/explain"} {
			req := httptest.NewRequest("POST", path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testAdminKey)
			rec := httptest.NewRecorder()
			ts.srv.Handler().ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %q: %d %s", path, body, rec.Code, rec.Body)
			}
			if rec.Code != http.StatusOK && rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%s %q: %d without a problem", path, body, rec.Code)
			}
		}
	})
}

// A handler that panics answers 500 with a problem and logs the panic;
// the server goes on.
func TestRecoverPanic(t *testing.T) {
	ts := newTestServer(t)
	ts.srv.handle("GET /v1/panic", routeOptions{}, func(w http.ResponseWriter, r *http.Request) error { panic("boom") })
	p := wantProblem(t, "panic", ts.do("GET", "/v1/panic", nil), http.StatusInternalServerError, codeInternal)
	if p != nil && strings.Contains(p["detail"].(string), "boom") {
		t.Errorf("the panic's cause reached the client: %v", p)
	}
	if !strings.Contains(ts.logs.String(), "boom") {
		t.Error("the panic was not logged")
	}
	if r := ts.doKey("", "GET", "/healthz", nil); r.status != http.StatusOK {
		t.Errorf("after a panic: %d", r.status)
	}
}

// FuzzIdentity sends arbitrary bodies to the identity endpoints: JSON ones
// (whoami, assume-role, an issuer, a password) and form-encoded OAuth ones
// (token, introspect, revoke). None may panic or answer 5xx; JSON endpoints
// answer problems, OAuth endpoints OAuth error objects.
func FuzzIdentity(f *testing.F) {
	for _, seed := range []string{
		`{"token": "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."}`,
		`{"role": "r", "duration_seconds": 900, "session_tags": {"companyId": "acme"}, "session_policy": {"Version": "2012-10-17", "Statement": []}}`,
		`{"issuer": "https://idp.example.com", "audiences": ["a"], "jwks": {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}}`,
		`{"password": "correct horse battery"}`,
		`grant_type=password&username=1&password=x`,
		`grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=a.b.c&subject_token_type=urn:ietf:params:oauth:token-type:id_token`,
		`grant_type=client_credentials&grant_type=password`,
		`token=a.b.c&token_type_hint=access_token`,
		"%zz=\x00",
	} {
		f.Add(seed)
	}
	ts := newTestServer(f, func(c *Config) { c.DecisionLog = nil })
	tb := &testServer{t: f, srv: ts.srv}
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/r", map[string]any{})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/users/1", map[string]any{})
	f.Fuzz(func(t *testing.T, body string) {
		for _, ep := range []struct {
			method, path string
			form         bool
		}{
			{"POST", "/v1/stores/default/whoami", false},
			{"POST", "/v1/stores/default/assume-role", false},
			{"PUT", "/v1/stores/default/issuers/idp", false},
			{"PUT", "/v1/stores/default/users/1/password", false},
			{"POST", "/v1/stores/default/oauth2/token", true},
			{"POST", "/v1/stores/default/oauth2/introspect", true},
			{"POST", "/v1/stores/default/oauth2/revoke", true},
		} {
			req := httptest.NewRequest(ep.method, ep.path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+testAdminKey)
			if ep.form {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			rec := httptest.NewRecorder()
			ts.srv.Handler().ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %q: %d %s", ep.path, body, rec.Code, rec.Body)
			}
			ct := rec.Header().Get("Content-Type")
			switch {
			case rec.Code < 300:
			case ep.form && (ct != "application/json" || !strings.Contains(rec.Body.String(), `"error"`)):
				t.Fatalf("%s %q: %d without an OAuth error: %s", ep.path, body, rec.Code, rec.Body)
			case !ep.form && ct != "application/problem+json":
				t.Fatalf("%s %q: %d without a problem", ep.path, body, rec.Code)
			}
		}
	})
}
