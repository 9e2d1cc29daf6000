package itest

import (
	"net/http"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/client"
)

// TestRoleCyclesRejected: a role cycle, through includes, through ROLE
// mappings, or through both, is refused with 422 role_cycle, a message that
// names the cycle, and nothing changed (API.md §2: "One cycle check covers
// both").
func TestRoleCyclesRejected(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := e.admin.Store("default")

	must(s.PutPolicy(ctx, "read", client.Policy{Document: doc("Allow", "docs:Read", "*")}))(t)
	must(s.PutRole(ctx, "reader", client.Role{Policies: []string{"read"}}))(t)
	must(s.PutRole(ctx, "editor", client.Role{Includes: []string{"reader"}}))(t)
	must(s.PutRole(ctx, "owner", client.Role{Includes: []string{"editor"}}))(t)
	must(s.PutRole(ctx, "auditor", client.Role{}))(t)
	// auditors hold owner, through a ROLE mapping.
	must(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "ROLE", PrincipalID: "auditor", Role: "owner"}))(t)
	must(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "USER", PrincipalID: "ann", Role: "auditor"}))(t)
	base := revision(t, s)
	mappings := len(must(client.All(ctx, s.RoleMappings(client.RoleMappingFilter{})))(t))

	for _, tc := range []struct {
		name string
		// write is the write that would close a cycle.
		write func() (*client.WriteResult, error)
		// names are roles the message must name.
		names []string
	}{
		{"a role that includes itself", func() (*client.WriteResult, error) {
			return s.PutRole(ctx, "reader", client.Role{Policies: []string{"read"}, Includes: []string{"reader"}})
		}, []string{"reader"}},
		{"includes back to the top", func() (*client.WriteResult, error) {
			return s.PutRole(ctx, "reader", client.Role{Policies: []string{"read"}, Includes: []string{"owner"}})
		}, []string{"reader", "owner", "editor"}},
		{"a new role closing the loop", func() (*client.WriteResult, error) {
			must(s.PutRole(ctx, "x", client.Role{}))(t)
			base++
			return s.PutRole(ctx, "reader", client.Role{Policies: []string{"read"}, Includes: []string{"x", "auditor"}})
		}, []string{"reader", "auditor", "owner"}},
		{"a ROLE mapping back to the top", func() (*client.WriteResult, error) {
			return s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "ROLE", PrincipalID: "reader", Role: "auditor"})
		}, []string{"reader", "auditor"}},
		{"a ROLE mapping onto itself", func() (*client.WriteResult, error) {
			return s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "ROLE", PrincipalID: "editor", Role: "editor"})
		}, []string{"editor"}},
		{"includes closing a loop of ROLE mappings", func() (*client.WriteResult, error) {
			return s.PutRole(ctx, "editor", client.Role{Includes: []string{"reader", "auditor"}})
		}, []string{"editor", "auditor", "owner"}},
	} {
		_, err := tc.write()
		pe := wantError(t, tc.name, err, http.StatusUnprocessableEntity, "role_cycle")
		if pe == nil {
			continue
		}
		msg := pe.Error()
		for _, n := range tc.names {
			if !strings.Contains(msg, n) {
				t.Errorf("%s: the message does not name %s: %s (refs %v)", tc.name, n, msg, pe.Refs)
			}
		}
		if !strings.Contains(strings.ToLower(msg), "cycle") {
			t.Errorf("%s: the message does not say it is a cycle: %s", tc.name, msg)
		}
		if got := revision(t, s); got != base {
			t.Errorf("%s: the refused write moved the revision from %d to %d", tc.name, base, got)
		}
	}

	// Nothing changed: the roles are as written, no mapping was added, and
	// ann's access is what it was.
	if r := must(s.GetRole(ctx, "reader"))(t); len(r.Includes) != 0 {
		t.Errorf("reader after the refused writes: %+v", r)
	}
	if r := must(s.GetRole(ctx, "editor"))(t); len(r.Includes) != 1 || r.Includes[0] != "reader" {
		t.Errorf("editor after the refused writes: %+v", r)
	}
	if n := len(must(client.All(ctx, s.RoleMappings(client.RoleMappingFilter{})))(t)); n != mappings {
		t.Errorf("%d role mappings after refused ones, want %d", n, mappings)
	}
	x := must(s.Explain(ctx, user("ann", "docs:Read", "docs:a")))(t)
	if !x.Allowed() || x.Role("reader") == nil || !strings.Contains(x.Role("reader").Via, "ROLE auditor → owner") {
		t.Errorf("ann's access through auditor → owner → editor → reader: %s %s", x.Decision, fmtRoles(x))
	}
}
