package storetest

import (
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store"
)

// commitAfter commits once the clock has passed the previous commit's time,
// so that commit times are distinct and a horizon can fall between them.
func commitAfter(t *testing.T, s store.Store, id string, changes ...store.Change) int64 {
	t.Helper()
	if rev := mustRevision(t, s, id); rev > 0 {
		cs := mustChanges(t, s, id, rev-1, 1000)
		last := cs[len(cs)-1].At
		for !time.Now().After(last) {
			// Spin: the clock moves within microseconds.
		}
	}
	return mustCommit(t, s, id, changes...)
}

// commitTimes maps each revision still in the feed to its commit time.
func commitTimes(t *testing.T, s store.Store, id string, since int64) map[int64]time.Time {
	t.Helper()
	at := map[int64]time.Time{}
	for _, c := range mustChanges(t, s, id, since, 10000) {
		at[c.Revision] = c.At
	}
	return at
}

func testPrune(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreate(t, s, "a", "b")
	commitAfter(t, s, "a", put("k", "x", `1`), put("k", "y", `1`), put("k", "z", `1`), put("k", "u", `1`), put("k", "v", `1`)) // 1
	commitAfter(t, s, "a", put("k", "x", `2`), del("k", "y"))                                                                  // 2
	commitAfter(t, s, "a", put("k", "x", `3`), del("k", "u"))                                                                  // 3: the horizon
	commitAfter(t, s, "a", put("k", "w", `1`), put("k", "y", `2`), put("k", "v", `2`))                                         // 4: y re-created, v replaced
	commitAfter(t, s, "a", del("k", "z"))                                                                                      // 5
	commitAfter(t, s, "b", put("k", "x", `1`))
	commitAfter(t, s, "b", put("k", "x", `2`))

	at := commitTimes(t, s, "a", 0)
	before := at[4]
	if !at[3].Before(before) {
		t.Fatalf("commit times did not advance: revision 3 at %v, revision 4 at %v", at[3], at[4])
	}
	// Revision 3 is the last one committed before the horizon: it and
	// every later one stay rebuildable, 1 and 2 go.
	want := map[int64][]obj{}
	for rev := int64(3); rev <= 5; rev++ {
		want[rev] = objs(mustLoad(t, s, "a", rev).Objects)
	}
	feed := mustChanges(t, s, "a", 2, 100)

	oldD := decision("a", "01J00000000000000000000OLD", 1, before.Add(-time.Hour).Truncate(time.Microsecond), `{"old":true}`)
	newD := decision("a", "01J00000000000000000000NEW", 5, before.Truncate(time.Microsecond).Add(time.Microsecond), `{"new":true}`)
	if err := s.AppendDecisions(ctx, []store.Decision{oldD, newD}); err != nil {
		t.Fatalf("AppendDecisions: %v", err)
	}

	n, err := s.Prune(ctx, before)
	if err != nil {
		t.Fatalf("Prune: %v", err)
	}
	if n < 1 {
		t.Errorf("Prune removed %d rows, want at least the old decision", n)
	}

	for _, rev := range []int64{1, 2} {
		_, err := s.Load(ctx, "a", rev)
		wantErr(t, "Load of pruned revision "+itoa(rev), err, store.ErrPruned)
	}
	for rev := int64(3); rev <= 5; rev++ {
		checkObjects(t, "Load("+itoa(rev)+") after Prune", mustLoad(t, s, "a", rev).Objects, want[rev])
	}
	checkObjects(t, "current state after Prune", mustLoad(t, s, "a", 0).Objects, want[5])
	// The feed keeps the horizon's own changes, deletes included.
	if got := mustChanges(t, s, "a", 2, 100); len(got) != len(feed) {
		t.Errorf("Changes(2) after Prune: %+v, want %+v", got, feed)
	}
	_, err = s.Changes(ctx, "a", 0, 100)
	wantErr(t, "Changes from a pruned revision", err, store.ErrPruned)
	_, err = s.GetDecision(ctx, "a", oldD.ID)
	wantErr(t, "GetDecision of a pruned decision", err, store.ErrNotFound)
	checkDecision(t, s, newD)
	// Store b was committed after the horizon: all of it is kept.
	checkObjects(t, "store b after Prune", mustLoad(t, s, "b", 1).Objects, []obj{{"k", "x", `1`, 1}})

	if n, err := s.Prune(ctx, before); err != nil || n != 0 {
		t.Errorf("second Prune at the same horizon = %d, %v; want 0, nil", n, err)
	}
	// An earlier horizon than one already pruned to changes nothing.
	if _, err := s.Prune(ctx, at[1]); err != nil {
		t.Errorf("Prune to an earlier horizon: %v", err)
	}
	checkObjects(t, "Load(3) after an earlier Prune", mustLoad(t, s, "a", 3).Objects, want[3])

	// Writing goes on as before, over pruned history.
	rev := mustCommit(t, s, "a", del("k", "y"), put("k", "z", `2`))
	checkObjects(t, "after a commit over pruned history", mustLoad(t, s, "a", rev).Objects,
		[]obj{{"k", "v", `2`, 4}, {"k", "w", `1`, 4}, {"k", "x", `3`, 3}, {"k", "z", `2`, rev}})
	checkObjects(t, "Load(3) after a commit over pruned history", mustLoad(t, s, "a", 3).Objects, want[3])
}

// Pruning up to now keeps the current state whole, however old its
// versions are.
func testPruneToPresent(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustCreate(t, s, "a")
	mustCommit(t, s, "a", put("k", "old", `1`), put("k", "gone", `1`))
	mustCommit(t, s, "a", put("k", "mid", `1`), del("k", "gone"))
	last := mustCommit(t, s, "a", put("k", "mid", `2`))
	at := commitTimes(t, s, "a", 0)
	if _, err := s.Prune(ctx, at[last].Add(time.Hour)); err != nil {
		t.Fatalf("Prune: %v", err)
	}
	current := []obj{{"k", "mid", `2`, 3}, {"k", "old", `1`, 1}}
	checkObjects(t, "current state after Prune", mustLoad(t, s, "a", 0).Objects, current)
	checkObjects(t, "current revision after Prune", mustLoad(t, s, "a", last).Objects, current)
	_, err := s.Load(ctx, "a", last-1)
	wantErr(t, "Load of the revision before the current one", err, store.ErrPruned)
	// The feed keeps the current revision's entries.
	checkChanges(t, "Changes(2) after Prune", mustChanges(t, s, "a", last-1, 10), []change{{3, "k", "mid", false}})

	rev := mustCommit(t, s, "a", put("k", "gone", `2`), del("k", "old"))
	checkObjects(t, "after Prune and a commit", mustLoad(t, s, "a", rev).Objects,
		[]obj{{"k", "gone", `2`, rev}, {"k", "mid", `2`, 3}})
	if r := mustRevision(t, s, "a"); r != last+1 {
		t.Errorf("revision %d after Prune and a commit, want %d", r, last+1)
	}
}
