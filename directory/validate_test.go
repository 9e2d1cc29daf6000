package directory

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/store"
)

// base is a small store: policies, roles admin ⊃ staff, editor, a mapping.
func base(t *testing.T) *Directory {
	return build(t,
		obj{"policy/read", readOrders},
		obj{"policy/admin-all", adminPolicy},
		obj{"role/staff", `{"policies": ["read"]}`},
		obj{"role/editor", `{"includes": ["staff"]}`},
		obj{"role/admin", `{"policies": ["admin-all"], "includes": ["editor"]}`},
		obj{"role/viewer", `{}`},
		obj{"role_mapping/1", `{"principal_type": "USER", "principal_id": "1", "role": "admin"}`},
		obj{"role_mapping/2", `{"principal_type": "ROLE", "principal_id": "viewer", "role": "staff"}`},
		obj{"user/1", `{"policies": ["read"]}`},
		obj{"claim_rule/r1", `{"claim": "groups", "op": "contains", "value": "admins", "role": "admin"}`},
	)
}

// TestValidateCycles checks that a cycle of roles, through includes, ROLE
// mappings or both, is refused with the cycle named (API.md §2: one cycle
// check covers both).
func TestValidateCycles(t *testing.T) {
	tests := []struct {
		name    string
		changes []store.Change
		// path is the cycle the message must name.
		path string
	}{
		{"self include", []store.Change{put("role/staff", `{"includes": ["staff"]}`)}, "staff → staff"},
		{"self ROLE mapping", []store.Change{put("role_mapping/9", `{"principal_type": "ROLE", "principal_id": "staff", "role": "staff"}`)}, "staff → staff"},
		{"direct includes", []store.Change{put("role/staff", `{"includes": ["editor"]}`)}, "staff → editor → staff"},
		{"through three roles", []store.Change{put("role/staff", `{"policies": ["read"], "includes": ["admin"]}`)}, "staff → admin → editor → staff"},
		{"via ROLE mapping", []store.Change{put("role_mapping/9", `{"principal_type": "ROLE", "principal_id": "staff", "role": "viewer"}`)}, "staff → viewer → staff"},
		{"mixed: includes then mapping", []store.Change{put("role_mapping/9", `{"principalType": "ROLE", "principalId": "staff", "role": "admin"}`)}, "staff → admin → editor → staff"},
		{"two writes closing it together", []store.Change{
			put("role/a", `{"includes": ["b"]}`),
			put("role/b", `{}`),
			put("role_mapping/9", `{"principal_type": "ROLE", "principal_id": "b", "role": "a"}`)}, "a → b → a"},
	}
	d := base(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Validate(tc.changes...)
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeRoleCycle || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Validate = %v, want a role cycle", err)
			}
			if !strings.Contains(e.Message, tc.path) {
				t.Errorf("message %q does not name the cycle %q", e.Message, tc.path)
			}
			if len(e.Refs) == 0 {
				t.Errorf("no refs")
			}
		})
	}
	// Not cycles: a diamond, and a chain.
	for _, changes := range [][]store.Change{
		{put("role/top", `{"includes": ["admin", "editor", "staff"]}`)},
		{put("role_mapping/9", `{"principal_type": "ROLE", "principal_id": "viewer", "role": "editor"}`)},
		{put("role_mapping/9", `{"principal_type": "ROLE", "principal_id": "$authenticated", "role": "viewer"}`)},
	} {
		if _, err := d.Validate(changes...); err != nil {
			t.Errorf("Validate(%s) = %v, want no error", changes[0].Body, err)
		}
	}
}

