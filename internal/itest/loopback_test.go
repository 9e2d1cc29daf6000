package itest

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/client"
)

// example reads a file of examples/.
func example(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLoopBackThread answers "LoopBack – how do I map a logged-in user to
// the admin role?" in the server: the example's policy on the role admin,
// users given admin by role mappings (of the user, of a group it is in, of
// another role it holds) get access; everyone else is denied by default,
// with no Deny written; explain names the mapping that gave the role. The
// literal LoopBack ACL (DENY $everyone beside ALLOW admin) is warned about
// when written, and explain repeats the warning when it decides.
func TestLoopBackThread(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	s := e.admin.Store("default")

	must(s.PutPolicy(ctx, "orders-admin", client.Policy{Document: example(t, "loopback-roles/policy.json")}))(t)
	must(s.PutRole(ctx, "admin", client.Role{Policies: []string{"orders-admin"}}))(t)
	must(s.PutRole(ctx, "superadmin", client.Role{}))(t)
	must(s.PutUser(ctx, "4", client.User{Groups: []string{"ops"}}))(t)
	byUser := must(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "USER", PrincipalID: "1", Role: "admin"}))(t)
	byGroup := must(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "GROUP", PrincipalID: "ops", Role: "admin"}))(t)
	byRole := must(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "ROLE", PrincipalID: "superadmin", Role: "admin"}))(t)
	must(s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "USER", PrincipalID: "5", Role: "superadmin"}))(t)
	// LoopBack's own spellings are accepted too.
	var camel client.WriteResult
	if _, err := e.admin.Raw(ctx, http.MethodPost, "/v1/stores/default/role-mappings",
		[]byte(`{"principalType": "USER", "principalId": "6", "role": "admin"}`), &camel); err != nil {
		t.Fatalf("a mapping in LoopBack's spelling: %v", err)
	}

	for _, tc := range []struct {
		name string
		who  *client.Principal
		want string
		// via is what explain must say of the role admin.
		via string
	}{
		{"mapped user", &client.Principal{Type: "user", ID: "1"}, "allow", "role mapping " + byUser.ID + ": USER 1 → admin"},
		{"member of a mapped group", &client.Principal{Type: "user", ID: "4"}, "allow", "role mapping " + byGroup.ID + ": GROUP ops → admin"},
		{"holder of a mapped role", &client.Principal{Type: "user", ID: "5"}, "allow", "role mapping " + byRole.ID + ": ROLE superadmin → admin"},
		{"mapped in LoopBack's spelling", &client.Principal{Type: "user", ID: "6"}, "allow", "role mapping " + camel.ID + ": USER 6 → admin"},
		{"stored user without a mapping", &client.Principal{Type: "user", ID: "2"}, "deny", ""},
		{"unknown user", &client.Principal{Type: "user", ID: "3"}, "deny", ""},
		{"app named like a mapped user", &client.Principal{Type: "app", ID: "1"}, "deny", ""},
		{"anonymous", &client.Principal{Type: "anonymous"}, "deny", ""},
	} {
		for _, action := range []string{"orders:find", "orders:deleteById"} {
			req := client.CheckRequest{Principal: tc.who, Action: action, Resource: client.Resource{Name: "orders:Order/17"}}
			res := must(s.Check(ctx, req))(t)
			if res.Decision != tc.want {
				t.Errorf("%s: %s is %s, want %s", tc.name, action, res.Decision, tc.want)
			}
			if tc.want == "deny" && res.Reason != client.ReasonImplicitDeny {
				t.Errorf("%s: denied with %s; nothing denies explicitly", tc.name, res.Reason)
			}
		}
		x := must(s.Explain(ctx, client.CheckRequest{Principal: tc.who, Action: "orders:deleteById", Resource: client.Resource{Name: "orders:Order/17"}}))(t)
		admin := x.Role("admin")
		switch {
		case tc.via == "" && admin != nil:
			t.Errorf("%s holds admin: %s", tc.name, fmtRoles(x))
		case tc.via == "" && (len(x.Statements) != 0 || x.Trace == nil || !strings.Contains(x.Trace.Summary, "implicit deny")):
			t.Errorf("%s: the denial is not explained as a default deny: %+v", tc.name, x)
		case tc.via != "" && (admin == nil || !strings.Contains(admin.Via, tc.via)):
			t.Errorf("%s: explain does not say %q:%s", tc.name, tc.via, fmtRoles(x))
		case tc.via != "" && (len(x.Statements) != 1 || x.Statements[0].Sid != "AdminAll" || x.Statements[0].Attached != "role:admin"):
			t.Errorf("%s: deciding statements %+v", tc.name, x.Statements)
		}
		if x.Role("$everyone") == nil {
			t.Errorf("%s does not hold $everyone: %s", tc.name, fmtRoles(x))
		}
	}
	// The mapping's path names the mapping object itself.
	x := must(s.Explain(ctx, user("4", "orders:find", "orders:Order/17")))(t)
	if path := x.Role("admin").Path; len(path) == 0 || path[0].Mapping == nil || path[0].Mapping.ID != byGroup.ID {
		t.Errorf("user 4's admin path: %+v", path)
	}

	// Removing the mapping removes the access, at once.
	must(s.DeleteRoleMapping(ctx, byUser.ID))(t)
	if got := decide(t, s, user("1", "orders:find", "orders:Order/17")); got != "deny" {
		t.Errorf("user 1 after the mapping was deleted: %s", got)
	}

	// The LoopBack trap: DENY $everyone beside ALLOW admin, attached to
	// $everyone, denies the admin too. The write warns; explain repeats it.
	w := must(s.PutPolicy(ctx, "loopback-acl", client.Policy{Document: example(t, "loopback-roles/trap-policy.json")}))(t)
	must(s.PutRole(ctx, "$everyone", client.Role{Policies: []string{"loopback-acl"}}))(t)
	var warned []string
	for _, f := range w.Warnings {
		warned = append(warned, f.Code)
	}
	if !slices.Contains(warned, "directory.deny_overrides_role") {
		t.Errorf("writing the LoopBack ACL did not warn of the trap: %+v", w.Warnings)
	}
	res := must(s.Check(ctx, user("4", "orders:find", "orders:Order/17")))(t)
	if res.Decision != "deny" || res.Reason != client.ReasonExplicitDeny {
		t.Errorf("under the trap the admin is %s (%s), want an explicit deny", res.Decision, res.Reason)
	}
	x = must(s.Explain(ctx, user("4", "orders:find", "orders:Order/17")))(t)
	if len(x.Warnings) == 0 || x.Warnings[0].Code != "directory.deny_overrides_role" || len(x.Statements) == 0 || x.Statements[0].Sid != "DenyEveryone" {
		t.Errorf("explain of the trap: warnings %+v, statements %+v", x.Warnings, x.Statements)
	}
}
