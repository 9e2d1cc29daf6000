// Package storetest is the conformance suite of [store.Store]: every
// implementation runs [Run] against a fresh, empty instance of itself, so
// that the embedded SQLite store and the PostgreSQL one behave the same
// (the approach of spicedb's datastore/test).
//
// Beyond what the interface's comments say, the suite pins these choices,
// which callers may rely on:
//   - Commit rejects a change list that names one object twice, a put
//     whose body is not valid JSON, and an empty kind or id.
//   - Changes never splits a revision: it returns whole revisions up to
//     limit entries, except a first revision larger than limit, which is
//     returned whole. limit must be positive. Changes from before the
//     retained revisions is ErrPruned.
//   - Prune keeps, per store, the last revision committed before the
//     horizon and every later one; Load of an older one is ErrPruned.
//   - AppendDecisions is all or nothing: an unknown store is ErrNotFound,
//     an id already in the store's log is ErrExists.
//   - Times round-trip at least to the microsecond.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store"
)

// Run runs the conformance suite. open must return a new, empty store for
// each call and close it when the test ends (t.Cleanup). Subtests run one
// after another.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Stores", testStores},
		{"SystemScope", testSystemScope},
		{"Revisions", testRevisions},
		{"History", testHistory},
		{"StoresAreIsolated", testIsolation},
		{"Conflict", testConflict},
		{"DeleteAbsent", testDeleteAbsent},
		{"InvalidCommits", testInvalidCommits},
		{"CanceledContext", testCanceled},
		{"ConcurrentCommitters", testConcurrent},
		{"Changes", testChanges},
		{"ChangesPaging", testChangesPaging},
		{"Watch", testWatch},
		{"WatchSlowReceiver", testWatchSlow},
		{"Decisions", testDecisions},
		{"Prune", testPrune},
		{"PruneToPresent", testPruneToPresent},
		{"Bodies", testBodies},
		{"LargeBody", testLargeBody},
		{"UnicodeIDs", testUnicode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

// put and del build changes.
func put(kind, id, body string) store.Change {
	return store.Change{Kind: kind, ID: id, Body: json.RawMessage(body)}
}

func del(kind, id string) store.Change { return store.Change{Kind: kind, ID: id} }

// mustCreate creates stores or fails the test.
func mustCreate(t *testing.T, s store.Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := s.CreateStore(t.Context(), id); err != nil {
			t.Fatalf("CreateStore(%q): %v", id, err)
		}
	}
}

// mustCommit commits at the store's current revision and checks that the
// revision went up by exactly one.
func mustCommit(t *testing.T, s store.Store, id string, changes ...store.Change) int64 {
	t.Helper()
	base := mustRevision(t, s, id)
	rev, err := s.Commit(t.Context(), id, base, changes)
	if err != nil {
		t.Fatalf("Commit(%q, %d): %v", id, base, err)
	}
	if rev != base+1 {
		t.Fatalf("Commit(%q, %d) = revision %d, want %d", id, base, rev, base+1)
	}
	return rev
}

func mustRevision(t *testing.T, s store.Store, id string) int64 {
	t.Helper()
	rev, err := s.Revision(t.Context(), id)
	if err != nil {
		t.Fatalf("Revision(%q): %v", id, err)
	}
	return rev
}

func mustLoad(t *testing.T, s store.Store, id string, rev int64) *store.Snapshot {
	t.Helper()
	snap, err := s.Load(t.Context(), id, rev)
	if err != nil {
		t.Fatalf("Load(%q, %d): %v", id, rev, err)
	}
	if snap.Store != id {
		t.Errorf("Load(%q, %d).Store = %q", id, rev, snap.Store)
	}
	return snap
}

func mustChanges(t *testing.T, s store.Store, id string, since int64, limit int) []store.ChangeRecord {
	t.Helper()
	cs, err := s.Changes(t.Context(), id, since, limit)
	if err != nil {
		t.Fatalf("Changes(%q, %d, %d): %v", id, since, limit, err)
	}
	return cs
}

// wantErr checks that err wraps target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// obj is an expected object: its body and the revision that wrote it.
type obj struct {
	kind, id, body string
	rev            int64
}

func (o obj) String() string { return fmt.Sprintf("%s/%s@%d=%s", o.kind, o.id, o.rev, o.body) }

// checkObjects compares a snapshot's objects with the expected ones, in
// order, bodies byte for byte.
func checkObjects(t *testing.T, what string, got []store.Object, want []obj) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d objects %v, want %d %v", what, len(got), objs(got), len(want), want)
		return
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.ID != w.id || !bytes.Equal(g.Body, []byte(w.body)) || g.Revision != w.rev {
			t.Errorf("%s: object %d is %v, want %v", what, i, objs(got[i : i+1])[0], w)
		}
		if g.UpdatedAt.IsZero() {
			t.Errorf("%s: object %s/%s has no UpdatedAt", what, g.Kind, g.ID)
		}
	}
}

func objs(os []store.Object) []obj {
	out := make([]obj, len(os))
	for i, o := range os {
		out[i] = obj{o.Kind, o.ID, string(o.Body), o.Revision}
	}
	return out
}

// recvUntil reads notifications until one says that store reached at least
// rev. The wait is bounded only so that a broken Watch fails instead of
// hanging; it measures nothing.
func recvUntil(t *testing.T, ch <-chan store.Notification, id string, rev int64) {
	t.Helper()
	guard := time.NewTimer(30 * time.Second)
	defer guard.Stop()
	for {
		select {
		case n, ok := <-ch:
			if !ok {
				t.Fatalf("Watch channel closed before %q reached revision %d", id, rev)
			}
			if n.Store == id && n.Revision >= rev {
				return
			}
		case <-guard.C:
			t.Fatalf("no notification that %q reached revision %d", id, rev)
		}
	}
}

// recvClosed drains ch until it is closed.
func recvClosed(t *testing.T, ch <-chan store.Notification) {
	t.Helper()
	guard := time.NewTimer(30 * time.Second)
	defer guard.Stop()
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-guard.C:
			t.Fatal("Watch channel not closed after its context ended")
		}
	}
}

// ctxWithCancel is t.Context with its own cancel.
func ctxWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
