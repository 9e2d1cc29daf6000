package itest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/client"
)

// TestAdminFlow is the life of a store as an administrator lives it:
// create the store, write policies, roles, mappings, users and the other
// kinds, check and explain, list, delete; every write answers the next
// revision, and checks see each write as soon as it is answered.
func TestAdminFlow(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	c := e.admin

	if err := c.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if r := must(c.Ready(ctx))(t); r.Status != "ready" {
		t.Errorf("ready: %+v", r)
	}

	info := must(c.CreateStore(ctx, "museum"))(t)
	if info.ID != "museum" || info.Revision != 0 {
		t.Errorf("created store: %+v", info)
	}
	_, err := c.CreateStore(ctx, "museum")
	wantError(t, "create the store twice", err, http.StatusConflict, "already_exists")
	stores := must(client.All(ctx, c.ListStores))(t)
	if len(stores) != 2 || stores[0].ID != "default" || stores[1].ID != "museum" {
		t.Errorf("stores: %+v", stores)
	}
	s := c.Store("museum")

	// Every write answers the store's next revision.
	var rev int64
	wrote := func(what string) func(*client.WriteResult, error) *client.WriteResult {
		return func(w *client.WriteResult, err error) *client.WriteResult {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			rev++
			if w.Revision != rev {
				t.Errorf("%s: revision %d, want %d", what, w.Revision, rev)
			}
			if got := revision(t, s); got != rev {
				t.Errorf("after %s the store is at revision %d, want %d", what, got, rev)
			}
			return w
		}
	}

	w := wrote("put policy")(s.PutPolicy(ctx, "read-exhibits", client.Policy{Description: "visitors look", Document: doc("Allow", "museum:Read", "museum:exhibit/*")}))
	if !w.Created {
		t.Error("the first PUT of a policy did not answer 201")
	}
	w = wrote("replace policy")(s.PutPolicy(ctx, "read-exhibits", client.Policy{Description: "visitors look", Document: doc("Allow", "museum:Read", "museum:exhibit/*")}))
	if w.Created {
		t.Error("a PUT that replaces answered 201")
	}
	p := must(s.GetPolicy(ctx, "read-exhibits"))(t)
	if p.ID != "read-exhibits" || p.Description != "visitors look" || p.Revision != 2 || p.UpdatedAt.IsZero() || !strings.Contains(string(p.Document), "museum:exhibit/*") {
		t.Errorf("policy as read: %+v", p)
	}
	wrote("put policy curate")(s.PutPolicy(ctx, "curate", client.Policy{Document: doc("Allow", "museum:Write", "museum:exhibit/*")}))
	wrote("put role visitor")(s.PutRole(ctx, "visitor", client.Role{Policies: []string{"read-exhibits"}}))
	wrote("put role curator")(s.PutRole(ctx, "curator", client.Role{Description: "curators also visit", Policies: []string{"curate"}, Includes: []string{"visitor"}}))
	m := wrote("map alice")(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: client.PrincipalUser, PrincipalID: "alice", Role: "curator"}))
	if m.ID != "6" || !m.Created {
		t.Errorf("role mapping id %q (created %v), want 6: the revision that created it", m.ID, m.Created)
	}
	wrote("map group staff")(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: client.PrincipalGroup, PrincipalID: "staff", Role: "visitor"}))
	wrote("put group")(s.PutGroup(ctx, "staff", client.Group{Description: "the museum's staff"}))
	wrote("put user bob")(s.PutUser(ctx, "bob", client.User{Attributes: map[string]any{"desk": "north"}, Groups: []string{"staff"}}))

	at := func(req client.CheckRequest) client.CheckRequest { req.AtLeastRevision = rev; return req }
	for _, tc := range []struct {
		who, action, resource, want string
	}{
		{"alice", "museum:Write", "museum:exhibit/mona-lisa", "allow"},       // curator, by mapping
		{"alice", "museum:Read", "museum:exhibit/mona-lisa", "allow"},        // visitor, included by curator
		{"bob", "museum:Read", "museum:exhibit/mona-lisa", "allow"},          // visitor, through the group staff
		{"bob", "museum:Write", "museum:exhibit/mona-lisa", "deny"},          // not a curator
		{"carol", "museum:Read", "museum:exhibit/mona-lisa", "deny"},         // nothing: denied by default
		{"alice", "museum:Read", "museum:vault/crown", "deny"},               // no policy names the vault
		{"alice", "museum:Delete", "museum:exhibit/mona-lisa", "deny"},       // no policy grants Delete
		{"bob", "museum:read", "museum:exhibit/mona-lisa", "allow"},          // IAM: action names are case-insensitive
		{"bob", "museum:Read", "museum:Exhibit/mona-lisa", "deny"},           // IAM: resource names are case-sensitive
		{"staff", "museum:Read", "museum:exhibit/mona-lisa", "deny"},         // a group id is not a user
		{"alice", "museum:Write", "museum:exhibit/mona-lisa#price", "allow"}, // IAM's * matches any character
	} {
		if got := decide(t, s, at(user(tc.who, tc.action, tc.resource))); got != tc.want {
			t.Errorf("%s %s on %s: %s, want %s", tc.who, tc.action, tc.resource, got, tc.want)
		}
	}

	x := must(s.Explain(ctx, user("alice", "museum:Read", "museum:exhibit/mona-lisa")))(t)
	if !x.Allowed() || len(x.Statements) != 1 || x.Statements[0].Policy != "read-exhibits" || x.Statements[0].Attached != "role:visitor" {
		t.Errorf("explanation: %+v", x)
	}
	if r := x.Role("visitor"); r == nil || !strings.Contains(r.Via, "curator includes visitor") || !strings.Contains(r.Via, "role mapping 6: USER alice → curator") {
		t.Errorf("visitor's provenance does not show the chain: %s", fmtRoles(x))
	}
	if x.DecisionID == "" || x.Trace == nil || x.Trace.Summary == "" {
		t.Errorf("explanation lacks its decision id or trace: %+v", x)
	}
	xb := must(s.Explain(ctx, user("bob", "museum:Read", "museum:exhibit/mona-lisa")))(t)
	if r := xb.Role("visitor"); r == nil || !strings.Contains(r.Via, "GROUP staff") || !slices.Contains(xb.Groups, "staff") {
		t.Errorf("bob's visitor role does not come from the group: %s %v", fmtRoles(xb), xb.Groups)
	}

	// Fields, a batch with one bad item, and at_least_revision.
	fr := must(s.Check(ctx, client.CheckRequest{Principal: &client.Principal{Type: "user", ID: "alice"}, Action: "museum:Write",
		Resource: client.Resource{Name: "museum:exhibit/mona-lisa"}, Fields: []string{"price", "title"}}))(t)
	if fr.Fields["price"] != "allow" || fr.Fields["title"] != "allow" {
		t.Errorf("fields: %+v", fr.Fields)
	}
	batch := must(s.CheckBatch(ctx, client.BatchRequest{Checks: []client.CheckRequest{
		user("alice", "museum:Write", "museum:exhibit/1"),
		{Principal: &client.Principal{Type: "user", ID: "alice"}, Resource: client.Resource{Name: "museum:exhibit/1"}},
		user("carol", "museum:Write", "museum:exhibit/1"),
	}}))(t)
	if len(batch.Results) != 3 || batch.Revision != rev || batch.Results[0].Decision != "allow" || batch.Results[2].Decision != "deny" {
		t.Errorf("batch: %+v", batch)
	}
	if be := batch.Results[1].Error; be == nil || be.Status != 400 || !strings.HasPrefix(be.Detail, "checks[1]: ") || !strings.Contains(be.Detail, "action") {
		t.Errorf("the batch item without an action: %+v", batch.Results[1])
	}
	_, err = s.Check(ctx, client.CheckRequest{Principal: &client.Principal{Type: "user", ID: "alice"}, Action: "museum:Read",
		Resource: client.Resource{Name: "museum:exhibit/1"}, AtLeastRevision: rev + 5})
	wantError(t, "a revision not reached", err, http.StatusConflict, "revision_not_ready")

	// The other kinds, round trip.
	wrote("put claim rule")(s.PutClaimRule(ctx, "curators", client.ClaimRule{Claim: "groups", Op: client.ClaimContains, Value: "curators", Role: "curator"}))
	if cr := must(s.GetClaimRule(ctx, "curators"))(t); cr.Claim != "groups" || cr.Op != "contains" || cr.Role != "curator" {
		t.Errorf("claim rule: %+v", cr)
	}
	wrote("put app")(s.PutApp(ctx, "guide-app", client.App{Description: "audio guide", Attributes: map[string]any{"tier": "free"}, Policies: []string{"read-exhibits"}}))
	if got := decide(t, s, client.CheckRequest{Principal: &client.Principal{Type: "app", ID: "guide-app"}, Action: "museum:Read",
		Resource: client.Resource{Name: "museum:exhibit/1"}}); got != "allow" {
		t.Errorf("the app with a policy attached: %s", got)
	}
	vault := json.RawMessage(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"User": ["dave"]},
		"Action": "museum:Read", "Resource": "museum:vault/*"}]}`)
	wrote("put resource policy")(s.PutResourcePolicy(ctx, "vault-dave", client.ResourcePolicy{Resource: "museum:vault/*", Document: vault}))
	if got := decide(t, s, user("dave", "museum:Read", "museum:vault/crown")); got != "allow" {
		t.Errorf("dave, named by the vault's resource policy: %s", got)
	}
	wrote("put boundary")(s.PutBoundary(ctx, "alice-reads", client.Boundary{PrincipalType: client.PrincipalUser, PrincipalID: "alice",
		Document: doc("Allow", "museum:Read", "*")}))
	if got := decide(t, s, user("alice", "museum:Write", "museum:exhibit/1")); got != "deny" {
		t.Errorf("alice's boundary allows only reads, yet Write: %s", got)
	}
	if got := decide(t, s, user("alice", "museum:Read", "museum:exhibit/1")); got != "allow" {
		t.Errorf("alice's read within her boundary: %s", got)
	}
	if b := must(s.GetBoundary(ctx, "alice-reads"))(t); b.PrincipalType != "USER" || b.PrincipalID != "alice" {
		t.Errorf("boundary: %+v", b)
	}
	counts := must(s.Info(ctx))(t).Objects
	for kind, want := range map[string]int{"policy": 2, "role": 2, "role_mapping": 2, "user": 1, "group": 1, "app": 1,
		"claim_rule": 1, "resource_policy": 1, "boundary": 1} {
		if counts[kind] != want {
			t.Errorf("store counts %d %s, want %d (%v)", counts[kind], kind, want, counts)
		}
	}

	// Lists, a page at a time and whole.
	pol := must(s.ListPolicies(ctx, client.ListOptions{Limit: 1}))(t)
	if len(pol.Items) != 1 || pol.Items[0].ID != "curate" || pol.NextCursor == "" {
		t.Errorf("first page of policies: %+v", pol)
	}
	allPol := must(client.All(ctx, func(ctx2 context.Context, o client.ListOptions) (*client.Page[client.Policy], error) {
		o.Limit = 1
		return s.ListPolicies(ctx2, o)
	}))(t)
	if len(allPol) != 2 || allPol[1].ID != "read-exhibits" {
		t.Errorf("all policies: %+v", allPol)
	}
	maps := must(client.All(ctx, s.RoleMappings(client.RoleMappingFilter{Role: "visitor"})))(t)
	if len(maps) != 1 || maps[0].PrincipalType != "GROUP" || maps[0].PrincipalID != "staff" {
		t.Errorf("mappings to visitor: %+v", maps)
	}
	for name, lf := range map[string]func() (int, error){
		"roles":             func() (int, error) { p, err := s.ListRoles(ctx, client.ListOptions{}); return lenOf(p, err) },
		"users":             func() (int, error) { p, err := s.ListUsers(ctx, client.ListOptions{}); return lenOf(p, err) },
		"groups":            func() (int, error) { p, err := s.ListGroups(ctx, client.ListOptions{}); return lenOf(p, err) },
		"apps":              func() (int, error) { p, err := s.ListApps(ctx, client.ListOptions{}); return lenOf(p, err) },
		"claim rules":       func() (int, error) { p, err := s.ListClaimRules(ctx, client.ListOptions{}); return lenOf(p, err) },
		"resource policies": func() (int, error) { p, err := s.ListResourcePolicies(ctx, client.ListOptions{}); return lenOf(p, err) },
		"boundaries":        func() (int, error) { p, err := s.ListBoundaries(ctx, client.ListOptions{}); return lenOf(p, err) },
	} {
		if n, err := lf(); err != nil || n == 0 {
			t.Errorf("list %s: %d items, %v", name, n, err)
		}
	}

	// Deletes: refused while in use, then in order; each bumps the revision.
	_, err = s.DeletePolicy(ctx, "curate")
	if pe := wantError(t, "delete a policy in use", err, http.StatusConflict, "in_use"); pe != nil && !slices.Contains(pe.Refs, "role/curator") {
		t.Errorf("in_use refs: %v", pe.Refs)
	}
	if revision(t, s) != rev {
		t.Error("a refused delete changed the revision")
	}
	wrote("delete boundary")(s.DeleteBoundary(ctx, "alice-reads"))
	wrote("delete mapping")(s.DeleteRoleMapping(ctx, m.ID))
	if got := decide(t, s, at(user("alice", "museum:Write", "museum:exhibit/1"))); got != "deny" {
		t.Errorf("alice after her mapping was deleted: %s", got)
	}
	wrote("delete claim rule")(s.DeleteClaimRule(ctx, "curators"))
	wrote("delete role curator")(s.DeleteRole(ctx, "curator"))
	wrote("delete policy curate")(s.DeletePolicy(ctx, "curate"))
	wrote("delete resource policy")(s.DeleteResourcePolicy(ctx, "vault-dave"))
	wrote("delete app")(s.DeleteApp(ctx, "guide-app"))
	wrote("delete user")(s.DeleteUser(ctx, "bob"))
	wrote("delete group")(s.DeleteGroup(ctx, "staff"))
	_, err = s.GetPolicy(ctx, "curate")
	wantError(t, "a deleted policy", err, http.StatusNotFound, "not_found")
	_, err = s.DeleteUser(ctx, "bob")
	wantError(t, "delete twice", err, http.StatusNotFound, "not_found")
	if revision(t, s) != rev {
		t.Error("a delete of nothing changed the revision")
	}
	if got := decide(t, s, user("dave", "museum:Read", "museum:vault/crown")); got != "deny" {
		t.Errorf("dave after the vault's resource policy was deleted: %s", got)
	}
	// The default store saw none of it.
	if r := revision(t, c.Store("default")); r != 0 {
		t.Errorf("the default store moved to revision %d", r)
	}
}

func lenOf[T any](p *client.Page[T], err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return len(p.Items), nil
}
