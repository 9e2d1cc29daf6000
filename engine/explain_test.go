package engine

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/policy"
)

// explainPolicies is a fixed policy set touching every element explain
// reports: variables, NotAction/NotResource, conditions of several
// families, Principal/NotPrincipal, an absent Resource, a boundary with a
// Deny, a session policy, and a Version 2008 document.
func explainPolicies() []Policy {
	old := &policy.Document{Version: policy.Version2008, Statements: []*policy.Statement{
		xStmt("Home", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:::home/${aws:username}/*"})}}
	return []Policy{
		xPolicy("id.json", policy.KindIdentity,
			xStmt("OwnOrg", "Allow", []string{"orders:Read", "orders:List"}, []string{"orders:${jwt:org}/*"}),
			xStmt("Admin", "Allow", []string{"orders:*"}, []string{"orders:acme/*"}, xCond("StringEquals", "principal:roles", "admin")),
			xStmt("OpsDelete", "Deny", []string{"orders:Delete"}, []string{"*"}, xCond("StringNotEqualsIfExists", "principal:dept", "ops")),
			xStmt("MFA", "Allow", []string{"!iam:*"}, []string{"!arn:aws:s3:::secret/*"}, xCond("Bool", "jwt:mfa", "true")),
			xStmt("Home", "Allow", []string{"s3:Get*"}, []string{"arn:aws:s3:::b/${principal:id}/*"}),
			xStmt("List", "Allow", []string{"s3:ListBucket"}, []string{"arn:aws:s3:::b"}, xCond("StringLike", "s3:prefix", "${principal:id}/*")),
			xStmt("Office", "Deny", []string{"s3:*"}, []string{"arn:aws:s3:::b/private/*"}, xCond("NotIpAddress", "aws:SourceIp", "10.0.0.0/8")),
			xStmt("Items", "Allow", []string{"dynamodb:GetItem"}, []string{"arn:aws:dynamodb:us-east-2:1:table/T"},
				xCond("ForAllValues:StringEquals", "dynamodb:LeadingKeys", "${jwt:sub}")),
			xStmt("Level", "Allow", []string{"ec2:*"}, []string{"*"}, xCond("NumericLessThan", "principal:level", "5"),
				xCond("DateGreaterThan", "request:time", "2020-01-01T00:00:00Z")),
		),
		xPolicy("res.json", policy.KindResource,
			xPrincipal(xStmt("Alice", "Allow", []string{"s3:PutObject"}, []string{"arn:aws:s3:::b/*"}), false, "User:alice"),
			xPrincipal(xStmt("Ops", "Allow", []string{"s3:DeleteObject"}, []string{"arn:aws:s3:::b/*"}), false, "Role:ops"),
			xPrincipal(xStmt("Locked", "Deny", []string{"s3:*"}, []string{"arn:aws:s3:::b/locked/*"}), true, "User:root"),
			xPrincipal(xStmt("Anyone", "Allow", []string{"orders:Read"}, nil), false, "*"),
		),
		xPolicy("b.json", policy.KindBoundary,
			xStmt("Most", "Allow", []string{"s3:*", "orders:*"}, []string{"*"}),
			xStmt("NoGlobex", "Deny", []string{"orders:Delete"}, []string{"orders:globex/*"})),
		xPolicy("s.json", policy.KindSession,
			xStmt("Session", "Allow", []string{"s3:GetObject", "orders:*"}, []string{"*"})),
		{Name: "old.json", Kind: policy.KindIdentity, Doc: old},
	}
}

// explainEngines compiles several combinations of explainPolicies, so that
// boundaries and sessions are sometimes present and sometimes not.
func explainEngines(t testing.TB) []*Engine {
	ps := explainPolicies()
	var out []*Engine
	for _, idx := range [][]int{{0}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}, {1, 3}, {0, 4}, {}} {
		var sel []Policy
		for _, i := range idx {
			sel = append(sel, ps[i])
		}
		out = append(out, mustCompile(t, sel...))
	}
	return out
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func someOf(rng *rand.Rand, xs []string) []string {
	var out []string
	for _, x := range xs {
		if rng.IntN(2) == 0 {
			out = append(out, x)
		}
	}
	return out
}

// randomRequest draws a request from pools that hit and miss the policies
// above, with odd values mixed in (empty, wildcards, other case).
func randomRequest(rng *rand.Rand) *Request {
	r := &Request{
		Action: pick(rng, []string{"orders:Read", "ORDERS:read", "orders:List", "orders:Delete", "orders:Raed",
			"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "iam:CreateUser",
			"dynamodb:GetItem", "ec2:RunInstances", "", "x", "*"}),
		Resource: Resource{Name: pick(rng, []string{"orders:acme/1", "orders:globex/2", "orders:acme/", "orders:acme",
			"arn:aws:s3:::b", "arn:aws:s3:::b/alice/x", "arn:aws:s3:::b/private/x", "arn:aws:s3:::b/locked/y",
			"arn:aws:s3:::secret/z", "arn:aws:s3:::home/alice/x", "arn:aws:dynamodb:us-east-1:1:table/T",
			"arn:aws:dynamodb:us-east-2:1:table/T", "", "*", "arn:aws:s3:::B/alice/x"})},
		Principal: Principal{
			Type: pick(rng, []string{"user", "app", "", "session"}),
			ID:   pick(rng, []string{"alice", "bob", "root", "", "*"}),
		},
	}
	if rng.IntN(3) > 0 {
		r.Principal.Roles = someOf(rng, []string{"admin", "ops", "$everyone"})
	}
	if rng.IntN(3) == 0 {
		r.Principal.Groups = someOf(rng, []string{"acme", "globex"})
	}
	if rng.IntN(2) == 0 {
		r.Principal.Attributes = map[string]Values{}
		if rng.IntN(2) == 0 {
			r.Principal.Attributes["dept"] = Values{pick(rng, []string{"ops", "dev", "OPS"})}
		}
		if rng.IntN(2) == 0 {
			r.Principal.Attributes["level"] = Values{pick(rng, []string{"1", "7", "x", "4.5"})}
		}
	}
	if rng.IntN(3) > 0 {
		r.Claims = map[string]Values{}
		for _, c := range someOf(rng, []string{"org", "sub", "mfa", "Org"}) {
			r.Claims[c] = Values{pick(rng, []string{"acme", "globex", "true", "false", "alice"})}
		}
	}
	if rng.IntN(2) == 0 {
		r.Context = map[string]Values{}
		for _, k := range someOf(rng, []string{"aws:SourceIp", "s3:prefix", "dynamodb:LeadingKeys", "request:time", "principal:id", "aws:username"}) {
			var v Values
			for n := rng.IntN(3); n >= 0; n-- {
				v = append(v, pick(rng, []string{"10.1.2.3", "192.168.0.1", "alice/", "alice/x", "acme", "2024-05-01T00:00:00Z", "alice", ""}))
			}
			if rng.IntN(5) == 0 {
				v = Values{}
			}
			r.Context[k] = v
		}
	}
	return r
}

// checkExplanation checks that x tells the same story as Decide.
func checkExplanation(t *testing.T, e *Engine, r *Request, fields []string, x *Explanation) {
	t.Helper()
	d := e.Decide(r)
	if x.Decision.Reason != d.Reason || (x.Decision.By == nil) != (d.By == nil) || (d.By != nil && *x.Decision.By != *d.By) {
		t.Fatalf("%+v: Explain decided %v %v, Decide %v %v", r, x.Decision.Reason, x.Decision.By, d.Reason, d.By)
	}
	if len(x.Trace.Problems) > 0 {
		t.Fatalf("%+v: problems: %q", r, x.Trace.Problems)
	}
	if x.Trace.Reason != d.Reason || x.Trace.Decision != d.String() {
		t.Fatalf("trace says %v/%s, Decide %v", x.Trace.Reason, x.Trace.Decision, d.Reason)
	}
	switch d.Reason {
	case ImplicitDeny:
		if len(x.Statements) != 0 {
			t.Fatalf("%+v: implicit deny with statements %v", r, x.Statements)
		}
	case ExplicitDeny, Allowed:
		want := policy.Allow
		if d.Reason == ExplicitDeny {
			want = policy.Deny
		}
		if !slices.Contains(x.Statements, *d.By) {
			t.Fatalf("%+v: deciding statement %v not among %v", r, d.By, x.Statements)
		}
		for _, s := range x.Statements {
			if s.Effect != want {
				t.Fatalf("%+v: %v decision lists %v", r, d.Reason, s)
			}
		}
	}
	var decided []StatementRef
	for _, st := range x.Trace.Statements {
		if st.Decided {
			decided = append(decided, st.StatementRef)
			if !st.Matched {
				t.Fatalf("%+v: statement %v decided without matching", r, st.StatementRef)
			}
		}
	}
	if !slices.Equal(decided, x.Statements) {
		t.Fatalf("%+v: trace marks %v decided, statements are %v", r, decided, x.Statements)
	}
	_, fds := e.DecideFields(r, fields, nil)
	if len(fds) != len(x.Fields) || len(x.Trace.Fields) != len(fields) {
		t.Fatalf("fields: %v vs %v", fds, x.Fields)
	}
	for i := range fds {
		if fds[i].Field != x.Fields[i].Field || fds[i].Decision.Reason != x.Fields[i].Decision.Reason ||
			x.Trace.Fields[i].Reason != fds[i].Decision.Reason {
			t.Fatalf("field %d: %v vs %v", i, fds[i], x.Fields[i])
		}
	}
	if _, err := json.Marshal(x); err != nil {
		t.Fatal(err)
	}
	if txt := x.Text(); !strings.HasPrefix(txt, "ALLOW") && !strings.HasPrefix(txt, "DENY") {
		t.Fatalf("text starts %q", txt[:min(len(txt), 40)])
	}
}

// Explain's decision is Decide's, and its own account of the combining
// rules (which statements took part, boundary and session limits) agrees
// with it on thousands of random requests.
func TestExplainAgreesWithDecide(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	engines := explainEngines(t)
	n := 1500
	if testing.Short() {
		n = 300
	}
	seen := map[Reason]int{}
	for i := 0; i < n; i++ {
		r := randomRequest(rng)
		var fields []string
		if rng.IntN(4) == 0 {
			fields = someOf(rng, []string{"id", "email", ""})
		}
		for _, e := range engines {
			x := e.Explain(r, fields)
			checkExplanation(t, e, r, fields, x)
			seen[x.Decision.Reason]++
		}
	}
	// The pools must exercise every outcome, or the test proves little.
	for _, reason := range []Reason{ImplicitDeny, ExplicitDeny, Allowed} {
		if seen[reason] < n/50 {
			t.Errorf("only %d %v decisions in %d", seen[reason], reason, n*len(engines))
		}
	}
}

// The trace is deterministic: the same request gives the same JSON and
// text, whatever the order Go visits maps in.
func TestExplainDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	e := explainEngines(t)[3]
	for i := 0; i < 200; i++ {
		r := randomRequest(rng)
		a, b := e.Explain(r, []string{"x"}), e.Explain(r, []string{"x"})
		ja, _ := json.Marshal(a.Trace)
		jb, _ := json.Marshal(b.Trace)
		if string(ja) != string(jb) || a.Text() != b.Text() {
			t.Fatalf("%+v: two explanations differ:\n%s\n%s", r, ja, jb)
		}
	}
}

// With thousands of statements naming the action, the text lists those
// that matter and counts the rest; the JSON keeps them all.
func TestExplainTextBounded(t *testing.T) {
	var stmts []*policy.Statement
	for i := 0; i < 500; i++ {
		stmts = append(stmts, xStmt("", "Allow", []string{"orders:Read"}, []string{fmt.Sprintf("orders:tenant%d/*", i)}))
	}
	stmts = append(stmts, xStmt("Typo", "Allow", []string{"orders:Read"}, []string{"orders:Acme/*"}))
	e := mustCompile(t, xPolicy("many.json", policy.KindIdentity, stmts...))
	x := e.Explain(&Request{Action: "orders:Read", Resource: Resource{Name: "orders:acme/1"}}, nil)
	if len(x.Trace.Statements) != 501 {
		t.Errorf("trace has %d statements, want 501", len(x.Trace.Statements))
	}
	text := x.Text()
	if !strings.Contains(text, "… and 480 more statements") || !strings.Contains(text, `"Typo"`) {
		t.Errorf("text does not bound the list or lost the hinted statement:\n%s", text)
	}
}

// Explain never panics, and says something sensible about degenerate
// input: no request, no policies.
func TestExplainDegenerate(t *testing.T) {
	empty := mustCompile(t)
	x := empty.Explain(nil, nil)
	if x.Decision.Reason != ImplicitDeny || !strings.Contains(x.Text(), "no statement's Action matches") {
		t.Errorf("empty engine: %v\n%s", x.Decision, x.Text())
	}
	for _, e := range explainEngines(t) {
		checkExplanation(t, e, &Request{}, nil, e.Explain(nil, nil))
		r := &Request{Action: strings.Repeat("s3:", 100), Resource: Resource{Name: strings.Repeat("arn:", 1000) + "\xff"},
			Principal: Principal{Type: "user", ID: "\x00"}, Claims: map[string]Values{"": nil, "org": {}}}
		checkExplanation(t, e, r, []string{"a", "b"}, e.Explain(r, []string{"a", "b"}))
	}
	var nilx *Explanation
	if nilx.Text() != "" {
		t.Error("nil explanation renders text")
	}
}

// FuzzExplain: any request against a fixed policy set gives an explanation
// that agrees with Decide and never panics.
func FuzzExplain(f *testing.F) {
	f.Add("orders:Read", "orders:acme/1", "user", "alice", "admin", "acme", "aws:SourceIp", "10.0.0.1")
	f.Add("s3:GetObjects", "arn:aws:s3:::b", "app", "", "$everyone", "", "dynamodb:LeadingKeys", "")
	f.Add("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/T", "", "root", "", "x", "principal:id", "alice")
	engines := explainEngines(f)
	f.Fuzz(func(t *testing.T, action, resource, typ, id, role, claim, ctxKey, ctxVal string) {
		r := &Request{Action: action, Resource: Resource{Name: resource, Attributes: map[string]Values{"tenant": {claim}}},
			Principal: Principal{Type: typ, ID: id, Roles: []string{role}, Attributes: map[string]Values{"dept": {ctxVal}}},
			Claims:    map[string]Values{"org": {claim}, "sub": {id}},
			Context:   map[string]Values{ctxKey: {ctxVal}}}
		for _, e := range engines {
			checkExplanation(t, e, r, []string{claim}, e.Explain(r, []string{claim}))
		}
	})
}