// TestValidateReferences checks what must exist when a write is committed
// (package doc, "References").
func TestValidateReferences(t *testing.T) {
	d := base(t)
	tests := []struct {
		name    string
		changes []store.Change
		code    string
		class   error
		// says are parts the message must hold.
		says []string
		refs []string
	}{
		{"role lists a missing policy", []store.Change{put("role/x", `{"policies": ["nope"]}`)},
			CodeMissingReference, ErrInvalid, []string{`role x names the policy "nope", which does not exist`}, []string{"policy/nope"}},
		{"user lists a missing policy", []store.Change{put("user/2", `{"policies": ["nope"]}`)},
			CodeMissingReference, ErrInvalid, []string{`user 2 names the policy "nope"`}, nil},
		{"mapping to a missing role, with a suggestion", []store.Change{put("role_mapping/9", `{"principal_type": "USER", "principal_id": "2", "role": "amdin"}`)},
			CodeMissingReference, ErrInvalid, []string{`role mapping 9 names the role "amdin", which does not exist (did you mean "admin"?)`}, []string{"role/amdin"}},
		{"claim rule to a missing role", []store.Change{put("claim_rule/r2", `{"claim": "g", "op": "present", "role": "ghost"}`)},
			CodeMissingReference, ErrInvalid, []string{`claim rule r2 names the role "ghost"`}, nil},
		{"include a missing role", []store.Change{put("role/x", `{"includes": ["ghost"]}`)},
			CodeMissingReference, ErrInvalid, []string{`role x names the role "ghost"`}, nil},
		{"ROLE mapping from a missing role", []store.Change{put("role_mapping/9", `{"principal_type": "ROLE", "principal_id": "ghost", "role": "staff"}`)},
			CodeMissingReference, ErrInvalid, []string{`names the role "ghost"`}, nil},
		{"delete a policy in use", []store.Change{del("policy/read")},
			CodeInUse, ErrInUse, []string{`policy "read" is still attached to role staff, user 1`}, []string{"role/staff", "user/1"}},
		{"delete a role in use", []store.Change{del("role/staff")},
			CodeInUse, ErrInUse, []string{`role "staff" is still used by role editor, role mapping 2`}, []string{"role/editor", "role_mapping/2"}},
		{"delete a role used by a claim rule", []store.Change{del("role_mapping/1"), del("role/admin")},
			CodeInUse, ErrInUse, []string{`role "admin" is still used by claim rule r1`}, []string{"claim_rule/r1"}},
		{"delete something absent", []store.Change{del("role/ghost")},
			CodeNotFound, ErrNotFound, []string{`there is no role "ghost" to delete`}, nil},
		{"a bad object among several", []store.Change{put("role/x", `{}`), put("role/y", `{"policies": 1}`)},
			CodeMalformed, ErrMalformed, []string{`role "y" is not valid`}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Validate(tc.changes...)
			var e *Error
			if !errors.As(err, &e) || e.Code != tc.code || !errors.Is(err, tc.class) {
				t.Fatalf("Validate = %#v, want code %s", err, tc.code)
			}
			for _, s := range tc.says {
				if !strings.Contains(e.Message, s) {
					t.Errorf("message %q does not say %q", e.Message, s)
				}
			}
			if tc.refs != nil && !reflect.DeepEqual(e.Refs, tc.refs) {
				t.Errorf("refs = %q, want %q", e.Refs, tc.refs)
			}
		})
	}

	ok := [][]store.Change{
		// Creating what is referenced in the same write.
		{put("role/x", `{"policies": ["new"]}`), put("policy/new", readOrders)},
		// Detaching and deleting together.
		{put("role/staff", `{}`), put("user/1", `{}`), del("policy/read")},
		// Mappings of users, groups and apps that are not stored.
		{put("role_mapping/9", `{"principal_type": "GROUP", "principal_id": "nobody-stored", "role": "staff"}`)},
		{put("role_mapping/9", `{"principal_type": "APP", "principal_id": "billing", "role": "staff"}`)},
		// A user in groups that are not stored; a boundary on a user that is not.
		{put("user/9", `{"groups": ["g1", "g2"]}`)},
		{put("boundary/b", `{"principal_type": "USER", "principal_id": "ghost", "document": {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}}`)},
		// Deleting what nothing references.
		{del("role_mapping/2"), del("role/viewer")},
		// Replacing a role with the same references.
		{put("role/admin", `{"description": "x", "policies": ["admin-all"], "includes": ["editor"]}`)},
	}
	for _, changes := range ok {
		if _, err := d.Validate(changes...); err != nil {
			t.Errorf("Validate(%s %s) = %v", changes[0].Kind, changes[0].ID, err)
		}
	}
	// A nil directory is an empty store.
	var empty *Directory
	if _, err := empty.Validate(put("role/x", `{}`)); err != nil {
		t.Errorf("empty store: %v", err)
	}
	if _, err := empty.Validate(put("role/x", `{"policies": ["p"]}`)); err == nil {
		t.Errorf("empty store: a missing policy is accepted")
	}
}

// TestValidateResult checks what a successful validation returns.
func TestValidateResult(t *testing.T) {
	d := base(t)
	v, err := d.Validate(
		put("policy/vars", `{"document": {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"}}}`),
		put("role_mapping/9", `{"principal_type": "USER", "principal_id": "1", "role": "admin"}`),
		del("role_mapping/2"))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Objects) != 3 || v.Objects[0].Kind() != KindPolicy || v.Objects[2] != nil {
		t.Errorf("objects = %v", v.Objects)
	}
	if len(v.Findings) == 0 || v.Findings[0].File != "policy/vars" {
		t.Errorf("findings = %v, want the policy's warnings with its ref as File", v.Findings)
	}
	if got := codes(v.Warnings); !reflect.DeepEqual(got, []string{CodeDuplicateMapping}) {
		t.Errorf("warnings = %v, want a duplicate mapping", v.Warnings)
	}
}
