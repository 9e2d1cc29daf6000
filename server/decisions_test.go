package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store/sqlite"
)

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// API.md §7: every decision is logged with its inputs, readable by id
// through its own store only, and replayable at its revision.
func TestDecisionLogAndReplay(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	testDecisionLogAndReplay(t, newTestServer(t, func(c *Config) { c.Now = clock.now }), clock)
}

// The same on the embedded SQLite store: replay rebuilds a past revision
// from the database's history.
func TestDecisionLogAndReplaySQLite(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	db, err := sqlite.Open(t.Context(), t.TempDir(), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	testDecisionLogAndReplay(t, newTestServer(t, func(c *Config) { c.Now = clock.now; c.Store = db }), clock)
}

func testDecisionLogAndReplay(t *testing.T, ts *testServer, clock *fakeClock) {
	ts.must(http.StatusCreated, "POST", "/v1/stores", map[string]any{"id": "other"})
	mapping := loopback(t, ts)
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/claim-rules/admins", map[string]any{"claim": "groups", "op": "contains", "value": "admins", "role": "admin"})
	// Office hours: allowed only before 13:00 on that day.
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/morning", map[string]any{"document": map[string]any{
		"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "office:Enter", "Resource": "*",
			"Condition": map[string]any{"DateLessThan": map[string]any{"request:time": "2025-03-01T13:00:00Z"}}}}}})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/users/1", map[string]any{"attributes": map[string]any{"dept": "7"}, "policies": []string{"morning"}})

	c := check("1", "orders:Read", "orders:acme/17")
	c["resource"] = map[string]any{"name": "orders:acme/17", "type": "order", "attributes": map[string]any{"owner": "1"}}
	c["context"] = map[string]any{"app:channel": "web"}
	c["fields"] = []string{"total"}
	first := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", c)
	if first["decision"] != "allow" {
		t.Fatalf("before the changes: %v", first)
	}
	office := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", check("1", "office:Enter", "door"))
	if office["decision"] != "allow" {
		t.Fatalf("office at noon: %v", office)
	}
	id := first["decision_id"].(string)
	rev := revisionOf(t, first)

	entry := ts.must(http.StatusOK, "GET", "/v1/stores/default/decisions/"+id, nil)
	if entry["id"] != id || entry["store"] != "default" || revisionOf(t, entry) != rev {
		t.Errorf("entry: %v", entry)
	}
	rec, _ := entry["record"].(map[string]any)
	for _, k := range []string{"subject", "action", "resource", "context", "fields", "time", "revision", "roles", "decision", "reason", "statements", "caller"} {
		if _, ok := rec[k]; !ok {
			t.Errorf("the record lacks %q: %v", k, rec)
		}
	}
	if rec["caller"] != "admin" || rec["endpoint"] != "check" {
		t.Errorf("record caller/endpoint: %v %v", rec["caller"], rec["endpoint"])
	}
	if raw, _ := json.Marshal(rec["roles"]); !strings.Contains(string(raw), "role mapping") {
		t.Errorf("the record's roles lack their provenance: %s", raw)
	}
	if raw, _ := json.Marshal(rec); strings.Contains(string(raw), testAdminKey) {
		t.Error("the record holds the caller's key")
	}
	wantProblem(t, "another store's path", ts.do("GET", "/v1/stores/other/decisions/"+id, nil), http.StatusNotFound, codeNotFound)
	wantProblem(t, "unknown decision", ts.do("GET", "/v1/stores/default/decisions/01J00000000000000000000000", nil), http.StatusNotFound, codeNotFound)
	wantProblem(t, "replay through another store", ts.do("POST", "/v1/stores/other/decisions/"+id+"/explain", nil), http.StatusNotFound, codeNotFound)

	// Replaying before any change: same decision, nothing changed.
	same := ts.must(http.StatusOK, "POST", "/v1/stores/default/decisions/"+id+"/explain", nil)
	if same["matches"] != true || same["changed"] != false {
		t.Errorf("replay before changes: %v", same)
	}

	// Change a policy, a role mapping and a claim rule.
	ts.must(http.StatusOK, "PUT", "/v1/stores/default/policies/orders-admin", map[string]any{"document": policyDoc("Allow", "invoices:*", "*")})
	ts.must(http.StatusOK, "DELETE", "/v1/stores/default/role-mappings/"+mapping, nil)
	ts.must(http.StatusOK, "PUT", "/v1/stores/default/claim-rules/admins", map[string]any{"claim": "groups", "op": "contains", "value": "root", "role": "admin"})
	clock.set(clock.now().Add(3 * time.Hour))

	replay := ts.must(http.StatusOK, "POST", "/v1/stores/default/decisions/"+id+"/explain", nil)
	if replay["matches"] != true || replay["changed"] != true {
		t.Errorf("replay after changes: matches %v changed %v", replay["matches"], replay["changed"])
	}
	if r := replay["replay"].(map[string]any); r["decision"] != "allow" || revisionOf(t, r) != rev || r["trace"] == nil {
		t.Errorf("replayed: %v", r)
	}
	if cur := replay["current"].(map[string]any); cur["decision"] != "deny" || revisionOf(t, cur) != rev+3 {
		t.Errorf("current: %v", cur)
	}
	diffs, _ := json.Marshal(replay["differences"])
	if !strings.Contains(string(diffs), "role admin: held then, not now") || !strings.Contains(string(diffs), "decision") {
		t.Errorf("differences: %s", diffs)
	}
	// The logged time is replayed, not the clock's: the office check
	// stays allowed though it is now past 13:00.
	officeReplay := ts.must(http.StatusOK, "POST", "/v1/stores/default/decisions/"+office["decision_id"].(string)+"/explain", nil)
	if officeReplay["matches"] != true || officeReplay["changed"] != false {
		t.Errorf("office replay: %v", officeReplay)
	}
	if now := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", check("1", "office:Enter", "door")); now["decision"] != "deny" {
		t.Errorf("office at 15:00: %v", now)
	}

	// Batch items and explains are logged too, each under its own id.
	b := ts.must(http.StatusOK, "POST", "/v1/stores/default/check/batch", map[string]any{"checks": []any{check("1", "a:B", "r"), check("2", "a:B", "r")}})
	x := ts.must(http.StatusOK, "POST", "/v1/stores/default/explain", check("1", "a:B", "r"))
	ids := []string{x["decision_id"].(string)}
	for _, r := range b["results"].([]any) {
		ids = append(ids, r.(map[string]any)["decision_id"].(string))
	}
	for _, id := range ids {
		e := ts.must(http.StatusOK, "GET", "/v1/stores/default/decisions/"+id, nil)
		if ep := e["record"].(map[string]any)["endpoint"]; ep != "batch" && ep != "explain" {
			t.Errorf("decision %s logged as %v", id, ep)
		}
	}

	// The JSON-lines stream got every entry.
	ts.srv.dlog.flush(t.Context())
	lines := strings.Split(strings.TrimSpace(ts.dlog.String()), "\n")
	if len(lines) < 6 {
		t.Fatalf("decision log stream: %d lines", len(lines))
	}
	var line struct {
		ID     string          `json:"id"`
		Store  string          `json:"store"`
		Record json.RawMessage `json:"record"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil || line.ID != id || line.Store != "default" || len(line.Record) == 0 {
		t.Errorf("first stream line %s: %v", lines[0], err)
	}
}

func TestDecisionLogRetention(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	ts := newTestServer(t, func(c *Config) { c.Now = clock.now; c.Retention = time.Hour })
	got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", check("1", "a:B", "r"))
	id := got["decision_id"].(string)
	ts.must(http.StatusOK, "GET", "/v1/stores/default/decisions/"+id, nil)
	clock.set(clock.now().Add(2 * time.Hour))
	ts.srv.prune(t.Context())
	wantProblem(t, "pruned decision", ts.do("GET", "/v1/stores/default/decisions/"+id, nil), http.StatusNotFound, codeNotFound)
}
