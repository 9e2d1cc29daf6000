package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store"
)

// stallingStore holds every AppendDecisions until released, as a slow or
// stuck database would.
type stallingStore struct {
	store.Store
	release chan struct{}
	once    sync.Once
	// entered receives once per write that starts waiting.
	entered chan struct{}
}

func (s *stallingStore) AppendDecisions(ctx context.Context, ds []store.Decision) error {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	select {
	case <-s.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Store.AppendDecisions(ctx, ds)
}

func (s *stallingStore) unblock() { s.once.Do(func() { close(s.release) }) }

// API.md §7: every decision is logged. When the log cannot keep up, a check
// is refused with 503 (backpressure) rather than answered with a
// decision_id that would never be found.
func TestDecisionLogBackpressure(t *testing.T) {
	var stall *stallingStore
	ts := newTestServer(t, func(c *Config) {
		stall = &stallingStore{Store: c.Store, release: make(chan struct{}), entered: make(chan struct{}, 1)}
		c.Store = stall
		c.DecisionQueue = 1
	})
	t.Cleanup(stall.unblock) // runs before the server's Close
	loopback(t, ts)

	// One decision gets the writer stuck in the store.
	ts.must(http.StatusOK, "POST", "/v1/stores/default/check", check("1", "orders:Read", "orders:1"))
	<-stall.entered

	// The next fills the queue of one; the ones after it find no room.
	body, _ := json.Marshal(check("1", "orders:Read", "orders:1"))
	refused := 0
	for range 3 {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		req := newRequest("POST", "/v1/stores/default/check", string(body)).WithContext(ctx)
		req.Header.Set("Authorization", "Bearer "+testAdminKey)
		r := ts.serve(req)
		cancel()
		switch r.status {
		case http.StatusOK:
		case http.StatusServiceUnavailable:
			refused++
			if got := r.json(t); got["code"] != codeUnavailable || got["decision_id"] != nil {
				t.Errorf("a refused check must carry the problem and no decision: %v", got)
			}
		default:
			t.Fatalf("check while the log is stuck: %d %s", r.status, r.body)
		}
	}
	if refused == 0 {
		t.Fatal("with the log stuck and a queue of 1, some check should be refused with 503")
	}

	stall.unblock()
	got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", check("1", "orders:Read", "orders:1"))
	id, _ := got["decision_id"].(string)
	ts.must(http.StatusOK, "GET", "/v1/stores/default/decisions/"+id, nil)
}
