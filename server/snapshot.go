package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/store"
)

// storeState is what the server holds for one application store: the
// compiled directory checks read (swapped atomically, never rebuilt per
// check), and the lock that serializes this process's writes and reloads
// of the store.
type storeState struct {
	id  string
	cur atomic.Pointer[directory.Directory]
	// mu serializes writes and reloads.
	mu sync.Mutex

	// changed is closed (and replaced) whenever cur moves, to wake
	// checks waiting for at_least_revision.
	changedMu sync.Mutex
	changed   chan struct{}
}

// swap installs d if it is newer than what is served and wakes waiters.
// Callers hold st.mu.
func (s *Server) swap(st *storeState, d *directory.Directory) {
	if cur := st.cur.Load(); cur != nil && cur.Revision() >= d.Revision() {
		return
	}
	st.cur.Store(d)
	s.metrics.revision.WithLabelValues(st.id).Set(float64(d.Revision()))
	st.changedMu.Lock()
	close(st.changed)
	st.changed = make(chan struct{})
	st.changedMu.Unlock()
}

// changedCh returns the channel closed at the next swap.
func (st *storeState) changedCh() <-chan struct{} {
	st.changedMu.Lock()
	defer st.changedMu.Unlock()
	return st.changed
}

// errNoStore is the 404 for a store that does not exist.
func errNoStore(id string) error {
	return notFound("no store %q; create it with POST /v1/stores", id)
}

// loadedState returns the state of a store this server already serves, or
// nil.
func (s *Server) loadedState(id string) *storeState {
	s.storesMu.Lock()
	defer s.storesMu.Unlock()
	return s.stores[id]
}

func (s *Server) loadedStates() []*storeState {
	s.storesMu.Lock()
	defer s.storesMu.Unlock()
	out := make([]*storeState, 0, len(s.stores))
	for _, st := range s.stores {
		out = append(out, st)
	}
	return out
}

// authorizedStore authorizes the request's caller for action on resource,
// then returns the state of the store in the request's path: the order
// every endpoint keeps, so that a 403 never tells whether the store
// exists.
func (s *Server) authorizedStore(r *http.Request, action, resource string) (*storeState, error) {
	if err := s.authorize(callerOf(r), action, resource); err != nil {
		return nil, err
	}
	return s.storeState(r.Context(), r.PathValue("store"))
}

// storeState returns the state of an application store, loading it on
// first use. A malformed id or a store that does not exist is a 404.
func (s *Server) storeState(ctx context.Context, id string) (*storeState, error) {
	if !validStoreID(id) {
		return nil, errNoStore(id)
	}
	s.storesMu.Lock()
	st := s.stores[id]
	s.storesMu.Unlock()
	if st != nil && st.cur.Load() != nil {
		return st, nil
	}
	if st == nil {
		if _, err := s.store.Revision(ctx, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, errNoStore(id)
			}
			return nil, err
		}
		s.storesMu.Lock()
		if st = s.stores[id]; st == nil {
			st = &storeState{id: id, changed: make(chan struct{})}
			s.stores[id] = st
		}
		s.storesMu.Unlock()
	}
	if err := s.refresh(ctx, st); err != nil {
		return nil, err
	}
	return st, nil
}

// snapshot returns the directory a check uses.
func (st *storeState) snapshot() *directory.Directory { return st.cur.Load() }

// refresh loads the store's current revision and swaps in its directory if
// it is newer than what is served.
func (s *Server) refresh(ctx context.Context, st *storeState) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	return s.refreshLocked(ctx, st)
}

func (s *Server) refreshLocked(ctx context.Context, st *storeState) error {
	snap, err := s.store.Load(ctx, st.id, 0)
	if err != nil {
		return err
	}
	cur := st.cur.Load()
	if cur != nil && cur.Revision() >= snap.Revision {
		return nil
	}
	start := time.Now()
	d, err := cur.Next(snap)
	if err != nil {
		return err
	}
	s.metrics.compileSeconds.Observe(time.Since(start).Seconds())
	for _, w := range d.Warnings() {
		if w.Code != directory.CodeDenyOverridesRole {
			s.log.Warn("store directory warning", "store", st.id, "revision", d.Revision(), "code", w.Code, "warning", w.Message)
		}
	}
	s.swap(st, d)
	return nil
}

// writeResult is what a committed write reports.
type writeResult struct {
	revision int64
	// existed is whether the first changed object existed before (PUT
	// answers 200 rather than 201).
	existed    bool
	validation *directory.Validation
}

// commit validates changes against the served directory, commits them
// with its revision as the base (reloading and revalidating when another
// writer got there first), and swaps in the directory at the new revision
// before it returns: a write is acknowledged only once checks on this
// server see it (API.md §6). prepare, when set, may rewrite the changes
// against each directory tried (a generated id, for instance).
func (s *Server) commit(ctx context.Context, st *storeState, changes []store.Change, prepare func(d *directory.Directory, changes []store.Change) error) (*writeResult, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for attempt := 1; ; attempt++ {
		cur := st.cur.Load()
		if prepare != nil {
			if err := prepare(cur, changes); err != nil {
				return nil, err
			}
		}
		v, err := cur.Validate(changes...)
		if err != nil {
			return nil, err
		}
		_, existed := cur.Get(changes[0].Kind, changes[0].ID)
		rev, err := s.store.Commit(ctx, st.id, cur.Revision(), changes)
		if err == nil {
			if err := s.refreshLocked(ctx, st); err != nil {
				return nil, err
			}
			if d := st.cur.Load(); d.Revision() < rev {
				return nil, &httpError{status: http.StatusInternalServerError, code: codeInternal,
					msg: "the write was committed but could not be loaded; checks may not see it yet"}
			}
			return &writeResult{revision: rev, existed: existed, validation: v}, nil
		}
		if !isConflict(err) || attempt >= maxCommitAttempts {
			return nil, err
		}
		if err := s.refreshLocked(ctx, st); err != nil {
			return nil, err
		}
	}
}

func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }

// atRevision returns the store's directory at least at revision want,
// waiting up to the configured RevisionWait (or ctx's deadline) for this
// server to catch up; then a 409 revision_not_ready.
func (s *Server) atRevision(ctx context.Context, st *storeState, want int64) (*directory.Directory, error) {
	d := st.snapshot()
	if want <= 0 || d.Revision() >= want {
		return d, nil
	}
	timer := time.NewTimer(s.cfg.RevisionWait)
	defer timer.Stop()
	// A notification may be on its way; ask the store directly too, in
	// case it was lost.
	if rev, err := s.store.Revision(ctx, st.id); err == nil && rev >= want {
		_ = s.refresh(ctx, st)
	}
	for {
		ch := st.changedCh()
		if d = st.snapshot(); d.Revision() >= want {
			return d, nil
		}
		select {
		case <-ch:
		case <-timer.C:
			return nil, errNotReady(st.id, want, st.snapshot().Revision())
		case <-ctx.Done():
			return nil, errNotReady(st.id, want, st.snapshot().Revision())
		}
	}
}

func errNotReady(id string, want, have int64) error {
	return errorf(http.StatusConflict, codeRevisionNotReady,
		"store %q is at revision %d on this server, not yet %d; retry shortly", id, have, want)
}
