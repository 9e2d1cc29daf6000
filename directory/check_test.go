package directory

import (
	"strings"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/engine"
)

// TestLoopBackThread is the thread "LoopBack – how do I map a logged-in
// user to the admin role?" (examples/loopback-roles): user 1 is mapped to
// admin through a role mapping and gets access; everyone else is denied by
// default, with no Deny statement at all (IAM: "By default, all requests
// are implicitly denied").
func TestLoopBackThread(t *testing.T) {
	stores := map[string]*Directory{
		// The example's policy, conditioned on principal:roles, attached
		// to every principal.
		"conditioned policy on $everyone": build(t,
			obj{"policy/admin-all", adminPolicy},
			obj{"role/$everyone", `{"policies": ["admin-all"]}`},
			obj{"role/admin", `{}`},
			obj{"role_mapping/7", `{"principal_type": "USER", "principal_id": "1", "role": "admin"}`}),
		// The same grant as a policy attached to the admin role.
		"policy attached to admin": build(t,
			obj{"policy/orders", `{"document": {"Statement": {"Sid": "AdminAll", "Effect": "Allow", "Action": "orders:*", "Resource": "orders:Order/*"}}}`},
			obj{"role/admin", `{"policies": ["orders"]}`},
			obj{"role_mapping/7", `{"principal_type": "USER", "principal_id": "1", "role": "admin"}`}),
	}
	for name, d := range stores {
		t.Run(name, func(t *testing.T) {
			if len(d.Warnings()) > 0 {
				t.Errorf("warnings: %v", d.Warnings())
			}
			for _, tc := range []struct {
				s      Subject
				action string
				want   engine.Reason
			}{
				{Subject{Type: "user", ID: "1"}, "orders:deleteById", engine.Allowed},
				{Subject{Type: "user", ID: "1"}, "orders:find", engine.Allowed},
				{Subject{Type: "user", ID: "2"}, "orders:find", engine.ImplicitDeny},
				{Subject{Type: "app", ID: "1"}, "orders:find", engine.ImplicitDeny},
				{Subject{}, "orders:find", engine.ImplicitDeny},
			} {
				in := &CheckInput{Subject: tc.s, Action: tc.action, Resource: engine.Resource{Name: "orders:Order/17"}}
				r := d.Check(in)
				if r.Decision.Reason != tc.want {
					t.Errorf("%s %s %s: %v, want %v", tc.s.Type, tc.s.ID, tc.action, r.Decision.Reason, tc.want)
				}
				if r.Decision.Allowed() && r.Decision.By.Sid != "AdminAll" {
					t.Errorf("allowed by %+v", r.Decision.By)
				}
			}
			x := d.Explain(&CheckInput{Subject: Subject{Type: "user", ID: "1"}, Action: "orders:deleteById", Resource: engine.Resource{Name: "orders:Order/17"}})
			if !x.Explanation.Decision.Allowed() || x.Resolution.Why("admin") != "admin via role mapping 7: USER 1 → admin" {
				t.Errorf("explain: %v, admin %q", x.Explanation.Decision, x.Resolution.Why("admin"))
			}
		})
	}
}

