package directory

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/engine"
)

// resolveStore has every way to get a role.
func resolveStore(t testing.TB) *Directory {
	return build(t,
		obj{"role/admin", `{"includes": ["editor"]}`},
		obj{"role/editor", `{"includes": ["staff"]}`},
		obj{"role/staff", `{}`},
		obj{"role/member", `{}`},
		obj{"role/ops", `{}`},
		obj{"role/viewer", `{}`},
		obj{"role_mapping/7", `{"principal_type": "USER", "principal_id": "1", "role": "admin"}`},
		obj{"role_mapping/8", `{"principal_type": "GROUP", "principal_id": "eng", "role": "editor"}`},
		obj{"role_mapping/9", `{"principal_type": "APP", "principal_id": "billing", "role": "ops"}`},
		obj{"role_mapping/10", `{"principal_type": "ROLE", "principal_id": "ops", "role": "viewer"}`},
		obj{"user/2", `{"groups": ["eng", "sales"], "attributes": {"dept": "7"}}`},
		obj{"claim_rule/r1", `{"claim": "groups", "op": "contains", "value": "admins", "role": "admin"}`},
		obj{"claim_rule/r2", `{"claim": "custom:org", "op": "present", "role": "member", "issuer": "cognito"}`},
		obj{"claim_rule/r3", `{"claim": "level", "op": "equals", "value": "3", "role": "ops"}`},
	)
}

