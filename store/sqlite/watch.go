package sqlite

import (
	"context"
	"errors"
	"sort"
	"sync"

	"gatehouse.dev/gatehouse/store"
)

// hub fans commit notifications out to the Watch subscribers of this
// process. Publishing never blocks a commit: each subscriber keeps the
// latest revision per store it has not delivered yet, and its own goroutine
// delivers them as fast as the receiver reads. A slow receiver therefore
// skips intermediate revisions but always ends up told the latest one.
type hub struct {
	mu     sync.Mutex
	subs   map[*subscriber]struct{}
	closed bool
	done   chan struct{} // closed by close: every subscriber stops
	wg     sync.WaitGroup
}

type subscriber struct {
	mu      sync.Mutex
	pending map[string]int64 // store → latest revision not yet delivered
	wake    chan struct{}    // one slot: "pending changed"
}

func newHub() *hub {
	return &hub{subs: map[*subscriber]struct{}{}, done: make(chan struct{})}
}

// Watch implements store.Store: a Notification after every commit of this
// process (SQLite has no other writers: the data directory is locked),
// until ctx ends or the Store closes; then the channel is closed.
func (s *Store) Watch(ctx context.Context) (<-chan store.Notification, error) {
	return s.hub.subscribe(ctx)
}

func (h *hub) subscribe(ctx context.Context) (<-chan store.Notification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sub := &subscriber{pending: map[string]int64{}, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, errors.New("sqlite: store is closed")
	}
	h.subs[sub] = struct{}{}
	h.wg.Add(1)
	h.mu.Unlock()

	out := make(chan store.Notification)
	go h.deliver(ctx, sub, out)
	return out, nil
}

// deliver runs per subscriber until ctx ends or the hub closes.
func (h *hub) deliver(ctx context.Context, sub *subscriber, out chan<- store.Notification) {
	defer h.wg.Done()
	defer close(out)
	defer func() {
		h.mu.Lock()
		delete(h.subs, sub)
		h.mu.Unlock()
	}()
	for {
		select {
		case <-sub.wake:
		case <-ctx.Done():
			return
		case <-h.done:
			return
		}
		for _, n := range sub.take() {
			select {
			case out <- n:
			case <-ctx.Done():
				return
			case <-h.done:
				return
			}
		}
	}
}

// take empties the subscriber's pending notifications, by store id.
func (sub *subscriber) take() []store.Notification {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	ns := make([]store.Notification, 0, len(sub.pending))
	for id, rev := range sub.pending {
		ns = append(ns, store.Notification{Store: id, Revision: rev})
	}
	clear(sub.pending)
	sort.Slice(ns, func(i, j int) bool { return ns[i].Store < ns[j].Store })
	return ns
}

// publish tells every subscriber that a store reached a revision.
func (h *hub) publish(n store.Notification) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		sub.mu.Lock()
		if n.Revision > sub.pending[n.Store] {
			sub.pending[n.Store] = n.Revision
		}
		sub.mu.Unlock()
		select {
		case sub.wake <- struct{}{}:
		default:
		}
	}
}

// close stops every subscriber and waits until their channels are closed.
func (h *hub) close() {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
	h.mu.Unlock()
	h.wg.Wait()
}
