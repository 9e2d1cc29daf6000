package directory

import (
	"reflect"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/store"
)

// TestTrapWarning checks the LoopBack trap warning (issue 3, item 6): a
// Deny for $everyone beside an Allow for another role. IAM's evaluation
// logic ("an explicit deny in any policy overrides any allows") makes the
// Deny deny that role too, since every principal holds $everyone.
func TestTrapWarning(t *testing.T) {
	doc := func(stmts string) string {
		return `{"document": {"Version": "2012-10-17", "Statement": [` + stmts + `]}}`
	}
	allowAdmin := `{"Sid": "AdminAll", "Effect": "Allow", "Action": "orders:*", "Resource": "orders:Order/*", "Condition": {"ForAnyValue:StringEquals": {"principal:roles": "admin"}}}`
	base := build(t,
		obj{"policy/read", readOrders},
		obj{"policy/deny-all", denyAllOrders},
		obj{"policy/admin-all", adminPolicy},
		obj{"role/admin", `{}`},
		obj{"role/staff", `{}`},
		obj{"role/guest", `{}`},
	)
	tests := []struct {
		name    string
		changes []store.Change
		// refs are the refs of each expected warning; nil for none.
		refs [][]string
	}{
		{"the LoopBack ACL as one policy",
			[]store.Change{put("policy/trap", trapPolicy)},
			[][]string{{"policy/trap"}}},
		{"the LoopBack ACL attached to $everyone",
			[]store.Change{put("policy/trap", trapPolicy), put("role/$everyone", `{"policies": ["trap"]}`)},
			[][]string{{"policy/trap", "role/$everyone"}}},
		{"Deny attached to $everyone, Allow attached to a role: the role's write",
			[]store.Change{put("role/$everyone", `{"policies": ["deny-all"]}`), put("role/staff", `{"policies": ["read"]}`)},
			[][]string{{"policy/deny-all", "policy/read", "role/$everyone", "role/staff"}}},
		{"Deny for $authenticated, conditioned Allow for admin",
			[]store.Change{put("policy/p", doc(`{"Sid": "NoOne", "Effect": "Deny", "Action": "orders:delete*", "Resource": "*", "Condition": {"StringEquals": {"principal:roles": "$authenticated"}}}, `+allowAdmin))},
			[][]string{{"policy/p"}}},
		{"Deny for $everyone by StringLike",
			[]store.Change{put("policy/p", doc(`{"Effect": "Deny", "Action": "orders:*", "Resource": "*", "Condition": {"StringLike": {"principal:roles": "$every*"}}}, `+allowAdmin))},
			[][]string{{"policy/p"}}},
		{"resource policy: Deny * beside Allow for a role",
			[]store.Change{put("resource_policy/rp", `{"resource": "orders:*", "document": {"Statement": [
				{"Effect": "Deny", "Principal": "*", "Action": "orders:find"},
				{"Effect": "Allow", "Principal": {"Role": ["auditor"]}, "Action": "orders:*"}]}}`)},
			[][]string{{"resource_policy/rp"}}},

		// Not traps.
		{"the LoopBack way done right: no Deny",
			[]store.Change{put("role/$everyone", `{"policies": ["admin-all"]}`)}, nil},
		{"a Deny with another condition is meant (deny outside the office)",
			[]store.Change{put("policy/p", doc(`{"Effect": "Deny", "Action": "orders:*", "Resource": "*", "Condition": {"StringEquals": {"principal:roles": "$everyone"}, "NotIpAddress": {"request:ip": "10.0.0.0/8"}}}, `+allowAdmin))}, nil},
		{"the Deny and the Allow cannot meet: other actions",
			[]store.Change{put("policy/p", doc(`{"Effect": "Deny", "Action": "billing:*", "Resource": "*", "Condition": {"StringEquals": {"principal:roles": "$everyone"}}}, `+allowAdmin))}, nil},
		{"the Deny and the Allow cannot meet: other resources",
			[]store.Change{put("policy/p", doc(`{"Effect": "Deny", "Action": "orders:*", "Resource": "orders:Invoice/*", "Condition": {"StringEquals": {"principal:roles": "$everyone"}}}, `+allowAdmin))}, nil},
		{"a Deny for one role is not for everyone",
			[]store.Change{put("role/guest", `{"policies": ["deny-all"]}`), put("role/staff", `{"policies": ["read"]}`)}, nil},
		{"a Deny for $authenticated beside an Allow for $unauthenticated",
			[]store.Change{put("role/$authenticated", `{"policies": ["deny-all"]}`), put("role/$unauthenticated", `{"policies": ["read"]}`)}, nil},
		{"an unattached Deny is not for everyone",
			[]store.Change{put("role/staff", `{"policies": ["read", "deny-all"]}`)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := base.Validate(tc.changes...)
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, w := range v.Warnings {
				if w.Code != CodeDenyOverridesRole {
					t.Errorf("unexpected warning %v", w)
					continue
				}
				got = append(got, w.Refs)
				for _, s := range []string{"denies", "always wins", "Remove the Deny and rely on default deny"} {
					if !strings.Contains(w.Message, s) {
						t.Errorf("message %q does not say %q", w.Message, s)
					}
				}
			}
			if !reflect.DeepEqual(got, tc.refs) {
				t.Errorf("warnings:\n%v\nrefs %q, want %q", v.Warnings, got, tc.refs)
			}
		})
	}
}

