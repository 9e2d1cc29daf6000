package itest

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the driver, for PRAGMA integrity_check

	"gatehouse.dev/gatehouse/client"
	"gatehouse.dev/gatehouse/store/sqlite"
)

// Crash test bounds.
const (
	// crashBudget bounds the test once the binary is built.
	crashBudget = 20 * time.Second
	// crashAfter is how many acknowledged writes come before the kill.
	crashAfter = 300
	// crashWriters write concurrently.
	crashWriters = 4
)

var listeningRE = regexp.MustCompile(`listening on (http://\S+)`)

// process is a running `gatehouse serve`.
type process struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
}

// serve starts the binary on data with a free loopback port and waits
// until it answers /readyz.
func serve(ctx context.Context, t *testing.T, bin, data string) *process {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data", data, "--listen", "127.0.0.1:0", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "GATEHOUSE_ADMIN_KEY="+adminKey)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, stderr: &syncBuffer{}}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			fmt.Fprintln(p.stderr, sc.Text())
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pipe)
	}()
	select {
	case p.url = <-found:
	case <-ctx.Done():
		cmd.Process.Kill()
		t.Fatalf("gatehouse serve did not start:\n%s", p.stderr.String())
	}
	c, _ := client.New(p.url, "")
	for {
		if _, err := c.Ready(ctx); err == nil {
			return p
		}
		select {
		case <-ctx.Done():
			cmd.Process.Kill()
			t.Fatalf("gatehouse serve is not ready:\n%s", p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ack is one acknowledged write.
type ack struct {
	store, kind, id string
	seq             int
	revision        int64
	// role of a role mapping.
	role string
}

// TestCrashKeepsAcknowledgedWrites builds the gatehouse binary, streams
// writes into it through the client from several writers, kills it with
// SIGKILL in the middle of the stream, restarts it on the same data
// directory, and finds every acknowledged write, distinct revisions, a
// healthy server and a database that passes SQLite's integrity check.
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL and SIGTERM are Unix signals")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the binary with")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "gatehouse")
	build := exec.Command(goBin, "build", "-o", bin, "gatehouse.dev/gatehouse/cmd/gatehouse")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")

	ctx, cancel := context.WithTimeout(context.Background(), crashBudget)
	defer cancel()
	p := serve(ctx, t, bin, data)
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	c, err := client.New(p.url, adminKey)
	if err != nil {
		t.Fatal(err)
	}
	must(c.CreateStore(ctx, "crash"))(t)
	for _, id := range []string{"default", "crash"} {
		must(c.Store(id).PutRole(ctx, "member", client.Role{}))(t)
	}

	// The stream: each writer puts users and creates role mappings, in two
	// stores, and records what was acknowledged.
	var (
		mu    sync.Mutex
		acked []ack
		count = make(chan struct{}, 1<<16)
		wg    sync.WaitGroup
	)
	for w := range crashWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			store := []string{"default", "crash"}[w%2]
			s := c.Store(store)
			for n := 0; ctx.Err() == nil; n++ {
				var a ack
				if n%3 == 2 {
					id := fmt.Sprintf("m%d-%d", w, n)
					res, err := s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "USER", PrincipalID: id, Role: "member"})
					if err != nil {
						return // the server is gone
					}
					a = ack{store: store, kind: "mapping", id: res.ID, seq: n, revision: res.Revision, role: id}
				} else {
					id := fmt.Sprintf("u%d-%d", w, n)
					res, err := s.PutUser(ctx, id, client.User{Attributes: map[string]any{"seq": fmt.Sprint(n)}, Groups: []string{"g"}})
					if err != nil {
						return
					}
					a = ack{store: store, kind: "user", id: id, seq: n, revision: res.Revision}
				}
				mu.Lock()
				acked = append(acked, a)
				mu.Unlock()
				count <- struct{}{}
			}
		}()
	}
	for range crashAfter {
		select {
		case <-count:
		case <-ctx.Done():
			t.Fatalf("only %d writes acknowledged before the deadline", len(acked))
		}
	}
	// kill -9, in the middle of the stream.
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	wg.Wait()
	mu.Lock()
	writes := append([]ack(nil), acked...)
	mu.Unlock()
	t.Logf("%d writes acknowledged before the kill", len(writes))

	// Restart on the same data.
	p = serve(ctx, t, bin, data)
	c, _ = client.New(p.url, adminKey)
	if err := c.Health(ctx); err != nil {
		t.Fatal(err)
	}
	maxRev := map[string]int64{}
	seen := map[string]map[int64]bool{"default": {}, "crash": {}}
	for _, a := range writes {
		s := c.Store(a.store)
		if seen[a.store][a.revision] {
			t.Errorf("two acknowledged writes answered revision %d of store %s", a.revision, a.store)
		}
		seen[a.store][a.revision] = true
		maxRev[a.store] = max(maxRev[a.store], a.revision)
		switch a.kind {
		case "user":
			u, err := s.GetUser(ctx, a.id)
			if err != nil {
				t.Errorf("acknowledged user %s/%s (revision %d) is gone: %v", a.store, a.id, a.revision, err)
				continue
			}
			if u.Attributes["seq"] != fmt.Sprint(a.seq) || u.Revision != a.revision {
				t.Errorf("user %s/%s: %+v, want seq %d at revision %d", a.store, a.id, u, a.seq, a.revision)
			}
		case "mapping":
			m, err := s.GetRoleMapping(ctx, a.id)
			if err != nil {
				t.Errorf("acknowledged role mapping %s/%s (revision %d) is gone: %v", a.store, a.id, a.revision, err)
				continue
			}
			if m.PrincipalID != a.role || m.Role != "member" {
				t.Errorf("role mapping %s/%s: %+v, want USER %s → member", a.store, a.id, m, a.role)
			}
		}
	}
	for store, want := range maxRev {
		s := c.Store(store)
		rev := revision(t, s)
		if rev < want {
			t.Errorf("store %s restarted at revision %d, below the acknowledged %d", store, rev, want)
		}
		// Healthy: it writes and decides.
		w := must(s.PutUser(ctx, "after-restart", client.User{}))(t)
		if w.Revision != rev+1 {
			t.Errorf("store %s: the first write after the restart answered revision %d, want %d", store, w.Revision, rev+1)
		}
		if _, err := s.Check(ctx, user("after-restart", "a:B", "r")); err != nil {
			t.Errorf("store %s: a check after the restart: %v", store, err)
		}
	}

	// A clean stop, then SQLite's own check of the file.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Errorf("gatehouse serve after SIGTERM: %v\n%s", err, p.stderr.String())
	}
	db, err := sql.Open("sqlite", filepath.Join(data, sqlite.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&verdict); err != nil {
		t.Fatal(err)
	}
	if verdict != "ok" {
		t.Errorf("PRAGMA integrity_check: %s", verdict)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("the crash test took longer than %s", crashBudget)
	}
}
