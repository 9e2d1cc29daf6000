package itest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/client"
	"gatehouse.dev/gatehouse/server"
	"gatehouse.dev/gatehouse/store/sqlite"
)

// adminKey is the bootstrap admin key of the test servers.
const adminKey = "itest-admin-key-0123456789abcdef"

// syncBuffer collects the server's log, shown when a test fails.
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

// env is a running server: its URL, an admin client, its data
// directory, its log and its decision log stream.
type env struct {
	t     *testing.T
	url   string
	admin *client.Client
	data  string
	// logs is the server's log (debug level and up).
	logs *syncBuffer
	// decisions is the decision log stream (Config.DecisionLog): one JSON
	// object per line.
	decisions *syncBuffer
}

// start runs a server on SQLite in a fresh temporary directory, serving
// real HTTP on a loopback port, as `gatehouse serve` does; its public URL
// is that address, so each store's issuer URL is reachable. Options adjust
// the configuration before the server is made.
func start(t *testing.T, opts ...func(*server.Config)) *env {
	t.Helper()
	ctx := context.Background()
	data := t.TempDir()
	logs, decisions := &syncBuffer{}, &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := sqlite.Open(ctx, data, sqlite.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	cfg := server.Config{Store: st, AdminKey: adminKey, Logger: log, RevisionWait: 300 * time.Millisecond,
		PublicURL: url, DecisionLog: decisions}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		ln.Close()
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		srv.Close()
		st.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	e := &env{t: t, url: url, data: data, logs: logs, decisions: decisions}
	e.admin = e.client(adminKey)
	return e
}

// client returns a client of the server with key.
func (e *env) client(key string) *client.Client {
	e.t.Helper()
	c, err := client.New(e.url, key)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// must returns v, failing the test t it is given on err:
// must(s.Info(ctx))(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// wantError checks that err is an *client.Error with status and code,
// whose detail says something.
func wantError(t *testing.T, what string, err error, status int, code string) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: got %v, want a %d %s problem", what, err, status, code)
		return nil
	}
	if e.Status != status || (code != "" && e.Code != code) {
		t.Errorf("%s: got %d %s (%s), want %d %s", what, e.Status, e.Code, e.Detail, status, code)
	}
	if e.Detail == "" || e.Title == "" {
		t.Errorf("%s: the problem says nothing: %+v", what, e)
	}
	return e
}

// doc is an identity policy document of one statement.
func doc(effect, action, resource string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": effect, "Action": action, "Resource": resource}}})
	return b
}

// user is a check request for a user.
func user(id, action, resource string) client.CheckRequest {
	return client.CheckRequest{Principal: &client.Principal{Type: "user", ID: id}, Action: action, Resource: client.Resource{Name: resource}}
}

// decide checks req and returns "allow" or "deny".
func decide(t *testing.T, s *client.Store, req client.CheckRequest) string {
	t.Helper()
	res, err := s.Check(t.Context(), req)
	if err != nil {
		who := "a token"
		if req.Principal != nil {
			who = req.Principal.ID
		}
		t.Fatalf("check %s %s on %s: %v", who, req.Action, req.Resource.Name, err)
	}
	return res.Decision
}

// revision returns a store's revision.
func revision(t *testing.T, s *client.Store) int64 {
	t.Helper()
	return must(s.Info(t.Context()))(t).Revision
}

// keyPolicy is a key policy allowing actions on resources.
func keyPolicy(actions []string, resources ...string) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": actions, "Resource": resources}}})
	return b
}

func fmtRoles(x *client.Explanation) string {
	var s string
	for _, r := range x.Roles {
		s += fmt.Sprintf("\n  %s: %s", r.Role, r.Via)
	}
	return s
}