// TestTrapMessage checks the whole message of the classic case.
func TestTrapMessage(t *testing.T) {
	v, err := (*Directory)(nil).Validate(put("policy/trap", trapPolicy))
	if err != nil {
		t.Fatal(err)
	}
	want := `policy "trap" statement 0 ("DenyEveryone") denies orders:* on orders:Order/* to every principal ($everyone), ` +
		`and statement 1 ("AdminAll") of the same policy allows it to the role admin. ` +
		`Every principal with role admin also holds $everyone, and an explicit Deny always wins over an Allow, so admin is denied too ` +
		`(LoopBack lets the more specific ACL win; IAM and gatehouse do not). ` +
		`Remove the Deny and rely on default deny: what no statement allows is denied.`
	if len(v.Warnings) != 1 || v.Warnings[0].Message != want {
		t.Errorf("warnings = %v\nwant %s", v.Warnings, want)
	}
}

// TestTrapExplain checks that the trap decides the check and that explain
// repeats the warning, for the admin only (the other user is denied by the
// Deny too, but no Allow was lost).
func TestTrapExplain(t *testing.T) {
	d := build(t,
		obj{"policy/trap", trapPolicy},
		obj{"role/$everyone", `{"policies": ["trap"]}`},
		obj{"role/admin", `{}`},
		obj{"role_mapping/7", `{"principal_type": "USER", "principal_id": "1", "role": "admin"}`},
	)
	if got := codes(d.Warnings()); !reflect.DeepEqual(got, []string{CodeDenyOverridesRole}) {
		t.Errorf("build warnings = %v", d.Warnings())
	}
	in := &CheckInput{Subject: Subject{Type: "user", ID: "1"}, Action: "orders:deleteById", Resource: engine.Resource{Name: "orders:Order/17"}}
	if r := d.Check(in); r.Decision.Reason != engine.ExplicitDeny || r.Decision.By.Sid != "DenyEveryone" {
		t.Fatalf("check: %v by %+v", r.Decision.Reason, r.Decision.By)
	}
	x := d.Explain(in)
	if got := codes(x.Warnings); !reflect.DeepEqual(got, []string{CodeDenyOverridesRole}) {
		t.Errorf("explain warnings = %v", x.Warnings)
	}
	in.Subject.ID = "2"
	if x := d.Explain(in); len(x.Warnings) != 0 {
		t.Errorf("explain warnings for a non-admin = %v", x.Warnings)
	}
}

// TestGlobsMeet checks the overlap test the trap uses.
func TestGlobsMeet(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		fold bool
		want bool
	}{
		{"orders:*", "orders:find", false, true},
		{"orders:*", "ORDERS:Find", true, true},
		{"orders:*", "ORDERS:Find", false, false},
		{"orders:*", "billing:*", false, false},
		{"*", "anything", false, true},
		{"a*c", "ab*", false, true},
		{"a?c", "abd", false, false},
		{"orders:Order/*", "orders:Invoice/*", false, false},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", false, true},
		{"*a", "*b", false, false},
		{"*a*", "*b*", false, true},
		{"", "*", false, true},
		{"", "a", false, false},
	} {
		if got := globsMeet(tc.a, tc.b, tc.fold); got != tc.want {
			t.Errorf("globsMeet(%q, %q) = %v", tc.a, tc.b, got)
		}
		if got := globsMeet(tc.b, tc.a, tc.fold); got != tc.want {
			t.Errorf("globsMeet(%q, %q) = %v (reversed)", tc.b, tc.a, got)
		}
	}
}
