package engine

import (
	"testing"

	"gatehouse.dev/gatehouse/policy"
)

func strs(vs ...string) []policy.Str {
	out := make([]policy.Str, len(vs))
	for i, v := range vs {
		out[i] = policy.Str{Value: v}
	}
	return out
}

func doc(stmts ...*policy.Statement) *policy.Document {
	for i, s := range stmts {
		s.Index = i
	}
	return &policy.Document{Version: policy.Version2012, Statements: stmts, StatementIsList: true}
}

func allow(actions, resources []string) *policy.Statement {
	return &policy.Statement{Effect: policy.Allow, Action: strs(actions...), Resource: strs(resources...)}
}

func deny(actions, resources []string) *policy.Statement {
	s := allow(actions, resources)
	s.Effect = policy.Deny
	return s
}

func mustCompile(t testing.TB, ps ...Policy) *Engine {
	t.Helper()
	e, err := Compile(ps)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func user(id string) Principal { return Principal{Type: "user", ID: id} }

// Evaluation logic from the IAM User Guide, "Policy evaluation logic":
// explicit deny beats allow beats implicit deny; a permissions boundary and a
// session policy each intersect; a resource-based policy that names the
// principal directly is not limited by the boundary.
func TestDecideCombining(t *testing.T) {
	idAllowS3 := Policy{Name: "id", Kind: policy.KindIdentity, Doc: doc(allow([]string{"s3:*"}, []string{"arn:aws:s3:::b/*"}))}
	idDenyPriv := Policy{Name: "deny", Kind: policy.KindIdentity, Doc: doc(deny([]string{"s3:GetObject"}, []string{"arn:aws:s3:::b/private/*"}))}
	boundaryGet := Policy{Name: "boundary", Kind: policy.KindBoundary, Doc: doc(allow([]string{"s3:GetObject"}, []string{"*"}))}
	sessionPub := Policy{Name: "session", Kind: policy.KindSession, Doc: doc(allow([]string{"s3:*"}, []string{"arn:aws:s3:::b/public/*"}))}
	resDirect := &policy.Statement{Effect: policy.Allow, Action: strs("s3:PutObject"), Resource: strs("arn:aws:s3:::b/*"),
		Principal: &policy.Principal{Entries: []policy.PrincipalEntry{{Type: policy.Str{Value: "User"}, IDs: strs("alice")}}}}
	resRole := &policy.Statement{Effect: policy.Allow, Action: strs("s3:DeleteObject"), Resource: strs("arn:aws:s3:::b/*"),
		Principal: &policy.Principal{Entries: []policy.PrincipalEntry{{Type: policy.Str{Value: "Role"}, IDs: strs("ops")}}}}
	resPol := Policy{Name: "res", Kind: policy.KindResource, Doc: doc(resDirect, resRole)}

	tests := []struct {
		name     string
		policies []Policy
		action   string
		resource string
		roles    []string
		want     Reason
	}{
		{"no policies: implicit deny", nil, "s3:GetObject", "arn:aws:s3:::b/x", nil, ImplicitDeny},
		{"identity allow", []Policy{idAllowS3}, "s3:GetObject", "arn:aws:s3:::b/x", nil, Allowed},
		{"action is case-insensitive", []Policy{idAllowS3}, "S3:GETOBJECT", "arn:aws:s3:::b/x", nil, Allowed},
		{"resource is case-sensitive", []Policy{idAllowS3}, "s3:GetObject", "arn:aws:s3:::B/x", nil, ImplicitDeny},
		{"explicit deny wins", []Policy{idAllowS3, idDenyPriv}, "s3:GetObject", "arn:aws:s3:::b/private/x", nil, ExplicitDeny},
		{"deny elsewhere does not apply", []Policy{idAllowS3, idDenyPriv}, "s3:GetObject", "arn:aws:s3:::b/public/x", nil, Allowed},
		{"boundary allows", []Policy{idAllowS3, boundaryGet}, "s3:GetObject", "arn:aws:s3:::b/x", nil, Allowed},
		{"boundary limits", []Policy{idAllowS3, boundaryGet}, "s3:PutObject", "arn:aws:s3:::b/x", nil, ImplicitDeny},
		{"boundary alone grants nothing", []Policy{boundaryGet}, "s3:GetObject", "arn:aws:s3:::b/x", nil, ImplicitDeny},
		{"session limits", []Policy{idAllowS3, sessionPub}, "s3:GetObject", "arn:aws:s3:::b/private/x", nil, ImplicitDeny},
		{"session allows", []Policy{idAllowS3, sessionPub}, "s3:GetObject", "arn:aws:s3:::b/public/x", nil, Allowed},
		{"resource policy alone", []Policy{resPol}, "s3:PutObject", "arn:aws:s3:::b/x", nil, Allowed},
		{"resource policy naming the user is not limited by boundary", []Policy{resPol, boundaryGet}, "s3:PutObject", "arn:aws:s3:::b/x", nil, Allowed},
		{"resource policy via role is limited by boundary", []Policy{resPol, boundaryGet}, "s3:DeleteObject", "arn:aws:s3:::b/x", []string{"ops"}, ImplicitDeny},
		{"resource policy via role without boundary", []Policy{resPol}, "s3:DeleteObject", "arn:aws:s3:::b/x", []string{"ops"}, Allowed},
		{"resource policy other role", []Policy{resPol}, "s3:DeleteObject", "arn:aws:s3:::b/x", []string{"dev"}, ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustCompile(t, tt.policies...)
			r := &Request{Principal: Principal{Type: "user", ID: "alice", Roles: tt.roles}, Action: tt.action, Resource: Resource{Name: tt.resource}}
			if got := e.Decide(r).Reason; got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// NotAction / NotResource: the statement applies to everything not listed
// (IAM User Guide, "IAM JSON policy elements: NotAction", "NotResource").
func TestDecideNotElements(t *testing.T) {
	s := &policy.Statement{Effect: policy.Allow, NotAction: strs("iam:*"), NotResource: strs("arn:secret")}
	e := mustCompile(t, Policy{Name: "p", Doc: doc(s)})
	for _, tt := range []struct {
		action, resource string
		want             Reason
	}{
		{"s3:GetObject", "arn:x", Allowed},
		{"IAM:CreateUser", "arn:x", ImplicitDeny},
		{"s3:GetObject", "arn:secret", ImplicitDeny},
	} {
		r := &Request{Principal: user("a"), Action: tt.action, Resource: Resource{Name: tt.resource}}
		if got := e.Decide(r).Reason; got != tt.want {
			t.Errorf("%s on %s: got %v, want %v", tt.action, tt.resource, got, tt.want)
		}
	}
}

// The deciding statement is reported.
func TestDecideBy(t *testing.T) {
	a := allow([]string{"orders:Read"}, []string{"orders:acme/*"})
	a.Sid = "ReadAcme"
	d := deny([]string{"orders:*"}, []string{"orders:acme/secret"})
	d.Sid = "NoSecret"
	e := mustCompile(t, Policy{Name: "p.json", Doc: doc(a, d)})
	got := e.Decide(&Request{Principal: user("a"), Action: "orders:Read", Resource: Resource{Name: "orders:acme/1"}})
	if !got.Allowed() || got.By == nil || got.By.Sid != "ReadAcme" || got.By.Policy != "p.json" || got.By.Index != 0 {
		t.Errorf("allow: got %+v %+v", got, got.By)
	}
	got = e.Decide(&Request{Principal: user("a"), Action: "orders:Read", Resource: Resource{Name: "orders:acme/secret"}})
	if got.Reason != ExplicitDeny || got.By == nil || got.By.Sid != "NoSecret" || got.By.Index != 1 {
		t.Errorf("deny: got %+v %+v", got, got.By)
	}
}

// Field checks are the same action on "<name>#<field>" (API.md §5).
func TestDecideFields(t *testing.T) {
	e := mustCompile(t, Policy{Name: "p", Doc: doc(
		allow([]string{"graphql:Read"}, []string{"graphql:User/*#id", "graphql:User/*#email"}),
	)})
	r := &Request{Principal: user("a"), Action: "graphql:Read", Resource: Resource{Name: "graphql:User/42"}}
	_, fs := e.DecideFields(r, []string{"id", "email", "firstName"}, nil)
	want := map[string]bool{"id": true, "email": true, "firstName": false}
	for _, f := range fs {
		if f.Decision.Allowed() != want[f.Field] {
			t.Errorf("field %s: got %v", f.Field, f.Decision)
		}
	}
}

// The decision path allocates nothing in the common case (STYLE.md: an
// allocation budget, not a timer).
func TestDecideAllocs(t *testing.T) {
	var stmts []*policy.Statement
	for _, svc := range []string{"orders", "billing", "users"} {
		stmts = append(stmts,
			allow([]string{svc + ":Read", svc + ":List"}, []string{svc + ":acme/*"}),
			allow([]string{svc + ":Get*"}, []string{svc + ":${principal:tenant}/*"}),
			deny([]string{svc + ":Delete"}, []string{"*"}),
		)
	}
	e := mustCompile(t, Policy{Name: "p", Doc: doc(stmts...)})
	reqs := []*Request{
		{Principal: user("a"), Action: "orders:Read", Resource: Resource{Name: "orders:acme/1"}},
		{Principal: user("a"), Action: "Orders:Delete", Resource: Resource{Name: "orders:acme/1"}},
		{Principal: Principal{Type: "user", ID: "a", Attributes: map[string]Values{"tenant": {"globex"}}}, Action: "billing:GetInvoice", Resource: Resource{Name: "billing:globex/7"}},
		{Principal: user("a"), Action: "users:Write", Resource: Resource{Name: "users:acme/1"}},
	}
	for _, r := range reqs {
		if n := testing.AllocsPerRun(100, func() { e.Decide(r) }); n != 0 {
			t.Errorf("Decide(%s %s) allocates %v times", r.Action, r.Resource.Name, n)
		}
	}
}
