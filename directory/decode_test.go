package directory

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/engine"
)

// TestDecode checks the strict decoding and validation of every kind. The
// policy documents are validated as IAM validates them (IAM User Guide,
// "Validating IAM policies"): an error rejects the object, with its
// position in the body.
func TestDecode(t *testing.T) {
	tests := []struct {
		name, kind, id, body string
		// err is nil, ErrMalformed or ErrInvalid.
		err error
		// findings are "code line:col pointer" of every finding (errors
		// on failure, warnings on success), in order; nil to skip.
		findings []string
		// want, when set, is the decoded object (unexported fields are
		// not compared).
		want Object
	}{
		// Policies.
		{name: "policy", kind: KindPolicy, id: "read-orders", body: readOrders,
			want: &Policy{ID: "read-orders"}},
		{name: "policy with id and description", kind: KindPolicy, id: "p1",
			body: `{"id": "p1", "description": "Reads orders.", "document": {"Statement": {"Effect": "Allow", "Action": "orders:find", "Resource": "*"}}}`,
			want: &Policy{ID: "p1", Description: "Reads orders."}},
		{name: "policy id differs from the URL", kind: KindPolicy, id: "p1",
			body: `{"id": "p2", "document": {"Statement": {"Effect": "Allow", "Action": "a:b", "Resource": "*"}}}`,
			err:  ErrInvalid, findings: []string{"directory.id_mismatch 1:8 /id"}},
		{name: "policy without document", kind: KindPolicy, id: "p1", body: `{"description": "x"}`,
			err: ErrInvalid, findings: []string{"directory.missing_field 1:1 "}},
		{name: "policy document as a string", kind: KindPolicy, id: "p1", body: `{"document": "{\"Statement\": []}"}`,
			err: ErrMalformed, findings: []string{"directory.wrong_type 1:14 /document"}},
		{name: "policy with a bad Effect, positioned in the body", kind: KindPolicy, id: "p1",
			body: "{\"description\": \"x\",\n \"document\": {\"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Alow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}}",
			err:  ErrInvalid, findings: []string{"policy.bad_effect 3:27 /document/Statement/Effect"}},
		{name: "policy error on the document's first line", kind: KindPolicy, id: "p1",
			body: `{"document": {"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqualz": {"a:b": "c"}}}}}`,
			err:  ErrInvalid, findings: []string{"policy.unknown_operator 1:97 /document/Statement/Condition/StringEqualz"}},
		{name: "resource policy element in an identity policy", kind: KindPolicy, id: "p1",
			body: `{"document": {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}}}`,
			err:  ErrInvalid},
		{name: "unknown field with a suggestion", kind: KindPolicy, id: "p1", body: `{"documnet": {}}`,
			err: ErrMalformed, findings: []string{"directory.unknown_field 1:2 /documnet", "directory.missing_field 1:1 "}},
		{name: "duplicate key", kind: KindPolicy, id: "p1", body: `{"document": {}, "document": {}}`,
			err: ErrMalformed, findings: []string{"directory.duplicate_key 1:18 /document"}},
		{name: "syntax error", kind: KindPolicy, id: "p1", body: "{\"document\": {\n}, }",
			err: ErrMalformed, findings: []string{"directory.syntax 2:4 "}},
		{name: "empty body", kind: KindPolicy, id: "p1", body: "",
			err: ErrMalformed, findings: []string{"directory.syntax 1:1 "}},
		{name: "two objects", kind: KindGroup, id: "g", body: "{} {}",
			err: ErrMalformed, findings: []string{"directory.syntax 1:4 "}},
		{name: "not an object", kind: KindGroup, id: "g", body: `["a"]`,
			err: ErrMalformed, findings: []string{"directory.wrong_type 1:1 "}},
		{name: "invalid UTF-8", kind: KindGroup, id: "g", body: "{\"description\": \"\xff\"}",
			err: ErrMalformed, findings: []string{"directory.syntax 1:18 "}},
		{name: "bad policy id", kind: KindPolicy, id: "-x", body: readOrders,
			err: ErrInvalid, findings: []string{"directory.bad_id 0:0 "}},
		{name: "policy id with a slash", kind: KindPolicy, id: "a/b", body: readOrders,
			err: ErrInvalid, findings: []string{"directory.bad_id 0:0 "}},
		{name: "policy id too long", kind: KindPolicy, id: strings.Repeat("p", MaxNameBytes+1), body: readOrders,
			err: ErrInvalid, findings: []string{"directory.bad_id 0:0 "}},

		// Roles.
		{name: "role", kind: KindRole, id: "admin",
			body: `{"description": "Admins.", "policies": ["p1", "p2"], "includes": ["staff"]}`,
			want: &Role{Name: "admin", Description: "Admins.", Policies: []string{"p1", "p2"}, Includes: []string{"staff"}}},
		{name: "dynamic role to attach policies", kind: KindRole, id: "$everyone", body: `{"policies": ["p1"]}`,
			want: &Role{Name: "$everyone", Policies: []string{"p1"}}},
		{name: "role named with a $ that is not dynamic", kind: KindRole, id: "$admin", body: `{}`,
			err: ErrInvalid, findings: []string{"directory.bad_id 0:0 "}},
		{name: "role including a dynamic role", kind: KindRole, id: "guest", body: `{"includes": ["$authenticated"]}`,
			err: ErrInvalid, findings: []string{"directory.dynamic_role 1:15 /includes/0"}},
		{name: "role listing a policy twice", kind: KindRole, id: "admin", body: `{"policies": ["p1", "p1"]}`,
			err: ErrInvalid, findings: []string{"directory.duplicate 1:21 /policies/1"}},
		{name: "role with a bad policy id", kind: KindRole, id: "admin", body: `{"policies": ["p 1"]}`,
			err: ErrInvalid, findings: []string{"directory.bad_id 1:15 /policies/0"}},
		{name: "role policies not a list", kind: KindRole, id: "admin", body: `{"policies": "p1"}`,
			err: ErrMalformed, findings: []string{"directory.wrong_type 1:14 /policies"}},
		{name: "role policies holding a number", kind: KindRole, id: "admin", body: `{"policies": [1]}`,
			err: ErrMalformed, findings: []string{"directory.wrong_type 1:15 /policies/0"}},
		{name: "role null fields are absent", kind: KindRole, id: "admin", body: `{"description": null, "policies": null}`,
			want: &Role{Name: "admin"}},
		{name: "role with a trust policy", kind: KindRole, id: "deployer", body: `{"trust_policy": {"Statement": {"Effect": "Allow", "Principal": {"User": "ci"}, "Action": "gatehouse:AssumeRole"}}, "max_session_seconds": 3600}`,
			want: &Role{Name: "deployer", MaxSessionSeconds: 3600}},
		{name: "trust policy without Principal", kind: KindRole, id: "deployer", body: `{"trust_policy": {"Statement": {"Effect": "Allow", "Action": "gatehouse:AssumeRole"}}}`,
			err: ErrInvalid},
		{name: "trust policy on a dynamic role", kind: KindRole, id: "$everyone", body: `{"trust_policy": {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "gatehouse:AssumeRole"}}}`,
			err: ErrInvalid, findings: []string{"directory.dynamic_role 1:18 /trust_policy"}},
		{name: "session too long", kind: KindRole, id: "r", body: `{"max_session_seconds": 86400}`,
			err: ErrInvalid, findings: []string{"directory.bad_value 1:25 /max_session_seconds"}},
		{name: "session not whole", kind: KindRole, id: "r", body: `{"max_session_seconds": 1e3}`,
			err: ErrMalformed, findings: []string{"directory.wrong_type 1:25 /max_session_seconds"}},
		{name: "role name in the body", kind: KindRole, id: "r", body: `{"name": "r"}`, want: &Role{Name: "r"}},

		// Role mappings.
		{name: "mapping", kind: KindRoleMapping, id: "7", body: `{"principal_type": "USER", "principal_id": "1", "role": "admin"}`,
			want: &RoleMapping{ID: "7", PrincipalType: PrincipalUser, PrincipalID: "1", Role: "admin"}},
		{name: "mapping with LoopBack spellings", kind: KindRoleMapping, id: "8", body: `{"principalType": "GROUP", "principalId": "/admins", "role": "admin"}`,
			want: &RoleMapping{ID: "8", PrincipalType: PrincipalGroup, PrincipalID: "/admins", Role: "admin"}},
		{name: "mapping with both spellings", kind: KindRoleMapping, id: "8", body: `{"principalType": "USER", "principal_type": "USER", "principal_id": "1", "role": "admin"}`,
			err: ErrMalformed, findings: []string{"directory.duplicate_key 1:27 /principal_type"}},
		{name: "mapping type in lower case", kind: KindRoleMapping, id: "8", body: `{"principal_type": "user", "principal_id": "1", "role": "admin"}`,
			err: ErrInvalid, findings: []string{"directory.bad_value 1:20 /principal_type"}},
		{name: "mapping to a dynamic role", kind: KindRoleMapping, id: "8", body: `{"principal_type": "USER", "principal_id": "1", "role": "$owner"}`,
			err: ErrInvalid, findings: []string{"directory.dynamic_role 1:57 /role"}},
		{name: "ROLE mapping from a dynamic role", kind: KindRoleMapping, id: "9", body: `{"principal_type": "ROLE", "principal_id": "$authenticated", "role": "member"}`,
			want: &RoleMapping{ID: "9", PrincipalType: PrincipalRole, PrincipalID: "$authenticated", Role: "member"}},
		{name: "ROLE mapping from a bad role", kind: KindRoleMapping, id: "9", body: `{"principal_type": "ROLE", "principal_id": "a b", "role": "member"}`,
			err: ErrInvalid, findings: []string{"directory.bad_id 1:44 /principal_id"}},
		{name: "mapping missing fields", kind: KindRoleMapping, id: "9", body: `{"principalType": "USER"}`,
			err: ErrInvalid, findings: []string{"directory.missing_field 1:1 ", "directory.missing_field 1:1 "}},
		{name: "mapping with an unknown field", kind: KindRoleMapping, id: "9", body: `{"principal_type": "USER", "principal_id": "1", "role": "a", "principalID": "1"}`,
			err: ErrMalformed, findings: []string{"directory.unknown_field 1:62 /principalID"}},
		{name: "user id with spaces", kind: KindRoleMapping, id: "9", body: `{"principal_type": "USER", "principal_id": "a b", "role": "a"}`,
			err: ErrInvalid, findings: []string{"directory.bad_id 1:44 /principal_id"}},

		// Users, groups, apps.
		{name: "user", kind: KindUser, id: "auth0|5f7c", body: `{"attributes": {"dept": 7, "tags": ["a", 1, true], "email": "a@example.com"}, "groups": ["eng", "/admins"], "policies": ["p1"]}`,
			want: &User{ID: "auth0|5f7c", Groups: []string{"eng", "/admins"}, Policies: []string{"p1"}}},
		{name: "user attribute reserved", kind: KindUser, id: "1", body: `{"attributes": {"Roles": ["admin"]}}`,
			err: ErrInvalid, findings: []string{"directory.reserved_attribute 1:26 /attributes/Roles"}},
		{name: "user attribute object", kind: KindUser, id: "1", body: `{"attributes": {"a": {"b": 1}}}`,
			err: ErrMalformed, findings: []string{"directory.wrong_type 1:22 /attributes/a"}},
		{name: "user attribute null", kind: KindUser, id: "1", body: `{"attributes": {"a": null}}`,
			err: ErrMalformed, findings: []string{"directory.wrong_type 1:22 /attributes/a"}},
		{name: "user attribute nested list", kind: KindUser, id: "1", body: `{"attributes": {"a": [[1]]}}`,
			err: ErrMalformed, findings: []string{"directory.wrong_type 1:23 /attributes/a/0"}},
		{name: "user attribute duplicate", kind: KindUser, id: "1", body: `{"attributes": {"a": 1, "a": 2}}`,
			err: ErrMalformed, findings: []string{"directory.duplicate_key 1:25 /attributes/a"}},
		{name: "user id .", kind: KindUser, id: ".", body: `{}`,
			err: ErrInvalid, findings: []string{"directory.bad_id 0:0 "}},
		{name: "user with a group twice", kind: KindUser, id: "1", body: `{"groups": ["a", "a"]}`,
			err: ErrInvalid, findings: []string{"directory.duplicate 1:18 /groups/1"}},
		{name: "user description is not a field", kind: KindUser, id: "1", body: `{"description": "x"}`,
			err: ErrMalformed, findings: []string{"directory.unknown_field 1:2 /description"}},
		{name: "group", kind: KindGroup, id: "eng", body: `{"description": "Engineering", "policies": ["p1"]}`,
			want: &Group{ID: "eng", Description: "Engineering", Policies: []string{"p1"}}},
		{name: "app", kind: KindApp, id: "billing", body: `{"attributes": {"tier": "gold"}, "policies": ["p1"]}`,
			want: &App{ID: "billing", Policies: []string{"p1"}}},
		{name: "description with a control character", kind: KindGroup, id: "g", body: `{"description": "a\u0000b"}`,
			err: ErrInvalid, findings: []string{"directory.bad_value 1:17 /description"}},

		// Claim rules.
		{name: "claim rule", kind: KindClaimRule, id: "r1", body: `{"claim": "groups", "op": "contains", "value": "admins", "role": "admin"}`,
			want: &ClaimRule{ID: "r1", Claim: "groups", Op: ClaimContains, Value: "admins", Role: "admin"}},
		{name: "claim rule present with issuer", kind: KindClaimRule, id: "r2", body: `{"claim": "custom:org", "op": "present", "role": "member", "issuer": "cognito"}`,
			want: &ClaimRule{ID: "r2", Claim: "custom:org", Op: ClaimPresent, Role: "member", Issuer: "cognito"}},
		{name: "claim rule present with a value", kind: KindClaimRule, id: "r2", body: `{"claim": "org", "op": "present", "value": "x", "role": "member"}`,
			err: ErrInvalid, findings: []string{"directory.bad_value 1:44 /value"}},
		{name: "claim rule contains without value", kind: KindClaimRule, id: "r2", body: `{"claim": "org", "op": "contains", "role": "member"}`,
			err: ErrInvalid, findings: []string{"directory.missing_field 1:24 /op"}},
		{name: "claim rule bad op", kind: KindClaimRule, id: "r2", body: `{"claim": "org", "op": "equal", "value": "x", "role": "member"}`,
			err: ErrInvalid, findings: []string{"directory.bad_value 1:24 /op"}},
		{name: "claim rule giving a dynamic role", kind: KindClaimRule, id: "r2", body: `{"claim": "org", "op": "present", "role": "$authenticated"}`,
			err: ErrInvalid, findings: []string{"directory.dynamic_role 1:43 /role"}},
		{name: "claim rule value not a string", kind: KindClaimRule, id: "r2", body: `{"claim": "level", "op": "equals", "value": 3, "role": "member"}`,
			err: ErrMalformed, findings: []string{"directory.wrong_type 1:45 /value"}},

		// Resource policies and boundaries.
		{name: "resource policy", kind: KindResourcePolicy, id: "orders-acme", body: `{"resource": "orders:acme/*", "document": {"Statement": {"Effect": "Allow", "Principal": {"Role": "auditor"}, "Action": "orders:find"}}}`,
			want: &ResourcePolicy{ID: "orders-acme", Resource: "orders:acme/*"}},
		{name: "resource policy without Principal", kind: KindResourcePolicy, id: "x", body: `{"resource": "orders:acme/*", "document": {"Statement": {"Effect": "Allow", "Action": "orders:find"}}}`,
			err: ErrInvalid},
		{name: "resource policy with an empty pattern", kind: KindResourcePolicy, id: "x", body: `{"resource": "", "document": {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "orders:find"}}}`,
			err: ErrInvalid, findings: []string{"directory.bad_value 1:14 /resource"}},
		{name: "boundary", kind: KindBoundary, id: "b1", body: `{"principal_type": "USER", "principal_id": "1", "document": {"Statement": {"Effect": "Allow", "Action": "orders:*", "Resource": "*"}}}`,
			want: &Boundary{ID: "b1", PrincipalType: PrincipalUser, PrincipalID: "1"}},
		{name: "boundary on a group", kind: KindBoundary, id: "b1", body: `{"principal_type": "GROUP", "principal_id": "eng", "document": {"Statement": {"Effect": "Allow", "Action": "orders:*", "Resource": "*"}}}`,
			err: ErrInvalid, findings: []string{"directory.bad_value 1:20 /principal_type"}},

		{name: "unknown kind", kind: "issuer", id: "x", body: `{}`, err: ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, fs, err := Decode(tc.kind, tc.id, []byte(tc.body))
			if tc.err == nil && err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Decode error = %v, want %v", err, tc.err)
				}
				var e *Error
				if !errors.As(err, &e) || e.Message == "" {
					t.Fatalf("Decode error %#v is not an *Error with a message", err)
				}
				fs = e.Findings
				if o != nil {
					t.Errorf("Decode returned an object with an error")
				}
			}
			if tc.findings != nil {
				var got []string
				for _, f := range fs {
					got = append(got, fmt.Sprintf("%s %d:%d %s", f.Code, f.Line, f.Col, f.Pointer))
				}
				if !reflect.DeepEqual(got, tc.findings) {
					t.Errorf("findings = %q, want %q\n%v", got, tc.findings, fs)
				}
			}
			for _, f := range fs {
				if f.Message == "" {
					t.Errorf("finding without message: %+v", f)
				}
			}
			if tc.want != nil {
				if o == nil {
					t.Fatal("no object")
				}
				if o.Kind() != tc.kind || o.ObjectID() != tc.id {
					t.Errorf("object is %s/%s, want %s/%s", o.Kind(), o.ObjectID(), tc.kind, tc.id)
				}
				if !sameExported(o, tc.want) {
					t.Errorf("object = %+v, want %+v", o, tc.want)
				}
			}
		})
	}
}

