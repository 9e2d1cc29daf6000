package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"gatehouse.dev/gatehouse/store/sqlite"
)

func TestDecisionGroupIDs(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for range 100 {
		g := newDecisionGroup(at)
		if g.Time() != ulid.Timestamp(at) {
			t.Fatalf("group %s has time %d, want %d", g, g.Time(), ulid.Timestamp(at))
		}
		for _, i := range []int{0, 1, 255, 256, 999, groupSize - 1} {
			id := memberOf(g, i).String()
			if seen[id] {
				t.Fatalf("id %s handed out twice", id)
			}
			seen[id] = true
			group, index, ok := splitDecisionID(id)
			if !ok || group != g.String() || index != i {
				t.Errorf("splitDecisionID(%s) = %s, %d, %v; want %s, %d", id, group, index, ok, g, i)
			}
		}
	}
	for _, bad := range []string{"", "x", "01J0000000000000000000000", "01J0000000000000000000000!", "81J00000000000000000000000"} {
		if _, _, ok := splitDecisionID(bad); ok {
			t.Errorf("splitDecisionID(%q) accepted", bad)
		}
	}
}

// A batch is one log entry, yet each decided item is found under its own
// decision_id, alone, in the API and in the JSON-lines stream; a refused
// item has no id, and the ids of the group that no item took are unknown.
func TestBatchLoggedAsOneEntry(t *testing.T) {
	for _, sq := range []bool{false, true} {
		name := "memstore"
		if sq {
			name = "sqlite"
		}
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, func(c *Config) {
				if sq {
					db, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.Options{})
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { db.Close() })
					c.Store = db
				}
			})
			loopback(t, ts)
			bad := check("3", "orders:Read", "orders:1")
			bad["principal"] = map[string]any{"type": "robot", "id": "3"}
			got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check/batch", map[string]any{"checks": []any{
				check("1", "orders:Read", "orders:acme/1"), bad, check("2", "orders:Write", "orders:acme/2")}})
			results := got["results"].([]any)
			if _, ok := results[1].(map[string]any)["decision_id"]; ok {
				t.Errorf("a refused item got a decision id: %v", results[1])
			}
			want := map[string][2]string{} // id → principal, action
			for i, who := range map[int][2]string{0: {"1", "orders:Read"}, 2: {"2", "orders:Write"}} {
				want[results[i].(map[string]any)["decision_id"].(string)] = who
			}
			var group string
			for id, who := range want {
				e := ts.must(http.StatusOK, "GET", "/v1/stores/default/decisions/"+id, nil)
				rec := e["record"].(map[string]any)
				if e["id"] != id || rec["subject"].(map[string]any)["id"] != who[0] || rec["action"] != who[1] || rec["endpoint"] != "batch" {
					t.Errorf("decision %s: %v", id, e)
				}
				replay := ts.must(http.StatusOK, "POST", "/v1/stores/default/decisions/"+id+"/explain", nil)
				if replay["matches"] != true {
					t.Errorf("replay of %s: %v", id, replay)
				}
				g, _, _ := splitDecisionID(id)
				if group != "" && g != group {
					t.Errorf("items of one batch in groups %s and %s", group, g)
				}
				group = g
			}
			gid, _ := ulid.ParseStrict(group)
			for _, i := range []int{1, 3, groupSize - 1} {
				wantProblem(t, "member no item took", ts.do("GET", "/v1/stores/default/decisions/"+memberOf(gid, i).String(), nil), http.StatusNotFound, codeNotFound)
			}
			wantProblem(t, "not a ULID", ts.do("GET", "/v1/stores/default/decisions/nope", nil), http.StatusNotFound, codeNotFound)
			// Through another store's path: nothing.
			ts.must(http.StatusCreated, "POST", "/v1/stores", map[string]any{"id": "other"})
			for id := range want {
				wantProblem(t, "another store", ts.do("GET", "/v1/stores/other/decisions/"+id, nil), http.StatusNotFound, codeNotFound)
			}

			ts.srv.dlog.flush(t.Context())
			streamed := map[string]bool{}
			for _, l := range strings.Split(strings.TrimSpace(ts.dlog.String()), "\n") {
				var line struct {
					ID     string `json:"id"`
					Record struct {
						Action string `json:"action"`
					} `json:"record"`
				}
				if err := json.Unmarshal([]byte(l), &line); err != nil {
					t.Fatalf("stream line %s: %v", l, err)
				}
				if who, ok := want[line.ID]; ok && line.Record.Action == who[1] {
					streamed[line.ID] = true
				}
			}
			if len(streamed) != len(want) {
				t.Errorf("stream has %d of the batch's %d decisions, each on its own line", len(streamed), len(want))
			}
		})
	}
}

