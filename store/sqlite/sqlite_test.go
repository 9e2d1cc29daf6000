package sqlite

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store"
	"gatehouse.dev/gatehouse/store/migrate"
	"gatehouse.dev/gatehouse/store/storetest"
)

func openTemp(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dir, Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openTemp(t, filepath.Join(t.TempDir(), "data"))
	})
}

// Everything written before Close is there after Open.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"default", store.SystemScope} {
		if _, err := s.CreateStore(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Commit(ctx, "default", 0, []store.Change{{Kind: "policy", ID: "p", Body: []byte(`{"v": 1}`)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(ctx, "default", 1, []store.Change{{Kind: "policy", ID: "p", Body: []byte(`{"v": 2}`)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendDecisions(ctx, []store.Decision{{ID: "d1", Store: "default", Revision: 2, Record: []byte(`{"x":1}`)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	s = openTemp(t, dir)
	if rev, err := s.Revision(ctx, "default"); err != nil || rev != 2 {
		t.Errorf("Revision after reopen = %d, %v; want 2", rev, err)
	}
	snap, err := s.Load(ctx, "default", 1)
	if err != nil || len(snap.Objects) != 1 || string(snap.Objects[0].Body) != `{"v": 1}` {
		t.Errorf("Load(1) after reopen = %+v, %v", snap, err)
	}
	if _, err := s.Revision(ctx, store.SystemScope); err != nil {
		t.Errorf("system scope after reopen: %v", err)
	}
	if d, err := s.GetDecision(ctx, "default", "d1"); err != nil || string(d.Record) != `{"x":1}` {
		t.Errorf("GetDecision after reopen = %+v, %v", d, err)
	}
	// Commits go on from the stored revision.
	if rev, err := s.Commit(ctx, "default", 2, []store.Change{{Kind: "policy", ID: "p"}}); err != nil || rev != 3 {
		t.Errorf("Commit after reopen = %d, %v; want 3", rev, err)
	}
}

// A database written by a newer gatehouse is refused, and left untouched.
func TestNewerSchemaRefused(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '0999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	_, err = Open(ctx, dir, Options{})
	if !errors.Is(err, migrate.ErrNewerSchema) {
		t.Fatalf("Open of a newer database: %v, want ErrNewerSchema", err)
	}
	if !strings.Contains(err.Error(), "999") || !strings.Contains(err.Error(), DatabaseFile) {
		t.Errorf("error %q does not name the database and its version", err)
	}
	// The refused Open released the directory.
	unlock, err := lockDir(dir)
	if err != nil {
		t.Fatalf("data directory still locked after a refused Open: %v", err)
	}
	unlock()
}

// Migrations run once: a second Open applies nothing.
func TestMigrationsRecorded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	openTemp(t, dir).Close()
	s := openTemp(t, dir)
	all, err := migrate.Read(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var n, max int
	if err := s.db.QueryRowContext(t.Context(), "SELECT COUNT(*), MAX(version) FROM schema_migrations").Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != len(all) || max != len(all) {
		t.Errorf("schema_migrations has %d rows up to %d, want %d", n, max, len(all))
	}
}

// The data directory is the owner's alone.
func TestFilePermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := openTemp(t, dir)
	if _, err := s.CreateStore(t.Context(), "a"); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o700 {
		t.Errorf("data directory mode %v, want 0700", perm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		seen[e.Name()] = true
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group and others", e.Name(), perm)
		}
	}
	for _, name := range []string{DatabaseFile, DatabaseFile + "-wal", DatabaseFile + "-shm"} {
		if !seen[name] {
			t.Errorf("%s missing from the data directory (have %v)", name, seen)
		}
	}
}

func TestSecondOpenRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := openTemp(t, dir)
	if s2, err := Open(t.Context(), dir, Options{}); err == nil {
		s2.Close()
		t.Fatal("a second Open of an open data directory succeeded")
	} else if !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Open: %v; want it to say the directory is in use", err)
	}
	s.Close()
	openTemp(t, dir) // free again after Close
}

func TestWatchEndsOnClose(t *testing.T) {
	s := openTemp(t, filepath.Join(t.TempDir(), "data"))
	w, err := s.Watch(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for range w {
	}
	if _, err := s.Watch(context.Background()); err == nil {
		t.Error("Watch after Close succeeded")
	}
}

func TestOpenErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"", file, filepath.Join(t.TempDir(), "what?"), filepath.Join(file, "sub")} {
		if s, err := Open(t.Context(), dir, Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dir)
		}
	}
}

// Every pooled connection runs with the settings durability depends on.
func TestPragmas(t *testing.T) {
	s := openTemp(t, filepath.Join(t.TempDir(), "data"))
	ctx := t.Context()
	// Hold several connections at once so that the check is not always
	// answered by the same one.
	var conns []interface{ Close() error }
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 3 {
		c, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		for _, p := range []struct {
			pragma, want string
		}{
			{"journal_mode", "wal"},
			{"synchronous", "2"}, // FULL
			{"foreign_keys", "1"},
			{"busy_timeout", "10000"},
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != p.want {
				t.Errorf("PRAGMA %s = %s, want %s", p.pragma, got, p.want)
			}
		}
	}
}

// Commit times never go backwards within a store, even when the clock
// does, so that Prune never drops a revision committed after its horizon.
func TestClockBackwards(t *testing.T) {
	ctx := t.Context()
	now := time.Unix(1000, 0)
	s, err := Open(ctx, filepath.Join(t.TempDir(), "data"), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateStore(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	commit := func(base int64, body string) {
		t.Helper()
		if _, err := s.Commit(ctx, "a", base, []store.Change{{Kind: "k", ID: "x", Body: []byte(body)}}); err != nil {
			t.Fatal(err)
		}
	}
	commit(0, `1`)
	now = time.Unix(500, 0) // the clock jumps back
	commit(1, `2`)
	feed, err := s.Changes(ctx, "a", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) != 2 || feed[1].At.Before(feed[0].At) {
		t.Fatalf("commit times %+v go backwards", feed)
	}
	if _, err := s.Prune(ctx, time.Unix(750, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "a", 1); err != nil {
		t.Errorf("Load(1) after a Prune before every commit: %v", err)
	}
	now = time.Unix(2000, 0)
	commit(2, `3`)
	if _, err := s.Prune(ctx, time.Unix(1500, 0)); err != nil {
		t.Fatal(err)
	}
	_, err = s.Load(ctx, "a", 1)
	if !errors.Is(err, store.ErrPruned) {
		t.Errorf("Load(1) after Prune: %v, want ErrPruned", err)
	}
	snap, err := s.Load(ctx, "a", 2)
	if err != nil || len(snap.Objects) != 1 || string(snap.Objects[0].Body) != `2` {
		t.Errorf("Load(2), the horizon, after Prune = %+v, %v", snap, err)
	}
}