// sameExported compares the exported fields of two objects, ignoring
// documents and attributes (checked elsewhere).
func sameExported(a, b Object) bool {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	if va.Type() != vb.Type() {
		return false
	}
	for i := 0; i < va.NumField(); i++ {
		f := va.Type().Field(i)
		switch f.Name {
		case "Document", "TrustPolicy", "Attributes":
			continue
		}
		if !f.IsExported() {
			continue
		}
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if reflect.ValueOf(x).Kind() == reflect.Slice && reflect.ValueOf(x).Len() == 0 && reflect.ValueOf(y).Len() == 0 {
			continue
		}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

// TestDecodeAttributes checks that attributes become condition values as
// API.md §3 says: numbers and booleans as their JSON text, lists as
// several values.
func TestDecodeAttributes(t *testing.T) {
	o, _, err := Decode(KindUser, "1", []byte(`{"attributes": {"dept": 7, "big": 1e3, "admin": true, "tags": ["a", 2]}}`))
	if err != nil {
		t.Fatal(err)
	}
	u := o.(*User)
	want := map[string]engine.Values{"dept": {"7"}, "big": {"1e3"}, "admin": {"true"}, "tags": {"a", "2"}}
	if !reflect.DeepEqual(u.Values(), want) {
		t.Errorf("values = %v, want %v", u.Values(), want)
	}
	if got := fmt.Sprint(u.Attributes["dept"]); got != "7" {
		t.Errorf("raw attribute = %v", got)
	}
}

// TestDecodeDocumentKept checks that the document is kept as written.
func TestDecodeDocumentKept(t *testing.T) {
	doc := `{"Version":"2012-10-17",  "Statement":{"Effect":"Allow","Action":"a:b","Resource":"*"}}`
	o, _, err := Decode(KindPolicy, "p", []byte(`{"document": `+doc+`}`))
	if err != nil {
		t.Fatal(err)
	}
	p := o.(*Policy)
	if string(p.Document) != doc || p.Parsed() == nil {
		t.Errorf("document = %s (parsed %v)", p.Document, p.Parsed() != nil)
	}
}

// TestDecodeWarnings checks that a policy's warnings come back with the
// success, positioned in the body.
func TestDecodeWarnings(t *testing.T) {
	body := `{"document": {"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"}}}`
	_, fs, err := Decode(KindPolicy, "p", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) == 0 {
		t.Fatal("no warning for a policy variable without Version 2012-10-17")
	}
	for _, f := range fs {
		if !strings.HasPrefix(f.Pointer, "/document/") || f.Line != 1 || f.Col < 14 {
			t.Errorf("warning not positioned in the body: %v", f)
		}
	}
}

// TestDecodeNeverPanics feeds truncations of valid bodies.
func TestDecodeNeverPanics(t *testing.T) {
	bodies := map[string]string{
		KindPolicy:      trapPolicy,
		KindRole:        `{"policies": ["p1"], "includes": ["a"], "trust_policy": {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "x:y"}}, "max_session_seconds": 3600}`,
		KindRoleMapping: `{"principalType": "USER", "principal_id": "1", "role": "admin"}`,
		KindUser:        `{"attributes": {"a": [1, "x", true]}, "groups": ["g"], "policies": ["p"]}`,
		KindClaimRule:   `{"claim": "groups", "op": "contains", "value": "admins", "role": "admin", "issuer": "x"}`,
	}
	for kind, body := range bodies {
		for i := 0; i <= len(body); i++ {
			Decode(kind, "x", []byte(body[:i]))
		}
	}
}

// TestDecodeOpaqueScalars checks documents that are not objects, at the end
// of the body.
func TestDecodeOpaqueScalars(t *testing.T) {
	for _, body := range []string{`{"document":1}`, `{"document":"x"}`, `{"document":true}`, `{"document":[1,{"a":"}"}]}`, `{"document": null}`} {
		_, _, err := Decode(KindPolicy, "p", []byte(body))
		if err == nil || (!errors.Is(err, ErrMalformed) && !strings.Contains(body, "null")) {
			t.Errorf("%s: %v", body, err)
		}
	}
}
