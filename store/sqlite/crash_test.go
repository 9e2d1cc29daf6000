package sqlite

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store"
)

// crashEnv, when set to a data directory, turns the test binary into the
// crash test's writer (see crashWriter).
const crashEnv = "GATEHOUSE_SQLITE_CRASH_WRITER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		os.Exit(crashWriter(dir))
	}
	os.Exit(m.Run())
}

// crashWriter opens the store in dir and writes until it is killed: two
// committers racing on one store (retrying on conflict) and a decision
// logger. After each write returns it prints "ack <revision> <item id>" or
// "decision <id>", so every line the parent reads is an acknowledged write.
func crashWriter(dir string) int {
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := s.CreateStore(ctx, "crash"); err != nil && !errors.Is(err, store.ErrExists) {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var out sync.Mutex
	say := func(format string, args ...any) {
		line := fmt.Sprintf(format+"\n", args...)
		out.Lock()
		os.Stdout.WriteString(line) // one write per line
		out.Unlock()
	}
	pad := strings.Repeat("p", 2048)
	fail := make(chan error, 3)
	for w := range 2 {
		go func() {
			for n := 0; ; n++ {
				id := fmt.Sprintf("%d-%d-%d", os.Getpid(), w, n)
				for {
					base, err := s.Revision(ctx, "crash")
					if err != nil {
						fail <- err
						return
					}
					rev, err := s.Commit(ctx, "crash", base, []store.Change{
						{Kind: "item", ID: id, Body: json.RawMessage(`{"id":"` + id + `","pad":"` + pad + `"}`)},
						{Kind: "counter", ID: strconv.Itoa(w), Body: json.RawMessage(strconv.Itoa(n))},
					})
					if errors.Is(err, store.ErrConflict) {
						continue
					}
					if err != nil {
						fail <- err
						return
					}
					say("ack %d %s", rev, id)
					break
				}
			}
		}()
	}
	go func() {
		for n := 0; ; n++ {
			ds := make([]store.Decision, 10)
			for i := range ds {
				ds[i] = store.Decision{
					ID: fmt.Sprintf("%d-%d-%d", os.Getpid(), n, i), Store: "crash", At: time.Now(),
					Record: json.RawMessage(`{"n":` + strconv.Itoa(n) + `}`),
				}
			}
			if err := s.AppendDecisions(ctx, ds); err != nil {
				fail <- err
				return
			}
			for _, d := range ds {
				say("decision %s", d.ID)
			}
		}
	}()
	fmt.Fprintln(os.Stderr, <-fail)
	return 1
}

// TestCrash kills the writer with SIGKILL in mid-stream, a few times over
// the same data directory, and checks after each kill that the database is
// intact and holds every write the writer acknowledged.
func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	if runtime.GOOS == "windows" {
		t.Skip("needs SIGKILL")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	acks := map[string]int64{} // item id → acknowledged revision
	var decisions []string
	for round := range 3 {
		// How long the writer runs before the kill; varied so that the
		// kill lands at different points.
		run := time.Duration(300+400*round) * time.Millisecond
		start := time.Now()
		a, d := runAndKill(t, exe, dir, run)
		ran := time.Since(start)
		if len(a) == 0 {
			t.Fatalf("round %d: the writer acknowledged nothing", round)
		}
		for id, rev := range a {
			acks[id] = rev
		}
		decisions = append(decisions, d...)
		start = time.Now()
		checkAfterCrash(t, dir, acks, decisions)
		t.Logf("round %d: %d commits and %d decisions acknowledged before SIGKILL; writer ran %v, check took %v",
			round, len(a), len(d), ran.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	}
}

// runAndKill runs the writer on dir, kills it with SIGKILL once it has
// written for the given time, and returns what it acknowledged.
func runAndKill(t *testing.T, exe, dir string, run time.Duration) (acks map[string]int64, decisions []string) {
	t.Helper()
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() { once.Do(func() { cmd.Process.Kill() }) } // SIGKILL
	defer kill()

	acks = map[string]int64{}
	r := bufio.NewReader(stdout)
	var timer *time.Timer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			// EOF after the kill. A line cut short by it was never
			// acknowledged whole: ignore it.
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		if timer == nil {
			// The clock starts at the first write, after Open.
			timer = time.AfterFunc(run, kill)
			defer timer.Stop()
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "ack":
			rev, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatalf("bad line %q", line)
			}
			acks[f[2]] = rev
		case len(f) == 2 && f[0] == "decision":
			decisions = append(decisions, f[1])
		default:
			t.Fatalf("bad line %q", line)
		}
	}
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
		t.Fatalf("writer ended with %v before it was killed; stderr:\n%s", err, stderr.String())
	}
	return acks, decisions
}

// checkAfterCrash reopens dir and checks integrity and every acknowledged
// write.
func checkAfterCrash(t *testing.T, dir string, acks map[string]int64, decisions []string) {
	t.Helper()
	ctx := t.Context()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer s.Close()

	var result string
	if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		t.Fatalf("integrity_check after SIGKILL = %q, %v", result, err)
	}
	var fkProblems int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pragma_foreign_key_check").Scan(&fkProblems); err != nil || fkProblems != 0 {
		t.Fatalf("foreign_key_check after SIGKILL: %d problems, %v", fkProblems, err)
	}

	cur, err := s.Revision(ctx, "crash")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := s.Load(ctx, "crash", 0)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]store.Object{}
	for _, o := range snap.Objects {
		if o.Kind == "item" {
			items[o.ID] = o
		}
	}
	for id, rev := range acks {
		o, ok := items[id]
		if !ok {
			t.Fatalf("acknowledged write %s (revision %d) lost", id, rev)
		}
		if o.Revision != rev || !strings.Contains(string(o.Body), `"id":"`+id+`"`) {
			t.Fatalf("acknowledged write %s: revision %d body %.40s…, want revision %d", id, o.Revision, o.Body, rev)
		}
		if rev > cur {
			t.Fatalf("acknowledged revision %d above the store's %d", rev, cur)
		}
	}
	// Revisions are dense: each has its two changes, no gap, no repeat.
	feed, err := s.Changes(ctx, "crash", 0, int(2*cur+10))
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(feed)) != 2*cur {
		t.Fatalf("%d change entries for %d revisions, want 2 each", len(feed), cur)
	}
	for i, c := range feed {
		if c.Revision != int64(i/2+1) {
			t.Fatalf("change entry %d at revision %d, want %d", i, c.Revision, i/2+1)
		}
	}
	for _, id := range decisions {
		if _, err := s.GetDecision(ctx, "crash", id); err != nil {
			t.Fatalf("acknowledged decision %s: %v", id, err)
		}
	}
}
