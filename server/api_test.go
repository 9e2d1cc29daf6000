package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestHealthReadyMetrics(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		r := ts.doKey("", "GET", path, nil)
		if r.status != http.StatusOK {
			t.Errorf("GET %s without a key: %d\n%s", path, r.status, r.body)
		}
	}
	ts.must(http.StatusOK, "POST", "/v1/stores/default/check", map[string]any{
		"principal": map[string]any{"type": "user", "id": "1"}, "action": "a:B", "resource": map[string]any{"name": "r"}})
	m := ts.doKey("", "GET", "/metrics", nil)
	for _, want := range []string{
		`gatehouse_decisions_total{decision="deny",endpoint="check",reason="implicit_deny"} 1`,
		`gatehouse_store_revision{store="default"} 0`,
		"gatehouse_check_duration_seconds_bucket",
		"gatehouse_decision_log_queue_length",
		"gatehouse_http_requests_total",
	} {
		if !strings.Contains(string(m.body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	ts.srv.Close()
	wantProblem(t, "readyz after Close", ts.doKey("", "GET", "/readyz", nil), http.StatusServiceUnavailable, codeUnavailable)
}

func TestStores(t *testing.T) {
	ts := newTestServer(t)
	got := ts.must(http.StatusCreated, "POST", "/v1/stores", map[string]any{"id": "museum"})
	if got["id"] != "museum" || revisionOf(t, got) != 0 {
		t.Errorf("created store: %v", got)
	}
	wantProblem(t, "create twice", ts.do("POST", "/v1/stores", map[string]any{"id": "museum"}), http.StatusConflict, codeAlreadyExists)
	for _, bad := range []string{"", "Museum", "-x", "a_b", "_system", strings.Repeat("a", 64)} {
		wantProblem(t, "create "+bad, ts.do("POST", "/v1/stores", map[string]any{"id": bad}), http.StatusBadRequest, codeBadRequest)
	}
	wantProblem(t, "unknown field", ts.do("POST", "/v1/stores", `{"id":"x","name":"y"}`), http.StatusBadRequest, codeUnknownField)

	list := ts.must(http.StatusOK, "GET", "/v1/stores", nil)
	items := list["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["id"] != "default" || items[1].(map[string]any)["id"] != "museum" {
		t.Errorf("stores: %v", list)
	}
	page := ts.must(http.StatusOK, "GET", "/v1/stores?limit=1", nil)
	if len(page["items"].([]any)) != 1 || page["next_cursor"] == nil {
		t.Fatalf("first page: %v", page)
	}
	page = ts.must(http.StatusOK, "GET", "/v1/stores?limit=1&cursor="+page["next_cursor"].(string), nil)
	if items := page["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != "museum" || page["next_cursor"] != nil {
		t.Errorf("second page: %v", page)
	}
	wantProblem(t, "bad limit", ts.do("GET", "/v1/stores?limit=0", nil), http.StatusBadRequest, codeBadRequest)
	wantProblem(t, "bad cursor", ts.do("GET", "/v1/stores?cursor=!!", nil), http.StatusBadRequest, codeBadRequest)

	one := ts.must(http.StatusOK, "GET", "/v1/stores/museum", nil)
	if one["id"] != "museum" {
		t.Errorf("GET store: %v", one)
	}
	wantProblem(t, "unknown store", ts.do("GET", "/v1/stores/nope", nil), http.StatusNotFound, codeNotFound)
	wantProblem(t, "unknown store's policies", ts.do("GET", "/v1/stores/nope/policies", nil), http.StatusNotFound, codeNotFound)
	wantProblem(t, "system scope by path", ts.do("GET", "/v1/stores/_system/policies", nil), http.StatusNotFound, codeNotFound)
}

// objectCase is one kind's round trip through PUT, GET, list and DELETE.
type objectCase struct {
	collection, id string
	body           map[string]any
	// field is a field GET must show with the value sent.
	field string
}

func objectCases() []objectCase {
	doc := policyDoc("Allow", "orders:Read", "orders:*")
	return []objectCase{
		{"policies", "p1", map[string]any{"document": doc, "description": "read orders"}, "description"},
		{"roles", "clerk", map[string]any{"description": "clerks", "policies": []string{"p1"}}, "description"},
		{"claim-rules", "r1", map[string]any{"claim": "groups", "op": "contains", "value": "clerks", "role": "clerk"}, "claim"},
		{"users", "1", map[string]any{"attributes": map[string]any{"dept": "7"}, "groups": []string{"eng"}}, "groups"},
		{"groups", "eng", map[string]any{"description": "engineering"}, "description"},
		{"apps", "billing", map[string]any{"description": "billing service"}, "description"},
		{"resource-policies", "rp1", map[string]any{"resource": "orders:*", "document": map[string]any{
			"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow",
				"Principal": map[string]any{"User": []string{"1"}}, "Action": "orders:Read"}}}}, "resource"},
		{"boundaries", "b1", map[string]any{"principal_type": "USER", "principal_id": "1", "document": doc}, "principal_id"},
	}
}

