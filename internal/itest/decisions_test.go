package itest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/client"
)

// TestDecisionLogAndReplay: every check, batch item and explain is logged
// with its inputs (never a secret) and can be read back by id through its
// own store only; after a policy, a role mapping and a claim rule change,
// replaying each decision rebuilds the store at the logged revision, gives
// the logged decision, and says what the current state decides
// differently (API.md §7).
func TestDecisionLogAndReplay(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	admin := e.admin
	s := admin.Store("default")
	must(admin.CreateStore(ctx, "other"))(t)

	must(s.PutPolicy(ctx, "read", client.Policy{Document: doc("Allow", "docs:Read", "docs:*")}))(t)
	must(s.PutPolicy(ctx, "write", client.Policy{Document: doc("Allow", "docs:Write", "docs:*")}))(t)
	must(s.PutRole(ctx, "reader", client.Role{Policies: []string{"read"}}))(t)
	must(s.PutRole(ctx, "writer", client.Role{Policies: []string{"write"}, Includes: []string{"reader"}}))(t)
	must(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "USER", PrincipalID: "1", Role: "reader"}))(t)
	m2 := must(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "USER", PrincipalID: "2", Role: "writer"}))(t)
	must(s.PutUser(ctx, "1", client.User{Attributes: map[string]any{"dept": "7"}}))(t)
	logged := revision(t, s)

	// Decisions by a key, so that the caller is logged by its id.
	key := must(admin.CreateKey(ctx, "app", keyPolicy([]string{"gatehouse:Check", "gatehouse:Explain"}, "gatehouse:store/default")))(t)
	ks := e.client(key.Secret).Store("default")
	d1 := must(ks.Check(ctx, client.CheckRequest{
		Principal: &client.Principal{Type: "user", ID: "1", Attributes: map[string]any{"level": 3}},
		Action:    "docs:Read",
		Resource:  client.Resource{Name: "docs:a", Type: "doc", Attributes: map[string]any{"owner": "1"}},
		Context:   map[string]any{"aws:SourceIp": "10.0.0.7", "app:tags": []string{"x", "y"}},
		Request:   &client.RequestInfo{IP: "192.0.2.1"},
		Fields:    []string{"title"},
	}))(t)
	batch := must(ks.CheckBatch(ctx, client.BatchRequest{Checks: []client.CheckRequest{
		user("2", "docs:Write", "docs:a"),
		user("3", "docs:Write", "docs:a"),
	}}))(t)
	d2, d3 := batch.Results[0].CheckResult, batch.Results[1].CheckResult
	x2 := must(ks.Explain(ctx, user("2", "docs:Read", "docs:a")))(t)
	if d1.Decision != "allow" || d2.Decision != "allow" || d3.Decision != "deny" || x2.Decision != "allow" {
		t.Fatalf("decisions before the changes: %s %s %s %s", d1.Decision, d2.Decision, d3.Decision, x2.Decision)
	}
	ids := []string{d1.DecisionID, d2.DecisionID, d3.DecisionID, x2.DecisionID}
	if slices.Contains(ids, "") || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 4 {
		t.Fatalf("decision ids: %v", ids)
	}

	// The round trip: everything the decision used, read back.
	dec := must(s.GetDecision(ctx, d1.DecisionID))(t)
	r := dec.Record
	switch {
	case dec.ID != d1.DecisionID || dec.Store != "default" || dec.Revision != logged || dec.At.IsZero():
		t.Errorf("decision entry: %+v", dec)
	case r.Endpoint != "check" || r.Caller != "key:"+key.ID:
		t.Errorf("endpoint %q caller %q", r.Endpoint, r.Caller)
	case r.Subject.Type != "user" || r.Subject.ID != "1" || !slices.Equal(r.Subject.Attributes["level"], []string{"3"}):
		t.Errorf("subject: %+v", r.Subject)
	case r.Action != "docs:Read" || r.Resource.Name != "docs:a" || r.Resource.Type != "doc" || !slices.Equal(r.Resource.Attributes["owner"], []string{"1"}):
		t.Errorf("action and resource: %s %+v", r.Action, r.Resource)
	case !slices.Equal(r.Context["app:tags"], []string{"x", "y"}) || r.IP != "192.0.2.1" || !slices.Equal(r.Fields, []string{"title"}):
		t.Errorf("context, ip, fields: %v %s %v", r.Context, r.IP, r.Fields)
	case r.Decision != "allow" || r.Reason != "allowed" || r.Revision != logged || r.Time.IsZero():
		t.Errorf("decision: %s %s at %d, %v", r.Decision, r.Reason, r.Revision, r.Time)
	case len(r.Statements) != 1 || r.Statements[0].Policy != "read" || r.FieldDecisions["title"] != "allow":
		t.Errorf("deciding statements %+v, fields %v", r.Statements, r.FieldDecisions)
	}
	roles := map[string]string{}
	for _, hr := range r.Roles {
		roles[hr.Role] = hr.Via
	}
	if !strings.Contains(roles["reader"], "USER 1 → reader") || roles["$owner"] == "" || roles["$everyone"] == "" {
		t.Errorf("logged roles: %v", roles)
	}
	if got := must(s.GetDecision(ctx, d2.DecisionID))(t).Record; got.Endpoint != "batch" || got.Subject.ID != "2" {
		t.Errorf("batch item entry: %+v", got)
	}
	if got := must(s.GetDecision(ctx, x2.DecisionID))(t).Record; got.Endpoint != "explain" || got.Action != "docs:Read" {
		t.Errorf("explain entry: %+v", got)
	}
	// No secret in the log, and no entry through another store's path.
	var raw map[string]any
	must(admin.Raw(ctx, http.MethodGet, "/v1/stores/default/decisions/"+d1.DecisionID, nil, &raw))(t)
	if text := jsonText(t, raw); strings.Contains(text, key.Secret[len("ghk_"+key.ID+"_"):]) || strings.Contains(text, adminKey) {
		t.Errorf("the decision log holds a secret: %s", text)
	}
	_, err := admin.Store("other").GetDecision(ctx, d1.DecisionID)
	wantError(t, "a decision through another store", err, http.StatusNotFound, "not_found")
	_, err = s.GetDecision(ctx, "01ARZ3NDEKTSV4RRFFQ69G5FAV")
	wantError(t, "an unknown decision", err, http.StatusNotFound, "not_found")

	// Before any change, a replay matches and nothing changed.
	rp := must(s.ReplayDecision(ctx, d1.DecisionID))(t)
	if !rp.Matches || rp.Changed || len(rp.Differences) != 0 || rp.Replay.Revision != logged {
		t.Errorf("replay before the changes: %+v", rp)
	}

	// A policy, a role mapping and a claim rule change.
	must(s.PutPolicy(ctx, "read", client.Policy{Document: doc("Allow", "docs:Read", "docs:public/*")}))(t)
	must(s.DeleteRoleMapping(ctx, m2.ID))(t)
	must(s.PutClaimRule(ctx, "writers", client.ClaimRule{Claim: "groups", Op: client.ClaimContains, Value: "writers", Role: "writer"}))(t)
	now := revision(t, s)
	if now != logged+3 {
		t.Errorf("store revision %d after three changes from %d", now, logged)
	}

	for _, tc := range []struct {
		name, id string
		// changed: the current state decides differently; says: what the
		// differences must mention.
		changed bool
		says    []string
	}{
		{"the policy narrowed", d1.DecisionID, true, []string{"decision: allow (allowed) at revision", "deny (implicit_deny) now"}},
		{"the mapping deleted", d2.DecisionID, true, []string{"role writer: held then, not now", "role reader: held then, not now"}},
		{"nothing that applies", d3.DecisionID, false, nil},
		{"an explain, the mapping deleted", x2.DecisionID, true, []string{"role writer: held then, not now"}},
	} {
		rp := must(s.ReplayDecision(ctx, tc.id))(t)
		if !rp.Matches {
			t.Errorf("%s: the replay at revision %d does not decide as logged: %+v", tc.name, rp.Logged.Revision, rp.Replay)
		}
		if rp.Replay.Revision != logged || rp.Current.Revision != now {
			t.Errorf("%s: replayed at %d and %d, want %d and %d", tc.name, rp.Replay.Revision, rp.Current.Revision, logged, now)
		}
		if rp.Changed != tc.changed {
			t.Errorf("%s: changed = %v, differences %q", tc.name, rp.Changed, rp.Differences)
		}
		text := strings.Join(rp.Differences, "\n")
		for _, want := range tc.says {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the differences do not say %q:\n%s", tc.name, want, text)
			}
		}
		if !tc.changed && len(rp.Differences) != 0 {
			t.Errorf("%s: differences where nothing changed: %q", tc.name, rp.Differences)
		}
	}
	// The replay at the logged revision still holds the role from the
	// deleted mapping, with its provenance.
	rp = must(s.ReplayDecision(ctx, d2.DecisionID))(t)
	if w := rp.Replay.Role("writer"); w == nil || !strings.Contains(w.Via, "role mapping "+m2.ID+": USER 2 → writer") {
		t.Errorf("the replay's roles: %s", fmtRoles(rp.Replay))
	}
	if rp.Current.Role("writer") != nil {
		t.Errorf("the current roles still hold writer: %s", fmtRoles(rp.Current))
	}
	// Replays are not new decisions.
	if rp.Current.DecisionID != "" {
		t.Errorf("a replay got a decision id: %s", rp.Current.DecisionID)
	}
	// A key without ReadDecision may not replay.
	_, err = ks.ReplayDecision(ctx, d1.DecisionID)
	wantError(t, "replay without gatehouse:ReadDecision", err, http.StatusForbidden, "forbidden")
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
