// Package memstore is an in-memory store.Store for tests of the server: the
// whole history in maps, guarded by one mutex. It keeps every object version
// until Prune, so Load at any retained revision works as in store/sqlite.
package memstore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"gatehouse.dev/gatehouse/store"
)

var _ store.Store = (*Store)(nil)

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	// Now is the clock for commit and change times (time.Now when nil).
	Now func() time.Time

	mu        sync.Mutex
	closed    bool
	stores    map[string]*scope
	decisions map[string]store.Decision
	watchers  map[*watcher]struct{}
}

// scope is one application store (or the system scope).
type scope struct {
	info store.StoreInfo
	// versions holds every retained version of every object by key.
	versions map[key][]version
	changes  []store.ChangeRecord
	// horizon is the oldest revision Load can rebuild (after Prune).
	horizon int64
	// times[r] is when revision r was committed (times[0] at creation).
	times []time.Time
}

type key struct{ kind, id string }

type version struct {
	rev  int64
	at   time.Time
	body json.RawMessage // nil: deleted
}

type watcher struct{ ch chan store.Notification }

// New returns an empty in-memory store.
func New() *Store {
	return &Store{stores: map[string]*scope{}, decisions: map[string]store.Decision{}, watchers: map[*watcher]struct{}{}}
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

var errClosed = errors.New("memstore: closed")

func (s *Store) lock() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errClosed
	}
	return nil
}

// CreateStore implements store.Store.
func (s *Store) CreateStore(ctx context.Context, id string) (store.StoreInfo, error) {
	if err := ctx.Err(); err != nil {
		return store.StoreInfo{}, err
	}
	if id == "" {
		return store.StoreInfo{}, errors.New("memstore: empty store id")
	}
	if err := s.lock(); err != nil {
		return store.StoreInfo{}, err
	}
	defer s.mu.Unlock()
	if _, ok := s.stores[id]; ok {
		return store.StoreInfo{}, fmt.Errorf("store %q: %w", id, store.ErrExists)
	}
	now := s.now()
	sc := &scope{info: store.StoreInfo{ID: id, CreatedAt: now}, versions: map[key][]version{}, times: []time.Time{now}}
	s.stores[id] = sc
	return sc.info, nil
}