// TestCheck decides against a small store with every kind of attachment.
func TestCheck(t *testing.T) {
	doc := func(stmts string) string {
		return `{"document": {"Version": "2012-10-17", "Statement": [` + stmts + `]}}`
	}
	d := build(t,
		obj{"policy/dept", doc(`{"Sid": "Dept", "Effect": "Allow", "Action": "hr:read", "Resource": "hr:dept/${principal:dept}"}`)},
		obj{"policy/level", doc(`{"Sid": "Level", "Effect": "Allow", "Action": "hr:promote", "Resource": "*", "Condition": {"NumericGreaterThanEquals": {"principal:level": "3"}}}`)},
		obj{"policy/office", doc(`{"Sid": "Office", "Effect": "Allow", "Action": "door:open", "Resource": "*",
			"Condition": {"IpAddress": {"request:ip": "10.0.0.0/8"}, "DateLessThan": {"request:time": "2030-01-01T00:00:00Z"}}}`)},
		obj{"policy/eng", doc(`{"Sid": "Eng", "Effect": "Allow", "Action": "repo:push", "Resource": "*"}`)},
		obj{"policy/billing", doc(`{"Sid": "Bill", "Effect": "Allow", "Action": "invoice:*", "Resource": "*"}`)},
		obj{"policy/fields", doc(`{"Sid": "Fields", "Effect": "Allow", "Action": "graphql:read", "Resource": ["graphql:User/42", "graphql:User/*#email"]},
			{"Sid": "NoName", "Effect": "Deny", "Action": "graphql:read", "Resource": "graphql:User/*#firstName"}`)},
		obj{"policy/owner", doc(`{"Sid": "Own", "Effect": "Allow", "Action": "orders:cancel", "Resource": "*"}`)},
		obj{"role/$owner", `{"policies": ["owner"]}`},
		obj{"role/$authenticated", `{"policies": ["fields"]}`},
		obj{"user/1", `{"attributes": {"dept": "7", "level": 2}, "groups": ["eng"], "policies": ["dept", "level", "office"]}`},
		obj{"group/eng", `{"policies": ["eng"]}`},
		obj{"app/billing", `{"policies": ["billing", "eng"]}`},
		obj{"boundary/b1", `{"principal_type": "APP", "principal_id": "billing", "document": {"Statement": {"Effect": "Allow", "Action": "invoice:*", "Resource": "*"}}}`},
		obj{"resource_policy/audit", `{"resource": "ledger:*", "document": {"Statement": {"Sid": "Auditors", "Effect": "Allow", "Principal": {"Role": "auditor"}, "Action": "ledger:read"}}}`},
		obj{"role/auditor", `{}`},
		obj{"claim_rule/aud", `{"claim": "groups", "op": "contains", "value": "audit", "role": "auditor"}`},
	)
	if len(d.Warnings()) > 0 {
		t.Fatalf("warnings: %v", d.Warnings())
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	user1 := Subject{Type: "user", ID: "1"}
	tests := []struct {
		name     string
		in       CheckInput
		want     engine.Reason
		sid      string
		fields   map[string]engine.Reason
		keyCheck func(t *testing.T, r *engine.Request)
	}{
		{name: "stored attribute in a variable", in: CheckInput{Subject: user1, Action: "hr:read", Resource: engine.Resource{Name: "hr:dept/7"}}, want: engine.Allowed, sid: "Dept"},
		{name: "caller's attribute wins, ignoring case", in: CheckInput{Subject: Subject{Type: "user", ID: "1", Attributes: map[string]engine.Values{"Dept": {"9"}}},
			Action: "hr:read", Resource: engine.Resource{Name: "hr:dept/9"}}, want: engine.Allowed, sid: "Dept",
			keyCheck: func(t *testing.T, r *engine.Request) {
				if _, stored := r.Principal.Attributes["dept"]; stored || r.Principal.Attributes["level"][0] != "2" {
					t.Errorf("attributes = %v: want Dept from the caller and level from the store", r.Principal.Attributes)
				}
			}},
		{name: "stored attribute not overridden", in: CheckInput{Subject: user1, Action: "hr:read", Resource: engine.Resource{Name: "hr:dept/9"}}, want: engine.ImplicitDeny},
		{name: "stored number attribute", in: CheckInput{Subject: user1, Action: "hr:promote", Resource: engine.Resource{Name: "x"}}, want: engine.ImplicitDeny},
		{name: "caller raises the level", in: CheckInput{Subject: Subject{Type: "user", ID: "1", Attributes: map[string]engine.Values{"level": {"3"}}}, Action: "hr:promote", Resource: engine.Resource{Name: "x"}}, want: engine.Allowed},
		{name: "request ip and time", in: CheckInput{Subject: user1, Action: "door:open", Resource: engine.Resource{Name: "door:1"}, IP: "10.1.2.3", Now: now}, want: engine.Allowed, sid: "Office",
			keyCheck: func(t *testing.T, r *engine.Request) {
				if got := r.Context[KeyRequestTime]; len(got) != 1 || got[0] != "2026-05-01T12:00:00Z" {
					t.Errorf("request:time = %v", got)
				}
			}},
		{name: "request ip outside", in: CheckInput{Subject: user1, Action: "door:open", Resource: engine.Resource{Name: "door:1"}, IP: "192.168.1.1", Now: now}, want: engine.ImplicitDeny},
		{name: "request time too late", in: CheckInput{Subject: user1, Action: "door:open", Resource: engine.Resource{Name: "door:1"}, IP: "10.1.2.3", Now: now.AddDate(10, 0, 0)}, want: engine.ImplicitDeny},
		{name: "server's ip replaces the context's", in: CheckInput{Subject: user1, Action: "door:open", Resource: engine.Resource{Name: "door:1"},
			Context: map[string]engine.Values{"Request:IP": {"10.0.0.1"}}, IP: "192.168.1.1", Now: now}, want: engine.ImplicitDeny},
		{name: "stored group's policy", in: CheckInput{Subject: user1, Action: "repo:push", Resource: engine.Resource{Name: "repo:x"}}, want: engine.Allowed, sid: "Eng"},
		{name: "given group's policy", in: CheckInput{Subject: Subject{Type: "user", ID: "2", Groups: []string{"eng"}}, Action: "repo:push", Resource: engine.Resource{Name: "repo:x"}}, want: engine.Allowed},
		{name: "app's policy within its boundary", in: CheckInput{Subject: Subject{Type: "app", ID: "billing"}, Action: "invoice:send", Resource: engine.Resource{Name: "i:1"}}, want: engine.Allowed},
		{name: "app's policy outside its boundary", in: CheckInput{Subject: Subject{Type: "app", ID: "billing"}, Action: "repo:push", Resource: engine.Resource{Name: "repo:x"}}, want: engine.ImplicitDeny},
		{name: "$owner's policy", in: CheckInput{Subject: Subject{Type: "user", ID: "5"}, Action: "orders:cancel", Resource: engine.Resource{Name: "orders:1", Attributes: map[string]engine.Values{"owner": {"5"}}}}, want: engine.Allowed, sid: "Own"},
		{name: "not the owner", in: CheckInput{Subject: Subject{Type: "user", ID: "6"}, Action: "orders:cancel", Resource: engine.Resource{Name: "orders:1", Attributes: map[string]engine.Values{"owner": {"5"}}}}, want: engine.ImplicitDeny},
		{name: "resource policy for a claimed role", in: CheckInput{Subject: Subject{Type: "user", ID: "x", Claims: map[string]engine.Values{"groups": {"audit"}}}, Action: "ledger:read", Resource: engine.Resource{Name: "ledger:2026"}}, want: engine.Allowed, sid: "Auditors",
			keyCheck: func(t *testing.T, r *engine.Request) {
				if r.Claims["groups"][0] != "audit" {
					t.Errorf("claims = %v", r.Claims)
				}
			}},
		{name: "fields", in: CheckInput{Subject: user1, Action: "graphql:read", Resource: engine.Resource{Name: "graphql:User/42"}, Fields: []string{"email", "firstName", "phone"}},
			want: engine.Allowed, fields: map[string]engine.Reason{"email": engine.Allowed, "firstName": engine.ExplicitDeny, "phone": engine.ImplicitDeny}},
		{name: "anonymous has no $authenticated policy", in: CheckInput{Action: "graphql:read", Resource: engine.Resource{Name: "graphql:User/42"}}, want: engine.ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := d.Check(&tc.in)
			if r.Decision.Reason != tc.want {
				t.Fatalf("decision %v, want %v", r.Decision.Reason, tc.want)
			}
			if tc.sid != "" && (r.Decision.By == nil || r.Decision.By.Sid != tc.sid) {
				t.Errorf("decided by %+v, want %s", r.Decision.By, tc.sid)
			}
			if r.Revision != 1 || r.Request == nil || r.Resolution == nil {
				t.Errorf("result lacks revision, request or resolution: %+v", r)
			}
			if len(tc.fields) != len(r.Fields) {
				t.Errorf("fields = %v, want %v", r.Fields, tc.fields)
			}
			for _, f := range r.Fields {
				if f.Decision.Reason != tc.fields[f.Field] {
					t.Errorf("field %s: %v, want %v", f.Field, f.Decision.Reason, tc.fields[f.Field])
				}
			}
			if tc.keyCheck != nil {
				tc.keyCheck(t, r.Request)
			}
			// Explain agrees with Check.
			x := d.Explain(&tc.in)
			if x.Explanation.Decision.Reason != r.Decision.Reason {
				t.Errorf("explain decided %v", x.Explanation.Decision.Reason)
			}
		})
	}
}

