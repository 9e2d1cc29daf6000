package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store"
)

func testRevisions(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	if rev := mustRevision(t, s, "a"); rev != 0 {
		t.Fatalf("new store at revision %d, want 0", rev)
	}
	snap := mustLoad(t, s, "a", 0)
	if snap.Revision != 0 || len(snap.Objects) != 0 {
		t.Errorf("Load of a new store = revision %d, %d objects; want 0, none", snap.Revision, len(snap.Objects))
	}
	for want := int64(1); want <= 5; want++ {
		// Several changes in one commit still make one revision.
		got := mustCommit(t, s, "a", put("k", "x", `1`), put("k", "y", `2`))
		if got != want || mustRevision(t, s, "a") != want {
			t.Fatalf("commit %d: revision %d, Revision() %d", want, got, mustRevision(t, s, "a"))
		}
	}
}

// testHistory writes puts, replaces, deletes and re-creations, then
// rebuilds every past revision and compares it with what was live then.
func testHistory(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	steps := [][]store.Change{
		{put("policy", "p1", `{"v":1}`), put("role", "admin", `{"policies":["p1"]}`)},
		{put("policy", "p2", `{"v":1}`), put("policy", "p1", `{"v":2}`)}, // replace
		{del("policy", "p1"), put("user", "1", `{}`)},                    // delete
		{put("policy", "p1", `{"v":3}`)},                                 // re-create
		{del("role", "admin"), del("policy", "p2")},
		{put("role", "admin", `{"policies":[]}`), put("user", "1", `{"groups":["g"]}`), put("policy", "admin", `"same id, other kind"`)},
		{put("user", "1", `{"groups":["g"]}`)}, // same body again is still a new version
	}
	// live is the model: what each revision must rebuild to.
	live := map[[2]string]obj{}
	var want [][]obj // want[r] is the state at revision r
	want = append(want, nil)
	for i, changes := range steps {
		rev := mustCommit(t, s, "a", changes...)
		if rev != int64(i+1) {
			t.Fatalf("step %d committed revision %d", i, rev)
		}
		for _, c := range changes {
			k := [2]string{c.Kind, c.ID}
			if c.Body == nil {
				delete(live, k)
			} else {
				live[k] = obj{c.Kind, c.ID, string(c.Body), rev}
			}
		}
		want = append(want, sortedObjs(live))
	}
	cur := int64(len(steps))
	for rev := int64(0); rev <= cur; rev++ {
		if rev == 0 {
			// Load(0) means the current revision.
			snap := mustLoad(t, s, "a", 0)
			if snap.Revision != cur {
				t.Errorf("Load(0).Revision = %d, want the current %d", snap.Revision, cur)
			}
			checkObjects(t, "Load(0)", snap.Objects, want[cur])
			continue
		}
		snap := mustLoad(t, s, "a", rev)
		if snap.Revision != rev {
			t.Errorf("Load(%d).Revision = %d", rev, snap.Revision)
		}
		checkObjects(t, "Load at revision "+itoa(rev), snap.Objects, want[rev])
	}
	checkObjects(t, "Load(-1)", mustLoad(t, s, "a", -1).Objects, want[cur])

	// UpdatedAt is the time of the commit that wrote the version, as the
	// change feed reports it.
	at := map[int64]store.ChangeRecord{}
	for _, c := range mustChanges(t, s, "a", 0, 1000) {
		at[c.Revision] = c
	}
	for _, o := range mustLoad(t, s, "a", 0).Objects {
		if c, ok := at[o.Revision]; !ok || !c.At.Equal(o.UpdatedAt) {
			t.Errorf("%s/%s: UpdatedAt %v, commit time of revision %d %v", o.Kind, o.ID, o.UpdatedAt, o.Revision, c.At)
		}
	}

	_, err := s.Load(t.Context(), "a", cur+1)
	wantErr(t, "Load of a revision not reached yet", err, store.ErrNotFound)
	if errors.Is(err, store.ErrPruned) {
		t.Error("Load of a future revision says pruned")
	}
}

func testIsolation(t *testing.T, s store.Store) {
	mustCreate(t, s, "a", "b")
	mustCommit(t, s, "a", put("policy", "p", `"a"`))
	mustCommit(t, s, "a", put("policy", "q", `"a"`))
	rb := mustCommit(t, s, "b", put("policy", "p", `"b"`))
	checkObjects(t, "store b", mustLoad(t, s, "b", 0).Objects, []obj{{"policy", "p", `"b"`, rb}})
	if got := mustRevision(t, s, "b"); got != 1 {
		t.Errorf("store b at revision %d after one commit, want 1 (revisions are per store)", got)
	}
	_, err := s.Commit(t.Context(), "b", 1, []store.Change{del("policy", "q")})
	wantErr(t, "delete in b of an object only a has", err, store.ErrNotFound)
	for _, c := range mustChanges(t, s, "b", 0, 100) {
		if c.Store != "b" || c.ID != "p" {
			t.Errorf("Changes of b lists %+v", c)
		}
	}
}

