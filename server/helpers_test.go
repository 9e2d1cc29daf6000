package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/server/internal/memstore"
)

// testAdminKey is the bootstrap admin key of test servers.
const testAdminKey = "test-admin-key-0123456789"

// testServer is a Server on an in-memory store, driven through its
// handler.
type testServer struct {
	t     testing.TB
	srv   *Server
	store *memstore.Store
	logs  *syncBuffer
	dlog  *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// newTestServer starts a server; cfg's zero fields get test defaults.
func newTestServer(t testing.TB, mod ...func(*Config)) *testServer {
	t.Helper()
	ts := &testServer{t: t, store: memstore.New(), logs: &syncBuffer{}, dlog: &syncBuffer{}}
	cfg := Config{
		Store:        ts.store,
		AdminKey:     testAdminKey,
		Logger:       slog.New(slog.NewTextHandler(ts.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		DecisionLog:  ts.dlog,
		RevisionWait: 200 * time.Millisecond,
	}
	for _, m := range mod {
		m(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", ts.logs.String())
		}
	})
	ts.srv = srv
	return ts
}

// response is an answer of the handler.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a generic value.
func (r *response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer %d is not a JSON object: %v\n%s", r.status, err, r.body)
	}
	return m
}

// do sends a request with the admin key. body is a string (sent as is),
// []byte, or a value marshalled as JSON; nil sends no body.
func (ts *testServer) do(method, path string, body any) *response {
	return ts.doKey(testAdminKey, method, path, body)
}

// doKey sends a request with key ("" for none).
func (ts *testServer) doKey(key, method, path string, body any) *response {
	ts.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	ts.srv.Handler().ServeHTTP(rec, req)
	return &response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// must sends a request with the admin key and fails the test unless the
// status is want.
func (ts *testServer) must(want int, method, path string, body any) map[string]any {
	ts.t.Helper()
	r := ts.do(method, path, body)
	if r.status != want {
		ts.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.status, want, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	return r.json(ts.t)
}

// wantProblem checks that r is a problem+json answer with status and code.
func wantProblem(t *testing.T, what string, r *response, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d\n%s", what, r.status, status, r.body)
		return nil
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: Content-Type %q, want application/problem+json", what, ct)
	}
	p := r.json(t)
	if p["code"] != code {
		t.Errorf("%s: code %v, want %s\n%s", what, p["code"], code, r.body)
	}
	if p["type"] != problemBase+code {
		t.Errorf("%s: type %v, want %s", what, p["type"], problemBase+code)
	}
	if p["status"] != float64(status) || p["title"] == "" || p["detail"] == "" {
		t.Errorf("%s: problem lacks status, title or detail: %s", what, r.body)
	}
	return p
}

// policyDoc is an identity policy document allowing or denying actions on
// resources.
func policyDoc(effect, action, resource string) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": effect, "Action": action, "Resource": resource},
	}}
}

// revision reads the "revision" of a write's answer.
func revisionOf(t *testing.T, m map[string]any) int64 {
	t.Helper()
	r, ok := m["revision"].(float64)
	if !ok {
		t.Fatalf("no revision in %v", m)
	}
	return int64(r)
}

func newRequest(method, path, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	return httptest.NewRequest(method, path, rd)
}

func (ts *testServer) serve(req *http.Request) *response {
	rec := httptest.NewRecorder()
	ts.srv.Handler().ServeHTTP(rec, req)
	return &response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

func sleepBriefly() { time.Sleep(10 * time.Millisecond) }
