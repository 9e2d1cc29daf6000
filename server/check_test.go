package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store"
	"gatehouse.dev/gatehouse/token"
)

// check is a check body for a user.
func check(user, action, resource string) map[string]any {
	return map[string]any{"principal": map[string]any{"type": "user", "id": user}, "action": action,
		"resource": map[string]any{"name": resource}}
}

// loopback sets up LoopBack's thread: orders:* allowed to admin, user 1
// mapped to admin; everyone else denied by default.
func loopback(t *testing.T, ts *testServer) (mappingID string) {
	t.Helper()
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/orders-admin", map[string]any{"document": policyDoc("Allow", "orders:*", "orders:*")})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/admin", map[string]any{"policies": []string{"orders-admin"}})
	m := ts.must(http.StatusCreated, "POST", "/v1/stores/default/role-mappings", map[string]any{"principal_type": "USER", "principal_id": "1", "role": "admin"})
	return m["id"].(string)
}

func TestCheckLoopBack(t *testing.T) {
	ts := newTestServer(t)
	loopback(t, ts)
	rev := ts.srv.loadedState("default").snapshot().Revision()
	tests := []struct {
		user, action, resource string
		decision, reason       string
	}{
		{"1", "orders:Read", "orders:acme/17", "allow", "allowed"},
		{"1", "ORDERS:read", "orders:acme/17", "allow", "allowed"}, // actions match case-insensitively (IAM)
		{"2", "orders:Read", "orders:acme/17", "deny", "implicit_deny"},
		{"1", "invoices:Read", "invoices:1", "deny", "implicit_deny"},
	}
	for _, tt := range tests {
		got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", check(tt.user, tt.action, tt.resource))
		if got["decision"] != tt.decision || got["reason"] != tt.reason || revisionOf(t, got) != rev {
			t.Errorf("check %s %s %s = %v, want %s %s at %d", tt.user, tt.action, tt.resource, got, tt.decision, tt.reason, rev)
		}
		if id, _ := got["decision_id"].(string); len(id) != 26 {
			t.Errorf("decision_id %q is not a ULID", id)
		}
		if _, ok := got["fields"]; ok {
			t.Errorf("fields answered though none were asked: %v", got)
		}
	}

	x := ts.must(http.StatusOK, "POST", "/v1/stores/default/explain", check("1", "orders:Read", "orders:acme/17"))
	if x["decision"] != "allow" || x["trace"] == nil || x["decision_id"] == nil {
		t.Errorf("explain: %v", x)
	}
	var via string
	for _, r := range x["roles"].([]any) {
		if r.(map[string]any)["role"] == "admin" {
			via = r.(map[string]any)["via"].(string)
		}
	}
	if !strings.Contains(via, "role mapping") {
		t.Errorf("explain does not say which mapping gave admin: %q (roles %v)", via, x["roles"])
	}
}

