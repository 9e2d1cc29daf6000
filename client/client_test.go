package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fake answers every request with handler and records what it got.
type fake struct {
	method, path, rawPath, query, auth, contentType, body string
}

func newFake(t *testing.T, status int, contentType, answer string) (*Client, *fake) {
	t.Helper()
	got := &fake{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*got = fake{method: r.Method, path: r.URL.Path, rawPath: r.URL.EscapedPath(), query: r.URL.RawQuery,
			auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type"), body: string(b)}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(hs.Close)
	c, err := New(hs.URL+"/", "secret-key")
	if err != nil {
		t.Fatal(err)
	}
	return c, got
}

func TestNew(t *testing.T) {
	for _, bad := range []string{"", "127.0.0.1:8420", "ftp://x", "http://", "http://h/?q=1", "http://h/#f", "http://[::1"} {
		if _, err := New(bad, "k"); err == nil {
			t.Errorf("New(%q) accepted a bad base URL", bad)
		}
	}
	c, err := New("https://gatehouse.example/prefix/", "k", WithUserAgent("me"), WithHTTPClient(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != "https://gatehouse.example/prefix" || c.userAgent != "me" || c.hc != http.DefaultClient {
		t.Errorf("client: %+v", c)
	}
}

func TestRequestShape(t *testing.T) {
	ctx := context.Background()
	c, got := newFake(t, http.StatusCreated, "application/json", `{"revision": 7, "warnings": [{"code": "policy.x", "message": "m", "line": 1, "col": 2}]}`)
	// An id holding '/', '?' and '%' stays one path segment.
	w, err := c.Store("default").PutUser(ctx, "/admins?x=%", User{Groups: []string{"g"}, Stored: Stored{Revision: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if !w.Created || w.Revision != 7 || len(w.Warnings) != 1 || w.Warnings[0].String() != "1:2: m [policy.x]" {
		t.Errorf("write result: %+v", w)
	}
	if got.method != "PUT" || got.path != "/v1/stores/default/users//admins?x=%" || got.rawPath != "/v1/stores/default/users/%2Fadmins%3Fx=%25" {
		t.Errorf("request line: %s %s (%s)", got.method, got.path, got.rawPath)
	}
	if got.auth != "Bearer secret-key" || got.contentType != "application/json" {
		t.Errorf("headers: auth %q, content type %q", got.auth, got.contentType)
	}
	// Only the writable fields are sent: the server refuses unknown ones.
	if got.body != `{"groups":["g"]}` {
		t.Errorf("body %s", got.body)
	}

	_, _ = c.Store("s").ListRoleMappings(ctx, RoleMappingFilter{PrincipalType: "USER", Role: "admin"}, ListOptions{Limit: 5, Cursor: "abc"})
	if got.method != "GET" || got.path != "/v1/stores/s/role-mappings" || got.query != "cursor=abc&limit=5&principal_type=USER&role=admin" {
		t.Errorf("list request: %s %s?%s", got.method, got.path, got.query)
	}
	if got.contentType != "" || got.body != "" {
		t.Errorf("a GET sent a body: %q %q", got.contentType, got.body)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	problem := `{"type": "https://gatehouse.dev/problems/invalid", "title": "Invalid object", "status": 422,
		"detail": "policy \"p\" has errors", "code": "invalid", "request_id": "r1",
		"findings": [{"severity": "error", "code": "policy.unknown_operator", "line": 3, "col": 9, "pointer": "/document/Statement/0/Condition", "message": "unknown operator"}]}`
	c, _ := newFake(t, http.StatusUnprocessableEntity, "application/problem+json", problem)
	_, err := c.Store("default").PutPolicy(ctx, "p", Policy{Document: []byte(`{}`)})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	if e.Status != 422 || e.Code != "invalid" || e.RequestID != "r1" || len(e.Findings) != 1 || e.Findings[0].Line != 3 {
		t.Errorf("problem: %+v", e)
	}
	want := `gatehouse: PUT /v1/stores/default/policies/p: 422 invalid: policy "p" has errors; 3:9: unknown operator [policy.unknown_operator] (at /document/Statement/0/Condition)`
	if e.Error() != want {
		t.Errorf("Error():\n got %s\nwant %s", e.Error(), want)
	}
	if ErrorCode(fmt.Errorf("wrapped: %w", err)) != "invalid" || ErrorCode(errors.New("x")) != "" {
		t.Error("ErrorCode does not see through wrapping")
	}

	// Not a problem: a proxy's page.
	c, _ = newFake(t, http.StatusBadGateway, "text/html", "<html>bad gateway</html>")
	_, err = c.Store("default").GetUser(ctx, "1")
	if !errors.As(err, &e) || e.Status != 502 || e.Code != "" || e.Detail != "<html>bad gateway</html>" {
		t.Errorf("non-problem error: %#v", err)
	}

	c, _ = newFake(t, http.StatusNotFound, "application/problem+json", `{"status": 404, "code": "not_found", "title": "Not found"}`)
	if _, err := c.GetKey(ctx, "k"); !IsNotFound(err) {
		t.Errorf("IsNotFound(%v) = false", err)
	}

	// A 2xx answer that is not the JSON expected.
	c, _ = newFake(t, http.StatusOK, "application/json", `[1, 2]`)
	if _, err := c.GetStore(ctx, "default"); err == nil || !strings.Contains(err.Error(), "not the JSON expected") {
		t.Errorf("bad answer: %v", err)
	}
}

func TestItems(t *testing.T) {
	ctx := context.Background()
	pages := map[string]*Page[int]{
		"":  {Items: []int{1, 2}, NextCursor: "a"},
		"a": {Items: []int{3}, NextCursor: "b"},
		"b": {Items: []int{4}},
	}
	list := func(_ context.Context, o ListOptions) (*Page[int], error) { return pages[o.Cursor], nil }
	all, err := All(ctx, list)
	if err != nil || fmt.Sprint(all) != "[1 2 3 4]" {
		t.Errorf("All: %v %v", all, err)
	}
	// Stopping early fetches no more pages.
	calls := 0
	for range Items(ctx, func(ctx context.Context, o ListOptions) (*Page[int], error) { calls++; return list(ctx, o) }) {
		break
	}
	if calls != 1 {
		t.Errorf("break after the first item fetched %d pages", calls)
	}
	boom := errors.New("boom")
	failing := func(_ context.Context, o ListOptions) (*Page[int], error) {
		if o.Cursor == "a" {
			return nil, boom
		}
		return pages[o.Cursor], nil
	}
	all, err = All(ctx, failing)
	if !errors.Is(err, boom) || fmt.Sprint(all) != "[1 2]" {
		t.Errorf("All with a failing page: %v %v", all, err)
	}
	// A server that repeats its cursor does not loop forever.
	loop := func(_ context.Context, o ListOptions) (*Page[int], error) {
		return &Page[int]{Items: []int{1}, NextCursor: "x"}, nil
	}
	if all, _ := All(ctx, loop); len(all) != 2 {
		t.Errorf("repeated cursor: %v", all)
	}
}

func TestCanceledContext(t *testing.T) {
	c, _ := newFake(t, http.StatusOK, "application/json", `{}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Health(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
}

// Policy documents are sent as written, so that the server's findings
// point at the caller's own lines.
func TestDocumentsSentAsWritten(t *testing.T) {
	ctx := context.Background()
	c, got := newFake(t, http.StatusOK, "application/json", `{"revision": 1}`)
	written := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": []\n}"
	if _, err := c.Store("s").PutPolicy(ctx, "p", Policy{Description: "d", Document: []byte(written)}); err != nil {
		t.Fatal(err)
	}
	if want := `{"document":` + written + `,"description":"d"}`; got.body != want {
		t.Errorf("body:\n got %s\nwant %s", got.body, want)
	}
	if _, err := c.Store("s").PutRole(ctx, "r", Role{}); err != nil {
		t.Fatal(err)
	}
	if got.body != `{}` {
		t.Errorf("a role without a trust policy: %s", got.body)
	}
	if _, err := c.CreateKey(ctx, "k", []byte(written)); err != nil {
		t.Fatal(err)
	}
	if want := `{"policy":` + written + `,"name":"k"}`; got.body != want {
		t.Errorf("key body:\n got %s\nwant %s", got.body, want)
	}
}