// TestCheckInputValidate checks what a check may not carry (API.md §3).
func TestCheckInputValidate(t *testing.T) {
	for _, tc := range []struct {
		in   CheckInput
		want string
	}{
		{CheckInput{Context: map[string]engine.Values{"aws:SourceIp": {"1.2.3.4"}, "request:ip": {"x"}}}, ""},
		{CheckInput{Context: map[string]engine.Values{"Principal:roles": {"admin"}}}, "the principal keys are filled by gatehouse"},
		{CheckInput{Context: map[string]engine.Values{"jwt:sub": {"1"}}}, "the jwt keys"},
		{CheckInput{Context: map[string]engine.Values{"resource:owner": {"1"}}}, "the resource keys"},
		{CheckInput{Subject: Subject{Attributes: map[string]engine.Values{"groups": {"admins"}}}}, "principal:groups"},
		{CheckInput{Subject: Subject{Type: "robot", ID: "1"}}, "is not user or app"},
		{CheckInput{Subject: Subject{Type: "user"}}, "needs an id"},
	} {
		err := tc.in.Validate()
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Validate(%v) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestCheckEmpty checks that a nil or empty directory denies by default.
func TestCheckEmpty(t *testing.T) {
	var d *Directory
	in := &CheckInput{Subject: Subject{Type: "user", ID: "1"}, Action: "a:b", Resource: engine.Resource{Name: "x"}}
	if r := d.Check(in); r.Decision.Reason != engine.ImplicitDeny {
		t.Errorf("nil directory: %v", r.Decision.Reason)
	}
	if x := d.Explain(in); x.Explanation.Decision.Reason != engine.ImplicitDeny || len(x.Resolution.Roles) != 2 {
		t.Errorf("nil directory explain: %v %v", x.Explanation.Decision.Reason, x.Resolution.Roles)
	}
	e, err := Build(nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.Check(in); r.Decision.Reason != engine.ImplicitDeny {
		t.Errorf("empty directory: %v", r.Decision.Reason)
	}
}

// TestCheckConcurrent checks that one directory serves checks from many
// goroutines (run with -race).
func TestCheckConcurrent(t *testing.T) {
	d := resolveStore(t)
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func(g int) {
			defer func() { done <- true }()
			for i := 0; i < 200; i++ {
				s := Subject{Type: "user", ID: "2", Groups: []string{"x", "y"}, Claims: map[string]engine.Values{"groups": {"admins"}}}
				r := d.Check(&CheckInput{Subject: s, Action: "a:b", Resource: engine.Resource{Name: "r", Attributes: map[string]engine.Values{"owner": {"2"}}}})
				if len(r.Resolution.Roles) != 6 {
					t.Errorf("roles = %v", r.Resolution.Roles)
					return
				}
			}
		}(g)
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}