// API.md §5: a field check is the same action on "<resource>#<field>".
func TestCheckFields(t *testing.T) {
	ts := newTestServer(t)
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/email", map[string]any{"document": policyDoc("Allow", "graphql:Read", "graphql:User/*#email")})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/users/1", map[string]any{"policies": []string{"email"}})
	c := check("1", "graphql:Read", "graphql:User/42")
	c["fields"] = []string{"email", "firstName"}
	got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", c)
	f, _ := got["fields"].(map[string]any)
	if got["decision"] != "deny" || f["email"] != "allow" || f["firstName"] != "deny" {
		t.Errorf("fields: %v", got)
	}
}

func TestCheckSubjects(t *testing.T) {
	ts := newTestServer(t)
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/p", map[string]any{"document": policyDoc("Allow", "orders:*", "*")})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/admin", map[string]any{"policies": []string{"p"}})
	key := ts.createKey("checker", policyDoc("Allow", "gatehouse:Check", "gatehouse:store/default"))
	asserted := map[string]any{"principal": map[string]any{"type": "user", "id": "9", "roles": []string{"admin"}},
		"action": "orders:Read", "resource": map[string]any{"name": "orders:1"}}

	// Asserted roles need gatehouse:AssertRoles (API.md §2).
	wantProblem(t, "asserted roles without AssertRoles", ts.doKey(key, "POST", "/v1/stores/default/check", asserted), http.StatusForbidden, codeForbidden)
	if got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", asserted); got["decision"] != "allow" {
		t.Errorf("admin key asserting admin: %v", got)
	}

	bad := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"neither principal nor token", `{"action": "a:B", "resource": {"name": "r"}}`, 400, codeBadRequest},
		{"both", `{"principal": {"type": "user", "id": "1"}, "token": "a.b.c", "action": "a:B", "resource": {"name": "r"}}`, 400, codeBadRequest},
		{"token: an issuer the store does not trust", `{"token": "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL25vYm9keS5leGFtcGxlIiwic3ViIjoiMSJ9.c2ln", "action": "a:B", "resource": {"name": "r"}}`, 422, codeUnknownIssuer},
		{"token: not a JWT", `{"token": "garbage", "action": "a:B", "resource": {"name": "r"}}`, 422, codeMalformedToken},
		{"token: too large", `{"token": "` + strings.Repeat("a", token.DefaultMaxTokenBytes) + `.b.c", "action": "a:B", "resource": {"name": "r"}}`, 422, codeTokenTooLarge},
		{"principal type", `{"principal": {"type": "robot", "id": "1"}, "action": "a:B", "resource": {"name": "r"}}`, 400, codeBadRequest},
		{"principal id", `{"principal": {"type": "user"}, "action": "a:B", "resource": {"name": "r"}}`, 400, codeBadRequest},
		{"no action", `{"principal": {"type": "user", "id": "1"}, "resource": {"name": "r"}}`, 400, codeBadRequest},
		{"no resource", `{"principal": {"type": "user", "id": "1"}, "action": "a:B"}`, 400, codeBadRequest},
		{"reserved principal:", `{"principal": {"type": "user", "id": "1"}, "action": "a:B", "resource": {"name": "r"}, "context": {"principal:id": "2"}}`, 400, codeBadRequest},
		{"reserved jwt:", `{"principal": {"type": "user", "id": "1"}, "action": "a:B", "resource": {"name": "r"}, "context": {"JWT:sub": "2"}}`, 400, codeBadRequest},
		{"reserved resource:", `{"principal": {"type": "user", "id": "1"}, "action": "a:B", "resource": {"name": "r"}, "context": {"resource:owner": "2"}}`, 400, codeBadRequest},
		{"request:time", `{"principal": {"type": "user", "id": "1"}, "action": "a:B", "resource": {"name": "r"}, "context": {"request:time": "2020-01-01T00:00:00Z"}}`, 400, codeBadRequest},
		{"bad ip", `{"principal": {"type": "user", "id": "1"}, "action": "a:B", "resource": {"name": "r"}, "request": {"ip": "nope"}}`, 400, codeBadRequest},
		{"object attribute", `{"principal": {"type": "user", "id": "1", "attributes": {"a": {"b": 1}}}, "action": "a:B", "resource": {"name": "r"}}`, 400, codeBadRequest},
		{"null context value", `{"principal": {"type": "user", "id": "1"}, "action": "a:B", "resource": {"name": "r"}, "context": {"k": null}}`, 400, codeBadRequest},
		{"negative at_least_revision", `{"principal": {"type": "user", "id": "1"}, "action": "a:B", "resource": {"name": "r"}, "at_least_revision": -1}`, 400, codeBadRequest},
		{"duplicate key", `{"principal": {"type": "user", "id": "1", "id": "2"}, "action": "a:B", "resource": {"name": "r"}}`, 400, codeDuplicateKey},
	}
	for _, tt := range bad {
		wantProblem(t, tt.name, ts.do("POST", "/v1/stores/default/check", tt.body), tt.status, tt.code)
	}

	// Anonymous subjects hold $unauthenticated.
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/public", map[string]any{"document": policyDoc("Allow", "site:View", "*")})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/$unauthenticated", map[string]any{"policies": []string{"public"}})
	got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", `{"principal": {"type": "anonymous"}, "action": "site:View", "resource": {"name": "home"}}`)
	if got["decision"] != "allow" {
		t.Errorf("anonymous $unauthenticated: %v", got)
	}

	// Context and the request's address reach conditions.
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/office", map[string]any{"document": map[string]any{
		"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": "office:Enter", "Resource": "*",
			"Condition": map[string]any{"IpAddress": map[string]any{"request:ip": "10.0.0.0/8"}, "StringEquals": map[string]any{"office:floor": "3"}}}}}})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/users/7", map[string]any{"policies": []string{"office"}})
	for _, tt := range []struct {
		ip, floor, want string
	}{{"10.1.2.3", "3", "allow"}, {"192.168.0.1", "3", "deny"}, {"10.1.2.3", "4", "deny"}} {
		body := fmt.Sprintf(`{"principal": {"type": "user", "id": "7"}, "action": "office:Enter", "resource": {"name": "door"}, "request": {"ip": %q}, "context": {"office:floor": %s}}`, tt.ip, tt.floor)
		if got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", body); got["decision"] != tt.want {
			t.Errorf("ip %s floor %s: %v, want %s", tt.ip, tt.floor, got["decision"], tt.want)
		}
	}
}

// API.md §6: a check with at_least_revision above what the server has
// waits for it, then answers 409 revision_not_ready.
func TestAtLeastRevision(t *testing.T) {
	// The server-side wait is made far longer than any test: if the
	// request's own deadline did not cut it short, the test would hang
	// (and fail at the go test timeout) instead of asserting a duration.
	ts := newTestServer(t, func(c *Config) { c.RevisionWait = time.Hour })
	loopback(t, ts)
	st := ts.srv.loadedState("default")
	rev := st.snapshot().Revision()

	c := check("2", "orders:Read", "orders:1")
	c["at_least_revision"] = rev
	if got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", c); revisionOf(t, got) != rev {
		t.Errorf("at the current revision: %v", got)
	}
	// The request's own deadline shortens the wait.
	c["at_least_revision"] = rev + 5
	body, _ := json.Marshal(c)
	ctx, cancel := context.WithTimeout(t.Context(), 150*time.Millisecond)
	defer cancel()
	req := newRequest("POST", "/v1/stores/default/check", string(body)).WithContext(ctx)
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	wantProblem(t, "a revision never reached", ts.serve(req), http.StatusConflict, codeRevisionNotReady)

	// Another replica writes to the shared store: the check waits for the
	// notification and sees the write.
	c["at_least_revision"] = rev + 1
	done := make(chan *response)
	go func() { done <- ts.do("POST", "/v1/stores/default/check", c) }()
	time.Sleep(20 * time.Millisecond)
	body, _ = json.Marshal(map[string]any{"principal_type": "USER", "principal_id": "2", "role": "admin"})
	if _, err := ts.store.Commit(t.Context(), "default", rev, []store.Change{{Kind: "role_mapping", ID: "replica-1", Body: body}}); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.status != http.StatusOK {
		t.Fatalf("check waiting for a replica's write: %d %s", r.status, r.body)
	}
	if got := r.json(t); got["decision"] != "allow" || revisionOf(t, got) != rev+1 {
		t.Errorf("after the replica's write: %v", got)
	}
}

func TestBatch(t *testing.T) {
	ts := newTestServer(t)
	loopback(t, ts)
	body := `{"checks": [
		{"principal": {"type": "user", "id": "1"}, "action": "orders:Read", "resource": {"name": "orders:1"}},
		{"principal": {"type": "user", "id": "1"}, "action": "orders:Read", "resource": {"name": "orders:1"}, "bogus": true},
		{"principal": {"type": "user", "id": "2"}, "action": "orders:Read", "resource": {"name": "orders:1"}},
		{"principal": {"type": "user", "id": "2"}, "action": "orders:Read"},
		{"token": "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL25vYm9keS5leGFtcGxlIiwic3ViIjoiMSJ9.c2ln", "action": "orders:Read", "resource": {"name": "orders:1"}}
	]}`
	got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check/batch", body)
	results := got["results"].([]any)
	if len(results) != 5 {
		t.Fatalf("results: %v", got)
	}
	want := []struct{ decision, code string }{{"allow", ""}, {"", codeUnknownField}, {"deny", ""}, {"", codeBadRequest}, {"", codeUnknownIssuer}}
	ids := map[string]bool{}
	for i, w := range want {
		r := results[i].(map[string]any)
		if w.code != "" {
			p, _ := r["error"].(map[string]any)
			if p == nil || p["code"] != w.code || !strings.HasPrefix(p["detail"].(string), fmt.Sprintf("checks[%d]", i)) {
				t.Errorf("result %d: %v, want error %s", i, r, w.code)
			}
			if r["decision"] != nil {
				t.Errorf("result %d has both a decision and an error: %v", i, r)
			}
			continue
		}
		if r["decision"] != w.decision || r["error"] != nil {
			t.Errorf("result %d: %v, want %s", i, r, w.decision)
		}
		ids[r["decision_id"].(string)] = true
	}
	if len(ids) != 2 {
		t.Errorf("batch items share decision ids: %v", ids)
	}

	many := make([]any, maxBatch+1)
	for i := range many {
		many[i] = check("1", "orders:Read", "orders:1")
	}
	wantProblem(t, "too many checks", ts.do("POST", "/v1/stores/default/check/batch", map[string]any{"checks": many}), http.StatusBadRequest, codeBadRequest)
	wantProblem(t, "no checks", ts.do("POST", "/v1/stores/default/check/batch", `{}`), http.StatusBadRequest, codeBadRequest)
	if got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check/batch", `{"checks": []}`); len(got["results"].([]any)) != 0 {
		t.Errorf("empty batch: %v", got)
	}
	// The largest at_least_revision of any item holds for the whole batch.
	rev := ts.srv.loadedState("default").snapshot().Revision()
	late := check("1", "orders:Read", "orders:1")
	late["at_least_revision"] = rev + 10
	wantProblem(t, "one item ahead", ts.do("POST", "/v1/stores/default/check/batch", map[string]any{"checks": []any{check("1", "orders:Read", "orders:1"), late}}), http.StatusConflict, codeRevisionNotReady)
}
