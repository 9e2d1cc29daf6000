package itest

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/client"
)

// storeState is everything a store holds, as the API lists it.
func storeState(t *testing.T, c *client.Client, store string) map[string][]map[string]any {
	t.Helper()
	out := map[string][]map[string]any{}
	for _, col := range collections {
		var page struct {
			Items []map[string]any `json:"items"`
		}
		must(c.Raw(t.Context(), http.MethodGet, "/v1/stores/"+store+"/"+col.name+"?limit=1000", nil, &page))(t)
		out[col.name] = page.Items
	}
	return out
}

// TestBadInputChangesNothing sends every kind of bad input: each gets a
// 4xx problem whose detail (or findings) says what is wrong, and the store,
// its revision, the other stores and the keys stay as they were.
func TestBadInputChangesNothing(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	c := e.admin
	s := c.Store("default")
	must(s.PutPolicy(ctx, "read", client.Policy{Document: doc("Allow", "docs:Read", "*")}))(t)
	must(s.PutRole(ctx, "reader", client.Role{Policies: []string{"read"}}))(t)
	must(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "USER", PrincipalID: "1", Role: "reader"}))(t)
	must(s.PutUser(ctx, "1", client.User{Attributes: map[string]any{"dept": "7"}}))(t)
	must(c.CreateKey(ctx, "k", keyPolicy([]string{"gatehouse:Check"}, "gatehouse:store/default")))(t)

	rev := revision(t, s)
	before := storeState(t, c, "default")
	stores := must(client.All(ctx, c.ListStores))(t)
	keys := must(client.All(ctx, c.ListKeys))(t)

	const goodDoc = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "docs:Read", "Resource": "*"}]}`
	const check = `"action": "docs:Read", "resource": {"name": "docs:a"}`
	const p1 = `"principal": {"type": "user", "id": "1"}`
	big := `{"document": {"Version": "2012-10-17", "Statement": [{"Sid": "` + strings.Repeat("x", 2<<20) + `", "Effect": "Allow", "Action": "*", "Resource": "*"}]}}`
	manyChecks := `{"checks": [` + strings.Repeat(`{`+p1+`, `+check+`},`, 1000) + `{` + p1 + `, ` + check + `}]}`

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
		// says is what the detail or findings must mention.
		says string
		// findings: the problem must carry positioned findings.
		findings bool
	}{
		// Malformed JSON.
		{"truncated JSON", "PUT", "/v1/stores/default/policies/p", `{"document": `, 400, "malformed", "", false},
		{"truncated check", "POST", "/v1/stores/default/check", `{` + p1 + `, "action": `, 400, "malformed_json", "malformed JSON", false},
		{"two JSON values", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `} {}`, 400, "malformed_json", "more than one", false},
		{"empty body", "POST", "/v1/stores/default/check", ` `, 400, "malformed_json", "empty", false},
		{"not an object", "POST", "/v1/stores/default/check", `[1, 2]`, 400, "bad_request", "JSON object", false},
		{"a duplicate key", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `, "action": "docs:Write"}`, 400, "duplicate_key", `"action"`, false},
		{"a duplicate key in an object", "PUT", "/v1/stores/default/users/2", `{"groups": [], "groups": ["g"]}`, 400, "malformed", "groups", true},
		{"an array as an object body", "PUT", "/v1/stores/default/roles/r", `["read"]`, 400, "malformed", "JSON object", true},
		// Unknown fields.
		{"unknown field in a check", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `, "actor": "x"}`, 400, "unknown_field", "actor", false},
		{"unknown field in a principal", "POST", "/v1/stores/default/check", `{"principal": {"type": "user", "id": "1", "group": "x"}, ` + check + `}`, 400, "unknown_field", "group", false},
		{"unknown field in a role", "PUT", "/v1/stores/default/roles/r", `{"policy": ["read"]}`, 400, "malformed", `unknown field "policy"`, true},
		{"unknown field in a store", "POST", "/v1/stores", `{"id": "x", "name": "y"}`, 400, "unknown_field", "name", false},
		{"unknown field in a key", "POST", "/v1/keys", `{"name": "x", "policy": ` + goodDoc + `, "secret": "s"}`, 400, "unknown_field", "secret", false},
		// Wrong types.
		{"action as a number", "POST", "/v1/stores/default/check", `{` + p1 + `, "action": 5, "resource": {"name": "docs:a"}}`, 400, "", "action", false},
		{"policies as a string", "PUT", "/v1/stores/default/roles/r", `{"policies": "read"}`, 400, "malformed", "list of strings", true},
		{"attributes as a list", "PUT", "/v1/stores/default/users/2", `{"attributes": ["a"]}`, 400, "malformed", "attributes", true},
		{"a document as a string", "PUT", "/v1/stores/default/policies/p", `{"document": "Allow everything"}`, 400, "malformed", "document", true},
		{"a null context value", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `, "context": {"aws:SourceIp": null}}`, 400, "bad_request", "aws:SourceIp", false},
		{"an object as a context value", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `, "context": {"k": {"a": 1}}}`, 400, "bad_request", "context.k", false},
		{"a negative at_least_revision", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `, "at_least_revision": -1}`, 400, "bad_request", "at_least_revision", false},
		{"a principal of no known type", "POST", "/v1/stores/default/check", `{"principal": {"type": "robot", "id": "1"}, ` + check + `}`, 400, "bad_request", "robot", false},
		{"a user without an id", "POST", "/v1/stores/default/check", `{"principal": {"type": "user"}, ` + check + `}`, 400, "bad_request", "principal.id", false},
		{"no action", "POST", "/v1/stores/default/check", `{` + p1 + `, "resource": {"name": "docs:a"}}`, 400, "bad_request", "action is required", false},
		{"no resource", "POST", "/v1/stores/default/check", `{` + p1 + `, "action": "docs:Read"}`, 400, "bad_request", "resource.name", false},
		{"not an IP address", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `, "request": {"ip": "10.0.0.300"}}`, 400, "bad_request", "10.0.0.300", false},
		{"a text body", "POST", "/v1/stores/default/check", `action=docs:Read`, 400, "malformed_json", "", false},
		// Oversized bodies.
		{"a body over 1 MiB", "PUT", "/v1/stores/default/policies/p", big, 413, "body_too_large", "1048576", false},
		{"a batch of 1,001 checks", "POST", "/v1/stores/default/check/batch", manyChecks, 400, "bad_request", "at most 1000", false},
		// Bad ids.
		{"a policy id with a space", "PUT", "/v1/stores/default/policies/read%20all", `{"document": ` + goodDoc + `}`, 422, "invalid", "read all", true},
		{"a role named with $", "PUT", "/v1/stores/default/roles/$admin", `{}`, 422, "invalid", "drop the $", true},
		{"a body id that is not the URL's", "PUT", "/v1/stores/default/policies/p", `{"id": "q", "document": ` + goodDoc + `}`, 422, "invalid", `"q"`, true},
		{"a store id in upper case", "POST", "/v1/stores", `{"id": "Museum"}`, 400, "bad_request", "lower-case", false},
		{"an unknown store", "PUT", "/v1/stores/nope/policies/p", `{"document": ` + goodDoc + `}`, 404, "not_found", "nope", false},
		{"principal_type in lower case", "POST", "/v1/stores/default/role-mappings", `{"principal_type": "user", "principal_id": "2", "role": "reader"}`, 422, "invalid", "must be written USER", true},
		{"a mapping to a dynamic role", "POST", "/v1/stores/default/role-mappings", `{"principal_type": "USER", "principal_id": "2", "role": "$authenticated"}`, 422, "", "$authenticated", true},
		{"a bad list filter", "GET", "/v1/stores/default/role-mappings?principal_type=PERSON", ``, 400, "bad_request", "PERSON", false},
		{"a bad page size", "GET", "/v1/stores/default/policies?limit=0", ``, 400, "bad_request", "limit", false},
		{"a forged cursor", "GET", "/v1/stores/default/policies?cursor=%21%21", ``, 400, "bad_request", "cursor", false},
		// Bad policies, with positioned findings.
		{"an unknown condition operator", "PUT", "/v1/stores/default/policies/p", `{"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "docs:Read", "Resource": "*",
			"Condition": {"StringEqualz": {"aws:username": "a"}}}]}}`, 422, "invalid", "StringEqualz", true},
		{"an effect that is neither", "PUT", "/v1/stores/default/policies/p", `{"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "docs:Read", "Resource": "*"}]}}`, 422, "invalid", "Permit", true},
		{"a statement without an action", "PUT", "/v1/stores/default/policies/p", `{"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}}`, 422, "invalid", "Action", true},
		{"a key with a bad policy", "POST", "/v1/keys", `{"name": "x", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "gatehouse:Check", "Resource": "*"}]}}`, 422, "invalid", "Permit", true},
		{"a role naming a missing policy", "PUT", "/v1/stores/default/roles/r", `{"policies": ["nope"]}`, 422, "missing_reference", "nope", false},
		// Reserved context keys, and the subject.
		{"context sets principal:roles", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `, "context": {"principal:roles": ["admin"]}}`, 400, "bad_request", "principal:roles", false},
		{"context sets jwt:sub", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `, "context": {"JWT:sub": "1"}}`, 400, "bad_request", "JWT:sub", false},
		{"context sets resource:owner", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `, "context": {"resource:owner": "1"}}`, 400, "bad_request", "resource:owner", false},
		{"context sets request:ip", "POST", "/v1/stores/default/check", `{` + p1 + `, ` + check + `, "context": {"request:ip": "10.0.0.1"}}`, 400, "bad_request", "request:ip", false},
		{"principal and token", "POST", "/v1/stores/default/check", `{` + p1 + `, "token": "a.b.c", ` + check + `}`, 400, "bad_request", "not both", false},
		{"neither principal nor token", "POST", "/v1/stores/default/check", `{` + check + `}`, 400, "bad_request", "principal is required", false},
		{"principal and token in explain", "POST", "/v1/stores/default/explain", `{` + p1 + `, "token": "a.b.c", ` + check + `}`, 400, "bad_request", "not both", false},
		{"a token that is not a JWT", "POST", "/v1/stores/default/check", `{"token": "abc", ` + check + `}`, 422, "malformed_token", "JWT", false},
		// Methods and paths.
		{"POST where PUT is meant", "POST", "/v1/stores/default/policies/p", `{"document": ` + goodDoc + `}`, 405, "method_not_allowed", "", false},
		{"PUT of a role mapping", "PUT", "/v1/stores/default/role-mappings/1", `{"principal_type": "USER", "principal_id": "2", "role": "reader"}`, 405, "method_not_allowed", "", false},
	} {
		var body []byte
		if tc.body != "" {
			body = []byte(tc.body)
		}
		_, err := c.Raw(ctx, tc.method, tc.path, body, nil)
		var pe *client.Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want a %d problem", tc.name, err, tc.status)
			continue
		}
		if pe.Status != tc.status || (tc.code != "" && pe.Code != tc.code) {
			t.Errorf("%s: %d %s, want %d %s: %s", tc.name, pe.Status, pe.Code, tc.status, tc.code, pe.Error())
			continue
		}
		if pe.Detail == "" || pe.Title == "" {
			t.Errorf("%s: the problem says nothing: %+v", tc.name, pe)
		}
		if !strings.Contains(pe.Error(), tc.says) {
			t.Errorf("%s: the message does not mention %q: %s", tc.name, tc.says, pe.Error())
		}
		if tc.findings {
			if len(pe.Findings) == 0 {
				t.Errorf("%s: no findings: %s", tc.name, pe.Error())
			}
			for _, f := range pe.Findings {
				if f.Code == "" || f.Message == "" {
					t.Errorf("%s: a finding without code or message: %+v", tc.name, f)
				}
			}
		}
		if got := revision(t, s); got != rev {
			t.Fatalf("%s: the revision moved from %d to %d", tc.name, rev, got)
		}
	}

	// A policy error is positioned in the body as sent.
	_, err := s.PutPolicy(ctx, "p", client.Policy{Document: json.RawMessage("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Permit\", \"Action\": \"a:b\", \"Resource\": \"*\"}]\n}")})
	if pe := wantError(t, "a positioned error", err, 422, "invalid"); pe != nil {
		f := pe.Findings[0]
		if f.Line != 3 || f.Col != 28 || f.Pointer != "/document/Statement/0/Effect" {
			t.Errorf("finding not positioned at 3:28 (where the caller wrote Permit), /document/Statement/0/Effect: %+v", f)
		}
	}

	if got := storeState(t, c, "default"); !reflect.DeepEqual(got, before) {
		t.Errorf("bad input changed the store:\nbefore %v\nafter  %v", before, got)
	}
	if got := must(client.All(ctx, c.ListStores))(t); !reflect.DeepEqual(got, stores) {
		t.Errorf("bad input changed the stores: %+v", got)
	}
	if got := must(client.All(ctx, c.ListKeys))(t); !reflect.DeepEqual(got, keys) {
		t.Errorf("bad input changed the keys: %+v", got)
	}
	// The server still decides.
	if got := decide(t, s, user("1", "docs:Read", "docs:a")); got != "allow" {
		t.Errorf("after the bad input user 1 is %s", got)
	}
}
