package storetest

import (
	"testing"

	"gatehouse.dev/gatehouse/store"
)

// change is an expected change entry.
type change struct {
	rev     int64
	kind    string
	id      string
	deleted bool
}

func checkChanges(t *testing.T, what string, got []store.ChangeRecord, want []change) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d entries %+v, want %d %+v", what, len(got), got, len(want), want)
		return
	}
	for i, w := range want {
		g := got[i]
		if g.Revision != w.rev || g.Kind != w.kind || g.ID != w.id || g.Deleted != w.deleted || g.Store != "a" || g.At.IsZero() {
			t.Errorf("%s: entry %d is %+v, want %+v in store a with a time", what, i, g, w)
		}
	}
}

func testChanges(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	checkChanges(t, "Changes of a new store", mustChanges(t, s, "a", 0, 10), nil)
	mustCommit(t, s, "a", put("role", "r", `1`), put("policy", "p", `1`))                   // 1: 2 entries
	mustCommit(t, s, "a", put("policy", "p", `2`), put("user", "u", `1`), del("role", "r")) // 2: 3 entries
	mustCommit(t, s, "a", del("policy", "p"))                                               // 3: 1 entry
	all := []change{
		{1, "policy", "p", false}, {1, "role", "r", false},
		{2, "policy", "p", false}, {2, "role", "r", true}, {2, "user", "u", false},
		{3, "policy", "p", true},
	}
	checkChanges(t, "Changes(0, 100)", mustChanges(t, s, "a", 0, 100), all)
	checkChanges(t, "Changes(-5, 100)", mustChanges(t, s, "a", -5, 100), all)
	checkChanges(t, "Changes(1, 100)", mustChanges(t, s, "a", 1, 100), all[2:])
	checkChanges(t, "Changes(2, 100)", mustChanges(t, s, "a", 2, 100), all[5:])
	checkChanges(t, "Changes(3, 100)", mustChanges(t, s, "a", 3, 100), nil)
	checkChanges(t, "Changes(9, 100)", mustChanges(t, s, "a", 9, 100), nil)

	// Revisions are never split: a page ends at a revision boundary, and a
	// first revision larger than the limit comes whole.
	for _, c := range []struct {
		since int64
		limit int
		want  []change
	}{
		{0, 6, all},
		{0, 5, all[:5]},
		{0, 4, all[:2]},
		{0, 2, all[:2]},
		{0, 1, all[:2]},
		{1, 1, all[2:5]},
		{1, 3, all[2:5]},
		{1, 4, all[2:6]},
	} {
		checkChanges(t, "Changes("+itoa(c.since)+", "+itoa(int64(c.limit))+")", mustChanges(t, s, "a", c.since, c.limit), c.want)
	}
	for _, limit := range []int{0, -1} {
		if _, err := s.Changes(t.Context(), "a", 0, limit); err == nil {
			t.Errorf("Changes with limit %d succeeded", limit)
		}
	}
}

// A reader paging with since = the last revision it got sees every entry
// exactly once.
func testChangesPaging(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	var want []change
	for i := range 20 {
		var cs []store.Change
		rev := int64(i + 1)
		for j := range i%4 + 1 {
			id := itoa(int64(j))
			cs = append(cs, put("k", id, itoa(rev)))
			want = append(want, change{rev, "k", id, false})
		}
		mustCommit(t, s, "a", cs...)
	}
	for _, limit := range []int{1, 3, 7, 100} {
		var got []store.ChangeRecord
		since := int64(0)
		for range 100 {
			page := mustChanges(t, s, "a", since, limit)
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			since = page[len(page)-1].Revision
		}
		checkChanges(t, "paging with limit "+itoa(int64(limit)), got, want)
	}
}

func testWatch(t *testing.T, s store.Store) {
	mustCreate(t, s, "a", "b", "c")
	ctx1, cancel1 := ctxWithCancel(t)
	defer cancel1()
	ctx2, cancel2 := ctxWithCancel(t)
	defer cancel2()
	w1, err := s.Watch(ctx1)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	w2, err := s.Watch(ctx2)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	mustCommit(t, s, "a", put("k", "x", `1`))
	recvUntil(t, w1, "a", 1)
	recvUntil(t, w2, "a", 1)
	mustCommit(t, s, "b", put("k", "x", `1`))
	mustCommit(t, s, "a", put("k", "x", `2`))
	recvUntil(t, w1, "a", 2)
	recvUntil(t, w2, "b", 1)

	// Ending one watcher's context closes its channel and no other.
	cancel1()
	recvClosed(t, w1)
	mustCommit(t, s, "c", put("k", "x", `1`))
	recvUntil(t, w2, "c", 1)
}

// A receiver that does not keep up still learns the latest revision.
func testWatchSlow(t *testing.T, s store.Store) {
	mustCreate(t, s, "a")
	ctx, cancel := ctxWithCancel(t)
	defer cancel()
	w, err := s.Watch(ctx)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	var last int64
	for i := range 30 {
		last = mustCommit(t, s, "a", put("k", "x", itoa(int64(i))))
	}
	recvUntil(t, w, "a", last)
	cancel()
	recvClosed(t, w)
}