func TestObjectRoundTrips(t *testing.T) {
	ts := newTestServer(t)
	var last int64
	for _, c := range objectCases() {
		t.Run(c.collection, func(t *testing.T) {
			path := "/v1/stores/default/" + c.collection + "/" + c.id
			created := ts.must(http.StatusCreated, "PUT", path, c.body)
			rev := revisionOf(t, created)
			if rev <= last {
				t.Errorf("revision %d after %d", rev, last)
			}
			last = rev
			replaced := ts.must(http.StatusOK, "PUT", path, c.body)
			if revisionOf(t, replaced) != rev+1 {
				t.Errorf("replace: revision %v, want %d", replaced["revision"], rev+1)
			}
			last = rev + 1
			got := ts.must(http.StatusOK, "GET", path, nil)
			if fmt.Sprint(got[c.field]) != fmt.Sprint(c.body[c.field]) && !(c.field == "groups" && fmt.Sprint(got[c.field]) == "[eng]") {
				t.Errorf("GET %s: %s = %v, want %v", path, c.field, got[c.field], c.body[c.field])
			}
			if revisionOf(t, got) != rev+1 {
				t.Errorf("GET %s: revision %v, want %d", path, got["revision"], rev+1)
			}
			list := ts.must(http.StatusOK, "GET", "/v1/stores/default/"+c.collection, nil)
			if n := len(list["items"].([]any)); n != 1 {
				t.Errorf("list %s: %d items: %v", c.collection, n, list)
			}
			wantProblem(t, "unknown field", ts.do("PUT", path, `{"nonsense": 1}`), http.StatusBadRequest, codeMalformedObject)
			wantProblem(t, "GET absent", ts.do("GET", path+"-absent", nil), http.StatusNotFound, codeNotFound)
			wantProblem(t, "DELETE absent", ts.do("DELETE", path+"-absent", nil), http.StatusNotFound, codeNotFound)
		})
	}
	// Delete in reverse order, so that nothing deleted is still referenced.
	cases := objectCases()
	for i := len(cases) - 1; i >= 0; i-- {
		c := cases[i]
		path := "/v1/stores/default/" + c.collection + "/" + c.id
		del := ts.must(http.StatusOK, "DELETE", path, nil)
		if revisionOf(t, del) != last+1 {
			t.Errorf("DELETE %s: revision %v, want %d", path, del["revision"], last+1)
		}
		last++
		wantProblem(t, "GET deleted", ts.do("GET", path, nil), http.StatusNotFound, codeNotFound)
	}
}

func TestRoleMappings(t *testing.T) {
	ts := newTestServer(t)
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/admin", map[string]any{})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/staff", map[string]any{})
	m1 := ts.must(http.StatusCreated, "POST", "/v1/stores/default/role-mappings",
		map[string]any{"principal_type": "USER", "principal_id": "1", "role": "admin"})
	m2 := ts.must(http.StatusCreated, "POST", "/v1/stores/default/role-mappings",
		`{"principalType": "USER", "principalId": "2", "role": "staff"}`)
	m3 := ts.must(http.StatusCreated, "POST", "/v1/stores/default/role-mappings",
		map[string]any{"principal_type": "ROLE", "principal_id": "admin", "role": "staff"})
	ids := []any{m1["id"], m2["id"], m3["id"]}
	if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == "" || ids[0] == nil {
		t.Fatalf("mapping ids %v", ids)
	}
	got := ts.must(http.StatusOK, "GET", "/v1/stores/default/role-mappings/"+ids[1].(string), nil)
	if got["principal_type"] != "USER" || got["principal_id"] != "2" || got["role"] != "staff" {
		t.Errorf("GET mapping (LoopBack spelling): %v", got)
	}
	for _, tt := range []struct {
		query string
		n     int
	}{
		{"", 3},
		{"?role=staff", 2},
		{"?principal_type=USER", 2},
		{"?principal_type=user&principal_id=1", 1},
		{"?principalType=ROLE", 1},
		{"?principal_id=nobody", 0},
		{"?limit=2", 2},
	} {
		list := ts.must(http.StatusOK, "GET", "/v1/stores/default/role-mappings"+tt.query, nil)
		if n := len(list["items"].([]any)); n != tt.n {
			t.Errorf("role-mappings%s: %d items, want %d: %v", tt.query, n, tt.n, list)
		}
	}
	wantProblem(t, "bad principal_type filter", ts.do("GET", "/v1/stores/default/role-mappings?principal_type=ROBOT", nil), http.StatusBadRequest, codeBadRequest)
	// A ROLE mapping staff → admin closes the cycle admin → staff → admin.
	p := wantProblem(t, "cycle through a ROLE mapping", ts.do("POST", "/v1/stores/default/role-mappings",
		map[string]any{"principal_type": "ROLE", "principal_id": "staff", "role": "admin"}), http.StatusUnprocessableEntity, codeRoleCycle)
	if p != nil && (!strings.Contains(fmt.Sprint(p["detail"]), "staff") || !strings.Contains(fmt.Sprint(p["detail"]), "the new role mapping ROLE staff → admin")) {
		t.Errorf("cycle detail does not name the roles and the refused mapping: %v", p["detail"])
	}
	// Likewise through includes.
	wantProblem(t, "cycle through includes", ts.do("PUT", "/v1/stores/default/roles/staff",
		map[string]any{"includes": []string{"admin"}}), http.StatusUnprocessableEntity, codeRoleCycle)
	wantProblem(t, "mapping to a missing role", ts.do("POST", "/v1/stores/default/role-mappings",
		map[string]any{"principal_type": "USER", "principal_id": "1", "role": "ghost"}), http.StatusUnprocessableEntity, codeMissingRef)
	wantProblem(t, "delete a role still mapped", ts.do("DELETE", "/v1/stores/default/roles/admin", nil), http.StatusConflict, codeInUse)
	ts.must(http.StatusOK, "DELETE", "/v1/stores/default/role-mappings/"+ids[0].(string), nil)
	wantProblem(t, "PUT on role-mappings", ts.do("PUT", "/v1/stores/default/role-mappings/9", map[string]any{}), http.StatusMethodNotAllowed, codeMethodNotAllowed)
}