// TestResolve checks role resolution and its provenance (API.md §2).
func TestResolve(t *testing.T) {
	d := resolveStore(t)
	tests := []struct {
		name  string
		s     Subject
		attrs map[string]engine.Values
		// want maps each role to its provenance text.
		want   map[string]string
		groups []string
	}{
		{name: "user mapped to admin", s: Subject{Type: "user", ID: "1"}, want: map[string]string{
			"$everyone":      "$everyone: every principal",
			"$authenticated": "$authenticated: user 1 is authenticated",
			"admin":          "admin via role mapping 7: USER 1 → admin",
			"editor":         "editor via role admin includes editor; admin via role mapping 7: USER 1 → admin",
			"staff":          "staff via role editor includes staff; editor via role admin includes editor; admin via role mapping 7: USER 1 → admin",
		}},
		{name: "stored groups", s: Subject{Type: "user", ID: "2"}, groups: []string{"eng", "sales"}, want: map[string]string{
			"$everyone": "", "$authenticated": "",
			"editor": "editor via role mapping 8: GROUP eng → editor (member of eng: stored user)",
			"staff":  "staff via role editor includes staff; editor via role mapping 8: GROUP eng → editor (member of eng: stored user)",
		}},
		{name: "groups given in the request", s: Subject{Type: "user", ID: "3", Groups: []string{"eng", "eng"}}, groups: []string{"eng"}, want: map[string]string{
			"$everyone": "", "$authenticated": "",
			"editor": "editor via role mapping 8: GROUP eng → editor (member of eng: given in the request)",
			"staff":  "",
		}},
		{name: "stored and given groups unite", s: Subject{Type: "user", ID: "2", Groups: []string{"ops", "eng"}}, groups: []string{"eng", "ops", "sales"}, want: map[string]string{
			"$everyone": "", "$authenticated": "", "editor": "", "staff": "",
		}},
		{name: "app and ROLE mapping", s: Subject{Type: "app", ID: "billing"}, want: map[string]string{
			"$everyone": "", "$authenticated": "$authenticated: app billing is authenticated",
			"ops":    "ops via role mapping 9: APP billing → ops",
			"viewer": "viewer via role mapping 10: ROLE ops → viewer; ops via role mapping 9: APP billing → ops",
		}},
		{name: "a user id is not an app id", s: Subject{Type: "user", ID: "billing"}, want: map[string]string{
			"$everyone": "", "$authenticated": "",
		}},
		{name: "anonymous", s: Subject{}, want: map[string]string{
			"$everyone": "", "$unauthenticated": "$unauthenticated: no principal (anonymous)",
		}},
		{name: "claim rule on an array claim", s: Subject{Type: "user", ID: "x", Claims: map[string]engine.Values{"groups": {"users", "admins"}}}, want: map[string]string{
			"$everyone": "", "$authenticated": "",
			"admin": "admin via claim rule r1: groups contains admins", "editor": "", "staff": "",
		}},
		{name: "contains is equality with a string claim", s: Subject{Type: "user", ID: "x", Claims: map[string]engine.Values{"groups": {"admins"}}}, want: map[string]string{
			"$everyone": "", "$authenticated": "", "admin": "", "editor": "", "staff": "",
		}},
		{name: "claims are case-sensitive", s: Subject{Type: "user", ID: "x", Claims: map[string]engine.Values{"groups": {"Admins"}, "Groups": {"admins"}}}, want: map[string]string{
			"$everyone": "", "$authenticated": "",
		}},
		{name: "claim rule for the token's issuer", s: Subject{Type: "user", ID: "cognito:4fbf", Issuer: "cognito", Claims: map[string]engine.Values{"custom:org": {"acme"}}}, want: map[string]string{
			"$everyone": "", "$authenticated": "",
			"member": "member via claim rule r2: custom:org present (issuer cognito)",
		}},
		{name: "claim rule for another issuer", s: Subject{Type: "user", ID: "auth0:4fbf", Issuer: "auth0", Claims: map[string]engine.Values{"custom:org": {"acme"}}}, want: map[string]string{
			"$everyone": "", "$authenticated": "",
		}},
		{name: "equals needs exactly one value", s: Subject{Type: "user", ID: "x", Claims: map[string]engine.Values{"level": {"3", "4"}}}, want: map[string]string{
			"$everyone": "", "$authenticated": "",
		}},
		{name: "equals compares a number's text", s: Subject{Type: "user", ID: "x", Claims: map[string]engine.Values{"level": {"3"}}}, want: map[string]string{
			"$everyone": "", "$authenticated": "", "ops": "ops via claim rule r3: level equals 3", "viewer": "",
		}},
		{name: "owner", s: Subject{Type: "user", ID: "1"}, attrs: map[string]engine.Values{"owner": {"1"}}, want: map[string]string{
			"$everyone": "", "$authenticated": "", "$owner": "$owner: resource attribute owner = 1",
			"admin": "", "editor": "", "staff": "",
		}},
		{name: "one of several owners, key in another case", s: Subject{Type: "user", ID: "5"}, attrs: map[string]engine.Values{"Owner": {"1", "5"}}, want: map[string]string{
			"$everyone": "", "$authenticated": "", "$owner": "",
		}},
		{name: "not the owner", s: Subject{Type: "user", ID: "5"}, attrs: map[string]engine.Values{"owner": {"1"}}, want: map[string]string{
			"$everyone": "", "$authenticated": "",
		}},
		{name: "anonymous never owns", s: Subject{}, attrs: map[string]engine.Values{"owner": {""}}, want: map[string]string{
			"$everyone": "", "$unauthenticated": "",
		}},
		{name: "asserted roles", s: Subject{Type: "session", ID: "s1", Roles: []string{"ops"}}, want: map[string]string{
			"$everyone": "", "$authenticated": "$authenticated: session s1 is authenticated",
			"ops":    "ops asserted by the caller",
			"viewer": "viewer via role mapping 10: ROLE ops → viewer; ops asserted by the caller",
		}},
		{name: "a session has no user mappings", s: Subject{Type: "session", ID: "1"}, want: map[string]string{
			"$everyone": "", "$authenticated": "",
		}},
		{name: "shortest path wins", s: Subject{Type: "user", ID: "1", Groups: []string{"eng"}}, groups: []string{"eng"}, want: map[string]string{
			"$everyone": "", "$authenticated": "", "admin": "",
			"editor": "editor via role mapping 8: GROUP eng → editor (member of eng: given in the request)",
			"staff":  "staff via role editor includes staff; editor via role mapping 8: GROUP eng → editor (member of eng: given in the request)",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := d.Resolve(&tc.s, tc.attrs)
			var roles []string
			for r := range tc.want {
				roles = append(roles, r)
			}
			sortStrings(roles)
			if !reflect.DeepEqual(res.Roles, roles) {
				t.Errorf("roles = %q, want %q", res.Roles, roles)
			}
			if len(res.Resolved) != len(res.Roles) {
				t.Fatalf("%d resolved for %d roles", len(res.Resolved), len(res.Roles))
			}
			for i, rr := range res.Resolved {
				if rr.Role != res.Roles[i] {
					t.Errorf("resolved[%d] is %s, roles[%d] is %s", i, rr.Role, i, res.Roles[i])
				}
				if want := tc.want[rr.Role]; want != "" && res.Why(rr.Role) != want {
					t.Errorf("%s: provenance\n  %q\nwant\n  %q", rr.Role, res.Why(rr.Role), want)
				}
				if first, _, _ := strings.Cut(res.Why(rr.Role), "; "); rr.String() != first {
					t.Errorf("%s: String() = %q, want the first step of %q", rr.Role, rr.String(), res.Why(rr.Role))
				}
			}
			if tc.groups != nil && !reflect.DeepEqual(res.Groups, tc.groups) {
				t.Errorf("groups = %q, want %q", res.Groups, tc.groups)
			}
		})
	}
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestResolveJSON checks the JSON form the decision log and explain use.
func TestResolveJSON(t *testing.T) {
	d := resolveStore(t)
	res := d.Resolve(&Subject{Type: "user", ID: "2"}, nil)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"roles":["$authenticated","$everyone","editor","staff"]`,
		`"groups":["eng","sales"]`,
		`{"role":"editor","via":"editor via role mapping 8: GROUP eng → editor (member of eng: stored user)","grant":{"kind":"mapping","role":"editor","mapping":"8","principal_type":"GROUP","principal_id":"eng","group_source":"stored","text":"editor via role mapping 8: GROUP eng → editor (member of eng: stored user)"}}`,
		`{"kind":"includes","role":"staff","from":"editor","text":"staff via role editor includes staff"}`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s\n%s", want, b)
		}
	}
}

// TestResolveDeterministic checks that the same question gets the same
// answer, whatever the map orders.
func TestResolveDeterministic(t *testing.T) {
	d := resolveStore(t)
	s := &Subject{Type: "user", ID: "1", Groups: []string{"eng", "x", "y"}, Roles: []string{"ops", "member"},
		Claims: map[string]engine.Values{"groups": {"admins"}, "level": {"3"}, "custom:org": {"a"}}, Issuer: "cognito"}
	first, _ := json.Marshal(d.Resolve(s, map[string]engine.Values{"owner": {"1"}}))
	for i := 0; i < 50; i++ {
		again, _ := json.Marshal(d.Resolve(s, map[string]engine.Values{"owner": {"1"}}))
		if string(again) != string(first) {
			t.Fatalf("run %d differs:\n%s\n%s", i, first, again)
		}
	}
}

// TestResolveNoLimits checks that there is no cap on groups or roles
// (DESIGN.md: claim rules replace "one IAM role per Cognito group" and
// have no 25-group limit): 10,000 groups each mapped to a role, and a
// chain of 10,000 roles.
func TestResolveNoLimits(t *testing.T) {
	const n = 10_000
	var objs []obj
	groups := make([]string, n)
	for i := 0; i < n; i++ {
		groups[i] = fmt.Sprintf("g%d", i)
		objs = append(objs,
			obj{fmt.Sprintf("role/r%d", i), fmt.Sprintf(`{"includes": [%s]}`, map[bool]string{true: "", false: fmt.Sprintf(`"r%d"`, i+1)}[i == n-1])},
			obj{fmt.Sprintf("role_mapping/%d", i), fmt.Sprintf(`{"principal_type": "GROUP", "principal_id": "g%d", "role": "r%d"}`, i, i)})
	}
	d := build(t, objs...)
	if len(d.Warnings()) != 0 {
		t.Fatalf("warnings: %v", d.Warnings()[:1])
	}
	res := d.Resolve(&Subject{Type: "user", ID: "u", Groups: groups}, nil)
	if len(res.Roles) != n+2 || len(res.Groups) != n {
		t.Errorf("%d roles and %d groups, want %d and %d", len(res.Roles), len(res.Groups), n+2, n)
	}
	// Only the chain: the last role is 9,999 includes away from the first.
	res = d.Resolve(&Subject{Type: "user", ID: "u", Groups: []string{"g0"}}, nil)
	if len(res.Roles) != n+2 {
		t.Fatalf("%d roles, want %d", len(res.Roles), n+2)
	}
	if path := res.Path(fmt.Sprintf("r%d", n-1)); len(path) != n {
		t.Errorf("r%d has a path of %d steps, want %d", n-1, len(path), n)
	}
	// A cycle check over the whole chain does not recurse.
	if _, err := d.Validate(put(fmt.Sprintf("role/r%d", n-1), `{"includes": ["r0"]}`)); err == nil || !strings.Contains(err.Error(), "r9999 → r0 → r1") {
		t.Errorf("closing the chain: %v", err)
	}
}
