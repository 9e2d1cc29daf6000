package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"gatehouse.dev/gatehouse/store"
)

// testConcurrent races committers that retry on conflict, as the server
// does: every acknowledged commit must be there, once, and the revisions
// dense.
func testConcurrent(t *testing.T, s store.Store) {
	const writers, each = 6, 12
	mustCreate(t, s, "a")
	type ack struct {
		rev int64
		id  string
	}
	var (
		mu   sync.Mutex
		acks []ack
		wg   sync.WaitGroup
		errs = make(chan error, writers)
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := t.Context()
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				for {
					base, err := s.Revision(ctx, "a")
					if err != nil {
						errs <- err
						return
					}
					rev, err := s.Commit(ctx, "a", base, []store.Change{
						put("item", id, fmt.Sprintf(`{"writer":%d,"i":%d}`, w, i)),
						put("counter", fmt.Sprint(w), fmt.Sprint(i)),
					})
					if errors.Is(err, store.ErrConflict) {
						continue
					}
					if err != nil {
						errs <- fmt.Errorf("commit %s: %w", id, err)
						return
					}
					if rev != base+1 {
						errs <- fmt.Errorf("commit %s at base %d gave revision %d", id, base, rev)
						return
					}
					mu.Lock()
					acks = append(acks, ack{rev, id})
					mu.Unlock()
					break
				}
			}
		}()
	}
	// A reader alongside: every snapshot is one revision, whole (each
	// commit adds exactly one item, so revision r has r items).
	stop := make(chan struct{})
	readerDone := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				readerDone <- nil
				return
			default:
			}
			snap, err := s.Load(t.Context(), "a", 0)
			if err != nil {
				readerDone <- err
				return
			}
			items := 0
			for _, o := range snap.Objects {
				if o.Kind == "item" {
					items++
				}
			}
			if int64(items) != snap.Revision {
				readerDone <- fmt.Errorf("snapshot at revision %d has %d items: not one consistent revision", snap.Revision, items)
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	if err := <-readerDone; err != nil {
		t.Fatal(err)
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	const total = writers * each
	if rev := mustRevision(t, s, "a"); rev != total {
		t.Fatalf("revision %d after %d acknowledged commits", rev, total)
	}
	byRev := map[int64]string{}
	for _, a := range acks {
		if prev, dup := byRev[a.rev]; dup {
			t.Fatalf("revision %d acknowledged twice (%s and %s)", a.rev, prev, a.id)
		}
		byRev[a.rev] = a.id
	}
	feed := mustChanges(t, s, "a", 0, 10*total)
	if len(feed) != 2*total {
		t.Fatalf("%d change entries, want %d", len(feed), 2*total)
	}
	for i := 0; i < len(feed); i += 2 {
		rev := int64(i/2 + 1)
		c, d := feed[i], feed[i+1]
		if c.Revision != rev || d.Revision != rev || c.Kind != "counter" || d.Kind != "item" || d.ID != byRev[rev] {
			t.Fatalf("change entries %d and %d are %+v and %+v; want revision %d writing counter and item %s", i, i+1, c, d, rev, byRev[rev])
		}
	}
	snap := mustLoad(t, s, "a", 0)
	items := 0
	for _, o := range snap.Objects {
		if o.Kind == "item" {
			items++
		}
	}
	if items != total {
		t.Errorf("%d items live, want %d", items, total)
	}
	// Each acknowledged revision rebuilds with its own write in it.
	for rev := int64(1); rev <= total; rev += 7 {
		found := false
		for _, o := range mustLoad(t, s, "a", rev).Objects {
			if o.Kind == "item" && o.ID == byRev[rev] && o.Revision == rev {
				found = true
			}
		}
		if !found {
			t.Errorf("Load(%d) lacks item %s written at that revision", rev, byRev[rev])
		}
	}
}
