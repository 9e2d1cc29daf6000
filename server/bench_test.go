package server

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/store/sqlite"
)

// BenchmarkCheck measures one check through the whole handler (routing,
// authentication, decoding, decision, decision log, answer), without the
// network.
func BenchmarkCheck(b *testing.B) {
	ts := newTestServer(b, func(c *Config) {
		c.DecisionLog = nil
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	tb := &testServer{t: b, srv: ts.srv}
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/orders-admin", map[string]any{"document": policyDoc("Allow", "orders:*", "orders:*")})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/admin", map[string]any{"policies": []string{"orders-admin"}})
	tb.must(http.StatusCreated, "POST", "/v1/stores/default/role-mappings", map[string]any{"principal_type": "USER", "principal_id": "1", "role": "admin"})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/users/1", map[string]any{})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/users/1/password", map[string]any{"password": "correct horse battery"})
	key := tb.createKey("c", policyDoc("Allow", "gatehouse:Check", "gatehouse:store/default"))
	r := tb.form("/v1/stores/default/oauth2/token", keyID(key), key, url.Values{"grant_type": {"password"}, "username": {"1"}, "password": {"correct horse battery"}})
	var tr tokenResponse
	if err := json.Unmarshal(r.body, &tr); err != nil || tr.AccessToken == "" {
		b.Fatalf("login: %d %s", r.status, r.body)
	}
	principal := `"principal": {"type": "user", "id": "1"}`
	for _, bc := range []struct{ name, key, subject string }{{"admin", testAdminKey, principal}, {"apikey", key, principal},
		{"token", key, `"token": "` + tr.AccessToken + `"`}} {
		b.Run(bc.name, func(b *testing.B) {
			body := `{` + bc.subject + `, "action": "orders:Read", "resource": {"name": "orders:acme/17", "attributes": {"owner": "1"}}}`
			h := ts.srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("POST", "/v1/stores/default/check", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+bc.key)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkCheckBatch measures a batch of 100 checks through the whole
// handler with the decision log writing to a real SQLite store; each
// iteration waits until its entries are written, so the writer's cost is
// in the figure.
func BenchmarkCheckBatch(b *testing.B) {
	st, err := sqlite.Open(b.Context(), b.TempDir(), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	ts := newTestServer(b, func(c *Config) {
		c.Store = st
		c.DecisionLog = nil
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	tb := &testServer{t: b, srv: ts.srv}
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/orders-admin", map[string]any{"document": policyDoc("Allow", "orders:*", "orders:*")})
	tb.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/admin", map[string]any{"policies": []string{"orders-admin"}})
	tb.must(http.StatusCreated, "POST", "/v1/stores/default/role-mappings", map[string]any{"principal_type": "USER", "principal_id": "1", "role": "admin"})
	var sb strings.Builder
	sb.WriteString(`{"checks": [`)
	for i := range 100 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"principal": {"type": "user", "id": "%d"}, "action": "orders:Read", "resource": {"name": "orders:acme/%d", "attributes": {"owner": "1"}}}`, i%3, i)
	}
	sb.WriteString(`]}`)
	body := sb.String()
	h := ts.srv.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/v1/stores/default/check/batch", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testAdminKey)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code, rec.Body)
		}
	}
	ts.srv.dlog.flush(b.Context())
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "decisions/s")
}