// ListStores implements store.Store.
func (s *Store) ListStores(ctx context.Context) ([]store.StoreInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.lock(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := []store.StoreInfo{}
	for id, sc := range s.stores {
		if id == store.SystemScope {
			continue
		}
		out = append(out, sc.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Revision implements store.Store.
func (s *Store) Revision(ctx context.Context, id string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := s.lock(); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	sc, err := s.scope(id)
	if err != nil {
		return 0, err
	}
	return sc.info.Revision, nil
}

func (s *Store) scope(id string) (*scope, error) {
	sc, ok := s.stores[id]
	if !ok {
		return nil, fmt.Errorf("store %q: %w", id, store.ErrNotFound)
	}
	return sc, nil
}

// Load implements store.Store.
func (s *Store) Load(ctx context.Context, id string, rev int64) (*store.Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.lock(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	sc, err := s.scope(id)
	if err != nil {
		return nil, err
	}
	if rev <= 0 {
		rev = sc.info.Revision
	}
	if rev > sc.info.Revision {
		return nil, fmt.Errorf("store %q revision %d (current %d): %w", id, rev, sc.info.Revision, store.ErrNotFound)
	}
	if rev < sc.horizon {
		return nil, fmt.Errorf("store %q revision %d (oldest kept %d): %w", id, rev, sc.horizon, store.ErrPruned)
	}
	snap := &store.Snapshot{Store: id, Revision: rev, Objects: []store.Object{}}
	for k, vs := range sc.versions {
		var at *version
		for i := range vs {
			if vs[i].rev <= rev {
				at = &vs[i]
			}
		}
		if at == nil || at.body == nil {
			continue
		}
		snap.Objects = append(snap.Objects, store.Object{Kind: k.kind, ID: k.id, Body: bytes.Clone(at.body), Revision: at.rev, UpdatedAt: at.at})
	}
	sort.Slice(snap.Objects, func(i, j int) bool {
		a, b := snap.Objects[i], snap.Objects[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.ID < b.ID
	})
	return snap, nil
}

// Commit implements store.Store.
func (s *Store) Commit(ctx context.Context, id string, base int64, changes []store.Change) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if len(changes) == 0 {
		return 0, errors.New("memstore: commit with no changes")
	}
	if err := s.lock(); err != nil {
		return 0, err
	}
	sc, err := s.scope(id)
	if err != nil {
		s.mu.Unlock()
		return 0, err
	}
	if base != sc.info.Revision {
		s.mu.Unlock()
		return 0, fmt.Errorf("store %q at revision %d, not %d: %w", id, sc.info.Revision, base, store.ErrConflict)
	}
	seen := map[key]bool{}
	for _, c := range changes {
		k := key{c.Kind, c.ID}
		if c.Kind == "" || c.ID == "" {
			s.mu.Unlock()
			return 0, errors.New("memstore: change without kind or id")
		}
		if seen[k] {
			s.mu.Unlock()
			return 0, fmt.Errorf("memstore: %s %q changed twice in one commit", c.Kind, c.ID)
		}
		seen[k] = true
		if c.Body == nil {
			vs := sc.versions[k]
			if len(vs) == 0 || vs[len(vs)-1].body == nil {
				s.mu.Unlock()
				return 0, fmt.Errorf("%s %q: %w", c.Kind, c.ID, store.ErrNotFound)
			}
		} else if !json.Valid(c.Body) {
			s.mu.Unlock()
			return 0, fmt.Errorf("memstore: %s %q: body is not valid JSON", c.Kind, c.ID)
		}
	}
	now := s.now()
	rev := sc.info.Revision + 1
	sorted := append([]store.Change(nil), changes...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Kind != sorted[j].Kind {
			return sorted[i].Kind < sorted[j].Kind
		}
		return sorted[i].ID < sorted[j].ID
	})
	for _, c := range sorted {
		k := key{c.Kind, c.ID}
		var body json.RawMessage
		if c.Body != nil {
			body = bytes.Clone(c.Body)
		}
		sc.versions[k] = append(sc.versions[k], version{rev: rev, at: now, body: body})
		sc.changes = append(sc.changes, store.ChangeRecord{Store: id, Revision: rev, Kind: c.Kind, ID: c.ID, Deleted: c.Body == nil, At: now})
	}
	sc.info.Revision = rev
	sc.times = append(sc.times, now)
	n := store.Notification{Store: id, Revision: rev}
	for w := range s.watchers {
		send(w.ch, n)
	}
	s.mu.Unlock()
	return rev, nil
}

// send delivers n without blocking; when the receiver is behind, the oldest
// pending notification makes room (the receiver reloads on any, so the
// newest must get through).
func send(ch chan store.Notification, n store.Notification) {
	for {
		select {
		case ch <- n:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

// Changes implements store.Store. It returns whole revisions, up to limit
// entries (a first revision larger than limit whole), each revision's
// entries sorted by kind and id.
func (s *Store) Changes(ctx context.Context, id string, since int64, limit int) ([]store.ChangeRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, fmt.Errorf("memstore: Changes limit must be positive, not %d", limit)
	}
	if err := s.lock(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	sc, err := s.scope(id)
	if err != nil {
		return nil, err
	}
	if sc.horizon > 0 && since < sc.horizon-1 {
		return nil, fmt.Errorf("store %q changes after revision %d (oldest kept %d): %w", id, since, sc.horizon, store.ErrPruned)
	}
	out := []store.ChangeRecord{}
	for i := 0; i < len(sc.changes); {
		rev := sc.changes[i].Revision
		j := i
		for j < len(sc.changes) && sc.changes[j].Revision == rev {
			j++
		}
		if rev > since {
			if len(out) > 0 && len(out)+(j-i) > limit {
				break
			}
			out = append(out, sc.changes[i:j]...)
			if len(out) >= limit {
				break
			}
		}
		i = j
	}
	return out, nil
}

// Watch implements store.Store.
func (s *Store) Watch(ctx context.Context) (<-chan store.Notification, error) {
	if err := s.lock(); err != nil {
		return nil, err
	}
	w := &watcher{ch: make(chan store.Notification, 64)}
	s.watchers[w] = struct{}{}
	s.mu.Unlock()
	out := make(chan store.Notification)
	go func() {
		defer close(out)
		defer func() {
			s.mu.Lock()
			delete(s.watchers, w)
			s.mu.Unlock()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-w.ch:
				select {
				case out <- n:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// AppendDecisions implements store.Store: all or nothing; an unknown store
// is ErrNotFound, an id already logged ErrExists.
func (s *Store) AppendDecisions(ctx context.Context, ds []store.Decision) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.lock(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for _, d := range ds {
		if d.ID == "" || d.Store == "" {
			return errors.New("memstore: decision without id or store")
		}
		if n := len(d.Record); n < 2 || d.Record[0] != '{' || d.Record[n-1] != '}' {
			return fmt.Errorf("memstore: decision %q: record is not a JSON object", d.ID)
		}
		if _, err := s.scope(d.Store); err != nil {
			return err
		}
		if _, dup := s.decisions[d.ID]; dup || seen[d.ID] {
			return fmt.Errorf("decision %q: %w", d.ID, store.ErrExists)
		}
		seen[d.ID] = true
	}
	for _, d := range ds {
		d.Record = bytes.Clone(d.Record)
		d.At = d.At.UTC()
		s.decisions[d.ID] = d
	}
	return nil
}

// GetDecision implements store.Store.
func (s *Store) GetDecision(ctx context.Context, id, decision string) (*store.Decision, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.lock(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	d, ok := s.decisions[decision]
	if !ok || d.Store != id {
		return nil, fmt.Errorf("decision %q in store %q: %w", decision, id, store.ErrNotFound)
	}
	d.Record = bytes.Clone(d.Record)
	return &d, nil
}

// Prune implements store.Store.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := s.lock(); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	var n int64
	for id, d := range s.decisions {
		if d.At.Before(before) {
			delete(s.decisions, id)
			n++
		}
	}
	for _, sc := range s.stores {
		// horizon: the newest revision committed before the cut-off; the
		// state at it is the state in force at the cut-off, so it stays.
		horizon := sc.horizon
		for r := sc.horizon; r < int64(len(sc.times)); r++ {
			if sc.times[r].Before(before) {
				horizon = r
			}
		}
		sc.horizon = horizon
		for k, vs := range sc.versions {
			// Keep the last version at or before the horizon (if it is
			// not a deletion) and everything after it.
			keep := 0
			for i := range vs {
				if vs[i].rev <= horizon {
					keep = i
				}
			}
			if vs[keep].rev <= horizon && vs[keep].body == nil {
				keep++
			}
			if keep > 0 {
				n += int64(keep)
				if keep >= len(vs) {
					delete(sc.versions, k)
				} else {
					sc.versions[k] = append([]version(nil), vs[keep:]...)
				}
			}
		}
		kept := sc.changes[:0]
		for _, c := range sc.changes {
			if c.Revision >= horizon {
				kept = append(kept, c)
			} else {
				n++
			}
		}
		sc.changes = kept
	}
	return n, nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// String describes the store, for test logs.
func (s *Store) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.stores))
	for id := range s.stores {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return "memstore[" + strings.Join(ids, ",") + "]"
}