func testConflict(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	mustCommit(t, s, "a", put("policy", "p", `1`))
	mustCommit(t, s, "a", put("policy", "p", `2`))
	for _, base := range []int64{0, 1, 3, 10} {
		_, err := s.Commit(t.Context(), "a", base, []store.Change{put("policy", "p", `"stale"`), put("policy", "new", `1`)})
		wantErr(t, "Commit at base "+itoa(base)+" of a store at 2", err, store.ErrConflict)
	}
	if rev := mustRevision(t, s, "a"); rev != 2 {
		t.Errorf("revision %d after conflicts, want 2", rev)
	}
	checkObjects(t, "after conflicts", mustLoad(t, s, "a", 0).Objects, []obj{{"policy", "p", `2`, 2}})
	if n := len(mustChanges(t, s, "a", 0, 100)); n != 2 {
		t.Errorf("%d change entries after conflicts, want 2", n)
	}
}

// A delete of an absent object fails the whole commit.
func testDeleteAbsent(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	mustCommit(t, s, "a", put("policy", "p", `1`), put("policy", "gone", `1`))
	mustCommit(t, s, "a", del("policy", "gone"))
	cases := []struct {
		name    string
		changes []store.Change
	}{
		{"never existed", []store.Change{put("policy", "p", `2`), put("policy", "q", `1`), del("policy", "missing")}},
		{"already deleted", []store.Change{put("policy", "p", `2`), del("policy", "gone")}},
		{"other kind", []store.Change{del("role", "p"), put("policy", "q", `1`)}},
	}
	for _, c := range cases {
		_, err := s.Commit(t.Context(), "a", 2, c.changes)
		wantErr(t, "delete of an absent object ("+c.name+")", err, store.ErrNotFound)
	}
	if rev := mustRevision(t, s, "a"); rev != 2 {
		t.Errorf("revision %d after failed deletes, want 2", rev)
	}
	checkObjects(t, "after failed deletes", mustLoad(t, s, "a", 0).Objects, []obj{{"policy", "p", `1`, 1}})
}

func testInvalidCommits(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	mustCommit(t, s, "a", put("policy", "p", `1`))
	cases := []struct {
		name    string
		changes []store.Change
	}{
		{"no changes", []store.Change{}},
		{"nil changes", nil},
		{"one object twice", []store.Change{put("policy", "p", `2`), del("policy", "p")}},
		{"put twice", []store.Change{put("policy", "q", `2`), put("policy", "q", `3`)}},
		{"body not JSON", []store.Change{put("policy", "q", `{"a":`)}},
		{"empty body", []store.Change{{Kind: "policy", ID: "q", Body: json.RawMessage{}}}},
		{"empty kind", []store.Change{put("", "q", `1`)}},
		{"empty id", []store.Change{put("policy", "", `1`)}},
	}
	for _, c := range cases {
		_, err := s.Commit(t.Context(), "a", 1, c.changes)
		if err == nil {
			t.Errorf("Commit with %s succeeded", c.name)
		}
		if errors.Is(err, store.ErrConflict) {
			t.Errorf("Commit with %s: %v; a conflict would make callers retry forever", c.name, err)
		}
	}
	if rev := mustRevision(t, s, "a"); rev != 1 {
		t.Errorf("revision %d after invalid commits, want 1", rev)
	}
	checkObjects(t, "after invalid commits", mustLoad(t, s, "a", 0).Objects, []obj{{"policy", "p", `1`, 1}})
}

// A write whose context has ended fails and leaves nothing behind.
func testCanceled(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	mustCommit(t, s, "a", put("policy", "p", `1`))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Commit(ctx, "a", 1, []store.Change{put("policy", "p", `2`)}); err == nil {
		t.Error("Commit with an ended context succeeded")
	}
	if _, err := s.CreateStore(ctx, "b"); err == nil {
		t.Error("CreateStore with an ended context succeeded")
	}
	if err := s.AppendDecisions(ctx, []store.Decision{decision("a", "01J0000000000000000000000X", 1, time.Unix(1, 0), `{}`)}); err == nil {
		t.Error("AppendDecisions with an ended context succeeded")
	}
	checkObjects(t, "after canceled writes", mustLoad(t, s, "a", 0).Objects, []obj{{"policy", "p", `1`, 1}})
	if _, err := s.Revision(t.Context(), "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("store created by a canceled CreateStore: %v", err)
	}
	if _, err := s.GetDecision(t.Context(), "a", "01J0000000000000000000000X"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("decision appended with a canceled context: %v", err)
	}
}

func sortedObjs(m map[[2]string]obj) []obj {
	out := make([]obj, 0, len(m))
	for _, o := range m {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b obj) int {
		if c := strings.Compare(a.kind, b.kind); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return out
}