// Single checks share log entries (a group per store, sealed when full or
// written), yet each is found under its own id with its own revision and
// time, replays at its revision, and streams as a line of its own; a full
// group of groupSize checks is sealed and the next check starts another.
func TestSingleChecksShareEntries(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	db, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ts := newTestServer(t, func(c *Config) { c.Store = db; c.Now = clock.now })
	loopback(t, ts)
	type logged struct {
		id   string
		rev  int64
		at   time.Time
		want string
	}
	var checks []logged
	for i := range 3 {
		clock.set(clock.now().Add(time.Second))
		got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", check("1", "orders:Read", "orders:acme/1"))
		checks = append(checks, logged{got["decision_id"].(string), revisionOf(t, got), clock.now(), "allow"})
		if i == 1 {
			// A write between checks: the next one is at another
			// revision (and, the mapping gone, denied).
			m := ts.must(http.StatusOK, "GET", "/v1/stores/default/role-mappings", nil)["items"].([]any)[0].(map[string]any)
			ts.must(http.StatusOK, "DELETE", "/v1/stores/default/role-mappings/"+m["id"].(string), nil)
		}
	}
	checks[2].want = "deny"
	if checks[0].rev == checks[2].rev {
		t.Fatalf("the checks should be at different revisions: %v", checks)
	}
	groups := map[string]bool{}
	for _, c := range checks {
		g, _, _ := splitDecisionID(c.id)
		groups[g] = true
		e := ts.must(http.StatusOK, "GET", "/v1/stores/default/decisions/"+c.id, nil)
		rec := e["record"].(map[string]any)
		at, _ := time.Parse(time.RFC3339Nano, e["at"].(string))
		if e["id"] != c.id || revisionOf(t, e) != c.rev || !at.Equal(c.at) || rec["decision"] != c.want || rec["endpoint"] != "check" {
			t.Errorf("decision %s: %v, want revision %d at %s, %s", c.id, e, c.rev, c.at, c.want)
		}
		replay := ts.must(http.StatusOK, "POST", "/v1/stores/default/decisions/"+c.id+"/explain", nil)
		if replay["matches"] != true {
			t.Errorf("replay of %s: %v", c.id, replay)
		}
	}
	t.Logf("3 checks in %d groups", len(groups))

	// groupSize checks in a row fill a group and seal it; the next check
	// starts another, and every one is found.
	var ids []string
	for range groupSize + 1 {
		got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", check("2", "orders:Read", "orders:acme/2"))
		ids = append(ids, got["decision_id"].(string))
	}
	seen := map[string]int{}
	for _, id := range ids {
		g, _, _ := splitDecisionID(id)
		seen[g]++
	}
	for g, n := range seen {
		if n > groupSize {
			t.Errorf("group %s holds %d checks, more than %d", g, n, groupSize)
		}
	}
	if len(seen) < 2 {
		t.Errorf("%d checks in %d group(s)", len(ids), len(seen))
	}
	for _, id := range []string{ids[0], ids[groupSize-1], ids[groupSize]} {
		ts.must(http.StatusOK, "GET", "/v1/stores/default/decisions/"+id, nil)
	}
	ts.srv.dlog.flush(t.Context())
	if lines := strings.Count(ts.dlog.String(), "\n"); lines < len(ids)+len(checks) {
		t.Errorf("the stream has %d lines for %d checks", lines, len(ids)+len(checks))
	}
}

// Concurrent checks get distinct ids, each found afterwards.
func TestConcurrentChecksShareEntries(t *testing.T) {
	ts := newTestServer(t)
	loopback(t, ts)
	ts.must(http.StatusCreated, "POST", "/v1/stores", map[string]any{"id": "other"})
	const workers, each = 8, 150
	ids := make(chan string, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			store := "default"
			if w%2 == 1 {
				store = "other"
			}
			for range each {
				r := ts.do("POST", "/v1/stores/"+store+"/check", check("1", "orders:Read", "orders:acme/1"))
				if r.status != http.StatusOK {
					t.Errorf("check: %d %s", r.status, r.body)
					return
				}
				var got struct {
					ID string `json:"decision_id"`
				}
				_ = json.Unmarshal(r.body, &got)
				ids <- store + "/" + got.ID
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("id %s handed out twice", id)
		}
		seen[id] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d ids for %d checks", len(seen), workers*each)
	}
	n := 0
	for id := range seen {
		store, did, _ := strings.Cut(id, "/")
		ts.must(http.StatusOK, "GET", "/v1/stores/"+store+"/decisions/"+did, nil)
		if n++; n == 100 {
			break
		}
	}
}