func TestBadInput(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.MaxBodyBytes = 4096 })
	big := `{"document": {"Version": "2012-10-17", "Statement": [], "Id": "` + strings.Repeat("x", 5000) + `"}}`
	tests := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"too large", "PUT", "/v1/stores/default/policies/p", big, http.StatusRequestEntityTooLarge, codeBodyTooLarge},
		{"empty body", "PUT", "/v1/stores/default/policies/p", "", http.StatusBadRequest, codeMalformedJSON},
		{"malformed policy JSON", "PUT", "/v1/stores/default/policies/p", `{"document": {`, http.StatusBadRequest, codeMalformedObject},
		{"invalid policy", "PUT", "/v1/stores/default/policies/p", map[string]any{"document": policyDoc("Perhaps", "a:B", "*")}, http.StatusUnprocessableEntity, codeInvalid},
		{"check unknown field", "POST", "/v1/stores/default/check", `{"principal": {"type": "user", "id": "1"}, "action": "a:B", "resource": {"name": "r"}, "extra": 1}`, http.StatusBadRequest, codeUnknownField},
		{"check malformed", "POST", "/v1/stores/default/check", `{"principal": `, http.StatusBadRequest, codeMalformedJSON},
		{"check not an object", "POST", "/v1/stores/default/check", `[1]`, http.StatusBadRequest, codeBadRequest},
		{"check wrong content type", "POST", "/v1/stores/default/check", `{}`, http.StatusUnsupportedMediaType, codeUnsupportedMedia},
		{"unknown endpoint", "GET", "/v1/nothing", nil, http.StatusNotFound, codeNotFound},
		{"wrong method", "DELETE", "/v1/stores/default/check", nil, http.StatusMethodNotAllowed, codeMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r *response
			if tt.status == http.StatusUnsupportedMediaType {
				r = ts.doContentType("text/plain", tt.method, tt.path, tt.body.(string))
			} else {
				r = ts.do(tt.method, tt.path, tt.body)
			}
			p := wantProblem(t, tt.name, r, tt.status, tt.code)
			if tt.code == codeInvalid && p != nil && p["findings"] == nil {
				t.Errorf("422 without findings: %v", p)
			}
		})
	}
	// Nothing was written.
	if rev := ts.srv.loadedState("default").snapshot().Revision(); rev != 0 {
		t.Errorf("bad input moved the store to revision %d", rev)
	}
}

func (ts *testServer) doContentType(ct, method, path, body string) *response {
	ts.t.Helper()
	req := newRequest(method, path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	return ts.serve(req)
}

func TestPolicyWarningsAndTrap(t *testing.T) {
	ts := newTestServer(t)
	// The LoopBack trap: a Deny for $everyone beside an Allow for admin
	// denies admin too under deny-overrides.
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/deny-all", map[string]any{"document": policyDoc("Deny", "orders:*", "*")})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/admin-all", map[string]any{"document": policyDoc("Allow", "orders:*", "*")})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/admin", map[string]any{"policies": []string{"admin-all"}})
	got := ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/$everyone", map[string]any{"policies": []string{"deny-all"}})
	ws, _ := got["warnings"].([]any)
	found := false
	for _, w := range ws {
		if w.(map[string]any)["code"] == "directory.deny_overrides_role" {
			found = true
		}
	}
	if !found {
		t.Errorf("the LoopBack trap is not warned about: %v", got)
	}
	// Explain repeats the warning for the admin it denies.
	ts.must(http.StatusCreated, "POST", "/v1/stores/default/role-mappings", map[string]any{"principal_type": "USER", "principal_id": "1", "role": "admin"})
	x := ts.must(http.StatusOK, "POST", "/v1/stores/default/explain", check("1", "orders:Read", "orders:1"))
	if x["decision"] != "deny" || x["reason"] != "explicit_deny" || !strings.Contains(fmt.Sprint(x["warnings"]), "directory.deny_overrides_role") {
		t.Errorf("explain of the trapped admin: decision %v, reason %v, warnings %v", x["decision"], x["reason"], x["warnings"])
	}
}
