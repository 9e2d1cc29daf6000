package engine

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/policy"
)

// permPolicies is the policy set of TestPermissions: identity policies
// attached to roles and to everyone, a guard of Denies, and a resource
// policy naming principals in three ways. Boundaries and session policies
// are added per case.
func permPolicies() []Policy {
	attach := func(p Policy, a Attachment) Policy { p.Attach = a; return p }
	member := Attachment{AttachRole, "member"}
	shared := xPolicy("shared", policy.KindResource,
		xPrincipal(xStmt("Alice", "Allow", []string{"orders:Read"}, nil), false, "User:alice"),
		xPrincipal(xStmt("Bob", "Allow", []string{"orders:Read"}, []string{"orders:bob/*"}), false, "User:bob"),
		xPrincipal(xStmt("Members", "Allow", []string{"orders:Comment"}, []string{"orders:*"}), false, "Role:member"))
	shared.Resource = "orders:shared/*"
	return []Policy{
		attach(xPolicy("tenant-read", policy.KindIdentity,
			xStmt("TenantRead", "Allow", []string{"orders:Read", "orders:List"}, []string{"orders:${principal:companyId}/*"},
				xCond("DateLessThan", "request:time", "2030-01-01T00:00:00Z"),
				xCond("Bool", "jwt:email_verified", "true"))), member),
		attach(xPolicy("org-data", policy.KindIdentity,
			xStmt("", "Allow", []string{"s3:GetObject"}, []string{"arn:aws:s3:::data/${jwt:custom:org}/*"})), member),
		attach(xPolicy("ops-write", policy.KindIdentity,
			xStmt("", "Allow", []string{"orders:Write"}, []string{"orders:*"}, xCond("StringEquals", "principal:dept", "ops"))), member),
		attach(xPolicy("admin", policy.KindIdentity, xStmt("", "Allow", []string{"*"}, []string{"*"})), Attachment{AttachRole, "admin"}),
		xPolicy("guard", policy.KindIdentity,
			xStmt("Archive", "Deny", []string{"orders:Read"}, []string{"orders:*/archive/*"}),
			xStmt("IAM", "Deny", []string{"iam:*"}, []string{"*"}),
			xStmt("Globex", "Deny", []string{"orders:*"}, []string{"orders:globex/*"}),
			xStmt("ListOps", "Deny", []string{"orders:List"}, []string{"*"}, xCond("StringEquals", "principal:dept", "ops"))),
		shared,
		xPolicy("vpc", policy.KindIdentity,
			xStmt("", "Allow", []string{"s3:ListBucket"}, []string{"arn:aws:s3:::data"},
				xCond("StringEquals", "aws:SourceVpc", "vpc-1"),
				xCond("StringLike", "s3:prefix", "${jwt:custom:org}/*"))),
	}
}

// wantGrant is what one Grant should say: ref is "policy/index"; a limit
// is "" (none applies), "bypassed", "none" (applies, no overlapping
// Allow) or the refs of its overlapping Allows joined by ",".
type wantGrant struct {
	ref               string
	grants            bool
	status            Applicability
	resources         []string
	conds             []CondOutcome
	denies            []string
	boundary, session string
}

func permRef(s *StatementSummary) string { return fmt.Sprintf("%s/%d", s.Policy, s.Index) }

func permLimit(gl *GrantLimit) string {
	switch {
	case gl == nil:
		return ""
	case gl.Bypassed:
		return "bypassed"
	case len(gl.Allows) == 0:
		return "none"
	}
	refs := make([]string, len(gl.Allows))
	for i := range gl.Allows {
		refs[i] = permRef(&gl.Allows[i])
	}
	return strings.Join(refs, ",")
}

func gotGrant(g *Grant) wantGrant {
	w := wantGrant{ref: permRef(&g.StatementSummary), grants: g.Grants, status: g.Status,
		boundary: permLimit(g.Boundary), session: permLimit(g.Session)}
	for _, p := range g.Resources.Patterns {
		w.resources = append(w.resources, p.Pattern)
	}
	for _, c := range g.Conditions {
		w.conds = append(w.conds, c.Outcome)
	}
	for i := range g.Denies {
		w.denies = append(w.denies, permRef(&g.Denies[i]))
	}
	return w
}

// The cases cite the IAM User Guide: "Policy evaluation logic" (an
// explicit Deny overrides any Allow; identity and resource policies unite),
// "Permissions boundaries for IAM entities" (effective permissions are the
// intersection with the boundary; a resource-based policy naming the
// principal directly is not limited by it), "Session policies" (the
// session's permissions are the intersection with the role's), "IAM policy
// elements: Variables and tags" (a variable is its value in the request;
// one with no value matches nothing unless it has a default), and
// "Condition operators" (every condition of a statement must hold).
func TestPermissions(t *testing.T) {
	alice := Principal{Type: "user", ID: "alice", Roles: []string{"member"},
		Attributes: map[string]Values{"companyId": {"acme"}, "dept": {"dev"}}}
	claims := map[string]Values{"custom:org": {"globex"}, "email_verified": {"true"}}
	boundary := Policy{Name: "boundary", Kind: policy.KindBoundary, Attach: Attachment{AttachRole, "member"},
		Doc: doc(allow([]string{"orders:*"}, []string{"*"}), deny([]string{"orders:Purge"}, []string{"*"}))}
	sessionS1 := Policy{Name: "session-s1", Kind: policy.KindSession, Attach: Attachment{AttachSession, "s1"},
		Doc: doc(allow([]string{"orders:Read"}, []string{"orders:acme/reports/*"}))}
	sessionS2 := Policy{Name: "session-s2", Kind: policy.KindSession, Attach: Attachment{AttachSession, "s2"},
		Doc: doc(allow([]string{"*"}, []string{"*"}))}
	with := func(extra ...Policy) []Policy { return append(permPolicies(), extra...) }
	open, holds, fails := CondOpen, CondHolds, CondFails

	tests := []struct {
		name      string
		policies  []Policy
		principal Principal
		claims    map[string]Values
		context   map[string]Values
		want      []wantGrant
		// boundary and session: how many statements of each apply (0: none).
		boundary, session int
	}{
		{
			// ${principal:companyId} and ${jwt:custom:org} substituted;
			// request:time open, jwt:email_verified holds, principal:dept
			// fails; the admin role's Allow and bob's resource policy
			// statement are not listed; the Denies that overlap are.
			name: "member with claims", policies: permPolicies(), principal: alice, claims: claims,
			want: []wantGrant{
				{ref: "tenant-read/0", grants: true, status: StatementConditional, resources: []string{"orders:acme/*"},
					conds: []CondOutcome{open, holds}, denies: []string{"guard/0"}},
				{ref: "org-data/0", grants: true, status: StatementApplies, resources: []string{"arn:aws:s3:::data/globex/*"}},
				{ref: "ops-write/0", grants: false, status: StatementNever, resources: []string{"orders:*"},
					conds: []CondOutcome{fails}, denies: []string{"guard/2"}},
				{ref: "shared/0", grants: true, status: StatementApplies, denies: []string{"guard/0"}},
				{ref: "shared/2", grants: true, status: StatementApplies, resources: []string{"orders:*"}, denies: []string{"guard/2"}},
				{ref: "vpc/0", grants: true, status: StatementConditional, resources: []string{"arn:aws:s3:::data"}, conds: []CondOutcome{open, open}},
			},
		},
		{
			// The context the caller gives fixes aws:SourceVpc; request:time
			// stays open even when the context carries it.
			name: "context fixes a key", policies: permPolicies(), principal: alice, claims: claims,
			context: map[string]Values{"aws:SourceVpc": {"vpc-2"}, "request:time": {"2020-01-01T00:00:00Z"}},
			want: []wantGrant{
				{ref: "tenant-read/0", grants: true, status: StatementConditional, resources: []string{"orders:acme/*"},
					conds: []CondOutcome{open, holds}, denies: []string{"guard/0"}},
				{ref: "org-data/0", grants: true, status: StatementApplies, resources: []string{"arn:aws:s3:::data/globex/*"}},
				{ref: "ops-write/0", grants: false, status: StatementNever, resources: []string{"orders:*"},
					conds: []CondOutcome{fails}, denies: []string{"guard/2"}},
				{ref: "shared/0", grants: true, status: StatementApplies, denies: []string{"guard/0"}},
				{ref: "shared/2", grants: true, status: StatementApplies, resources: []string{"orders:*"}, denies: []string{"guard/2"}},
				{ref: "vpc/0", grants: false, status: StatementNever, resources: []string{"arn:aws:s3:::data"}, conds: []CondOutcome{fails, open}},
			},
		},
		{
			// No companyId and no claims: the tenant pattern matches nothing,
			// jwt:email_verified is absent (Bool fails), ops holds, and the
			// ListOps Deny now applies.
			name: "ops member without tenant or token", policies: permPolicies(),
			principal: Principal{Type: "user", ID: "carol", Roles: []string{"member"}, Attributes: map[string]Values{"dept": {"ops"}}},
			want: []wantGrant{
				{ref: "tenant-read/0", grants: false, status: StatementNever, resources: []string{"orders:${principal:companyId}/*"},
					conds: []CondOutcome{open, fails}},
				{ref: "org-data/0", grants: false, status: StatementNever, resources: []string{"arn:aws:s3:::data/${jwt:custom:org}/*"}},
				{ref: "ops-write/0", grants: true, status: StatementApplies, resources: []string{"orders:*"},
					conds: []CondOutcome{holds}, denies: []string{"guard/2"}},
				{ref: "shared/2", grants: true, status: StatementApplies, resources: []string{"orders:*"}, denies: []string{"guard/2"}},
				{ref: "vpc/0", grants: true, status: StatementConditional, resources: []string{"arn:aws:s3:::data"}, conds: []CondOutcome{open, open}},
			},
		},
		{
			// The boundary allows orders:* only: the s3 Allows give nothing,
			// the resource policy naming alice directly is not limited, the
			// one reaching her through her role is.
			name: "boundary limits", policies: with(boundary), principal: alice, claims: claims, boundary: 2,
			want: []wantGrant{
				{ref: "tenant-read/0", grants: true, status: StatementConditional, resources: []string{"orders:acme/*"},
					conds: []CondOutcome{open, holds}, denies: []string{"guard/0"}, boundary: "boundary/0"},
				{ref: "org-data/0", grants: false, status: StatementApplies, resources: []string{"arn:aws:s3:::data/globex/*"}, boundary: "none"},
				{ref: "ops-write/0", grants: false, status: StatementNever, resources: []string{"orders:*"},
					conds: []CondOutcome{fails}, denies: []string{"guard/2"}, boundary: "boundary/0"},
				{ref: "shared/0", grants: true, status: StatementApplies, denies: []string{"guard/0"}, boundary: "bypassed"},
				{ref: "shared/2", grants: true, status: StatementApplies, resources: []string{"orders:*"}, denies: []string{"guard/2"}, boundary: "boundary/0"},
				{ref: "vpc/0", grants: false, status: StatementConditional, resources: []string{"arn:aws:s3:::data"},
					conds: []CondOutcome{open, open}, boundary: "none"},
			},
		},
		{
			// Session s1 of the member role: only its own session policy
			// applies (not s2's), and it keeps orders:Read on the reports.
			name: "session policy limits", policies: with(sessionS1, sessionS2), session: 1,
			principal: Principal{Type: "session", ID: "s1", Roles: []string{"member"}, Attributes: map[string]Values{"companyId": {"acme"}}},
			claims:    claims,
			want: []wantGrant{
				{ref: "tenant-read/0", grants: true, status: StatementConditional, resources: []string{"orders:acme/*"},
					conds: []CondOutcome{open, holds}, denies: []string{"guard/0"}, session: "session-s1/0"},
				{ref: "org-data/0", grants: false, status: StatementApplies, resources: []string{"arn:aws:s3:::data/globex/*"}, session: "none"},
				{ref: "ops-write/0", grants: false, status: StatementNever, resources: []string{"orders:*"},
					conds: []CondOutcome{fails}, denies: []string{"guard/2"}, session: "none"},
				{ref: "shared/2", grants: false, status: StatementApplies, resources: []string{"orders:*"}, denies: []string{"guard/2"}, session: "none"},
				{ref: "vpc/0", grants: false, status: StatementConditional, resources: []string{"arn:aws:s3:::data"},
					conds: []CondOutcome{open, open}, session: "none"},
			},
		},
		{
			// bob holds no role: only the resource policy naming him.
			name: "resource policy naming the user", policies: permPolicies(), principal: user("bob"),
			want: []wantGrant{
				{ref: "shared/1", grants: true, status: StatementApplies, resources: []string{"orders:bob/*"}, denies: []string{"guard/0"}},
				{ref: "vpc/0", grants: true, status: StatementConditional, resources: []string{"arn:aws:s3:::data"}, conds: []CondOutcome{open, open}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustCompile(t, tt.policies...)
			r := &Request{Principal: tt.principal, Claims: tt.claims, Context: tt.context}
			p := e.Permissions(r)
			if len(p.Problems) > 0 {
				t.Fatalf("problems: %q", p.Problems)
			}
			var got []wantGrant
			for i := range p.Allows {
				got = append(got, gotGrant(&p.Allows[i]))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("grants differ\n got: %+v\nwant: %+v\n%s", got, tt.want, p)
			}
			if n := limitCount(p.Boundary); n != tt.boundary {
				t.Errorf("boundary statements = %d, want %d", n, tt.boundary)
			}
			if n := limitCount(p.Session); n != tt.session {
				t.Errorf("session statements = %d, want %d", n, tt.session)
			}
			// The request's action and resource play no part.
			r2 := *r
			r2.Action, r2.Resource = "orders:Read", Resource{Name: "orders:acme/1", Attributes: map[string]Values{"owner": {"x"}}}
			if p2 := e.Permissions(&r2); !reflect.DeepEqual(p, p2) {
				t.Errorf("the request's action and resource changed the result")
			}
		})
	}
}

func limitCount(ls *LimitSummary) int {
	if ls == nil {
		return 0
	}
	return ls.Statements
}

// The details of one case: substituted and written patterns, a variable
// with no value, a default, the values of an open condition, principal
// values of fixed ones, and why an Allow grants nothing.
func TestPermissionsDetails(t *testing.T) {
	withDefault := xPolicy("default", policy.KindIdentity,
		xStmt("", "Allow", []string{"orders:Read"}, []string{"orders:${principal:companyId, 'none'}/*", "orders:${jwt:sub}/own/*"}))
	e := mustCompile(t, append(permPolicies(), withDefault)...)
	p := e.Permissions(&Request{Principal: Principal{Type: "user", ID: "carol", Roles: []string{"member"},
		Attributes: map[string]Values{"dept": {"dev"}}}, Claims: map[string]Values{"custom:org": {"a*b"}, "email_verified": {"true"}}})
	find := func(ref string) *Grant {
		for i := range p.Allows {
			if permRef(&p.Allows[i].StatementSummary) == ref {
				return &p.Allows[i]
			}
		}
		t.Fatalf("%s not listed:\n%s", ref, p)
		return nil
	}

	tr := find("tenant-read/0")
	pat := tr.Resources.Patterns[0]
	if pat.Written != "orders:${principal:companyId}/*" || !reflect.DeepEqual(pat.NoValue, []string{"${principal:companyId}"}) {
		t.Errorf("tenant pattern = %+v, want written as is and no value for ${principal:companyId}", pat)
	}
	if !strings.Contains(tr.Why, "no value") {
		t.Errorf("tenant-read why = %q", tr.Why)
	}
	if c := tr.Conditions[0]; c.Outcome != CondOpen || !reflect.DeepEqual(c.Open, []string{"request:time"}) {
		t.Errorf("request:time condition = %+v", c)
	}

	// A literal "*" in a claim is not a wildcard: shown as ${*}.
	if got := find("org-data/0").Resources.Patterns[0].Pattern; got != "arn:aws:s3:::data/a${*}b/*" {
		t.Errorf("org-data pattern = %q", got)
	}
	vpc := find("vpc/0")
	if got := vpc.Conditions[1].Values; !reflect.DeepEqual(got, []string{"a*b/*"}) {
		t.Errorf("open condition values = %q, want the claim substituted", got)
	}

	ow := find("ops-write/0")
	if c := ow.Conditions[0]; c.Outcome != CondFails || !reflect.DeepEqual(c.PrincipalValues, []string{"dev"}) || !c.KeyPresent {
		t.Errorf("dept condition = %+v", c)
	}
	if ow.Grants || !strings.Contains(ow.Why, "StringEquals principal:dept") {
		t.Errorf("ops-write: grants=%v why=%q", ow.Grants, ow.Why)
	}

	// A default fills an absent variable; another pattern of the same
	// Resource without a value does not stop the statement.
	d := find("default/0")
	if d.Resources.Patterns[0].Pattern != "orders:none/*" || len(d.Resources.Patterns[1].NoValue) != 1 || !d.Grants || d.Status != StatementApplies {
		t.Errorf("default: %+v", d)
	}
}

// The text form: the brief's headline shape, marks for each condition,
// limits, and the JSON form's snake_case names.
func TestPermissionsString(t *testing.T) {
	boundary := Policy{Name: "boundary", Kind: policy.KindBoundary, Attach: Attachment{AttachRole, "member"},
		Doc: doc(allow([]string{"orders:*"}, []string{"*"}))}
	e := mustCompile(t, append(permPolicies(), boundary)...)
	p := e.Permissions(&Request{
		Principal: Principal{Type: "user", ID: "alice", Roles: []string{"member"}, Attributes: map[string]Values{"companyId": {"acme"}, "dept": {"dev"}}},
		Claims:    map[string]Values{"custom:org": {"globex"}, "email_verified": {"true"}}})
	text := p.String()
	t.Log("\n" + text)
	for _, want := range []string{
		"What user alice (roles: member) may do:",
		`ALLOW orders:Read, orders:List on orders:acme/* (policy tenant-read statement 0 ("TenantRead"), via role member) — condition open: request:time`,
		"    written: orders:${principal:companyId}/*",
		`    ? condition open: DateLessThan request:time ["2030-01-01T00:00:00Z"] (each request supplies request:time)`,
		`    ✓ condition holds: Bool jwt:email_verified ["true"] (principal has ["true"])`,
		`    cut by DENY orders:Read on orders:*/archive/* (policy guard statement 0 ("Archive"), for everyone)`,
		`    within permissions boundary: ALLOW orders:* on * (policy boundary statement 0, via role member)`,
		`ALLOW s3:GetObject on arn:aws:s3:::data/globex/* (policy org-data statement 0, via role member) — grants nothing: the permissions boundary applies to this principal but allows none of these actions on these resources`,
		`ALLOW orders:Write on orders:* (policy ops-write statement 0, via role member) — grants nothing: condition StringEquals principal:dept fails for this principal`,
		`    ✗ condition fails: StringEquals principal:dept ["ops"] (principal has ["dev"])`,
		`ALLOW orders:Read on orders:shared/* (policy shared statement 0 ("Alice"), resource policy, naming the principal directly)`,
		"    not limited by the permissions boundary: the Principal names this principal directly",
		`ALLOW orders:Comment on orders:* within orders:shared/* (policy shared statement 2 ("Members"), resource policy, Principal Role:member)`,
		"  permissions boundary (1 statement): an Allow above counts only where one of these Allows matches too",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	for _, absent := range []string{"admin", "orders:bob", "IAM", "ListOps"} {
		if strings.Contains(text, absent) {
			t.Errorf("text names %q, which does not apply", absent)
		}
	}

	js, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"allows":`, `"grants":`, `"denies":`, `"boundary":`, `"principal_values":`, `"key_present":`,
		`"outcome":"open"`, `"status":"conditional"`, `"written":"orders:${principal:companyId}/*"`, `"file":"tenant-read"`, `"attached":"role:member"`} {
		if !strings.Contains(string(js), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	again, _ := json.Marshal(e.Permissions(&Request{Principal: Principal{Type: "user", ID: "alice", Roles: []string{"member"},
		Attributes: map[string]Values{"companyId": {"acme"}, "dept": {"dev"}}},
		Claims: map[string]Values{"custom:org": {"globex"}, "email_verified": {"true"}}}))
	if string(again) != string(js) {
		t.Errorf("JSON not deterministic:\n%s\n%s", js, again)
	}
	var nothing *Permissions
	if nothing.String() != "" || (&Engine{}).Permissions(nil).String() != "What anonymous may do:\n  nothing: no Allow statement applies to this principal\n" {
		t.Errorf("empty: %q", (&Engine{}).Permissions(nil).String())
	}
	var nilEngine *Engine
	if p := nilEngine.Permissions(&Request{}); p == nil || len(p.Allows) != 0 {
		t.Errorf("nil engine: %+v", p)
	}
}

// The overlap tests: exact for wildcard patterns, conservative with Not
// elements.
func TestGlobOverlap(t *testing.T) {
	g := func(s string) glob {
		gl, _, _ := (&permView{r: &Request{}}).glob(compilePattern(s, true, false, false))
		return gl
	}
	for _, tt := range []struct {
		a, b string
		fold bool
		want bool
	}{
		{"orders:Read", "orders:Read", false, true},
		{"orders:Read", "orders:read", false, false},
		{"orders:Read", "orders:read", true, true},
		{"orders:*", "orders:Read", false, true},
		{"orders:*", "s3:*", false, false},
		{"*:Read", "s3:*", false, true},
		{"a*b", "*c", false, false},
		{"a*b", "*b", false, true},
		{"a?c", "a*", false, true},
		{"a?", "abc", false, false},
		{"a*b*c", "*x*", false, true},
		{"orders:*/archive/*", "orders:acme/*", false, true},
		{"orders:globex/*", "orders:acme/*", false, false},
		{"", "*", false, true},
		{"", "?", false, false},
		{"*", "*", false, true},
	} {
		if got := globsIntersect(g(tt.a), g(tt.b), tt.fold); got != tt.want {
			t.Errorf("intersect(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := globsIntersect(g(tt.b), g(tt.a), tt.fold); got != tt.want {
			t.Errorf("intersect(%q, %q) = %v, want %v (symmetry)", tt.b, tt.a, got, tt.want)
		}
	}
	for _, tt := range []struct {
		n, a string
		want bool
	}{
		{"*", "anything*", true},
		{"s3:*", "s3:Get*", true},
		{"s3:*", "s3:GetObject", true},
		{"s3:Get*", "s3:*", false},
		{"s3:*Object", "s3:GetObject", true},
		{"s3:*Object", "s3:Get*", false},
		{"s3:*t", "s3:Ge*t", false}, // true in fact, but beyond the simple test: a Not element then overlaps
	} {
		if got := globCovers(g(tt.n), g(tt.a), false); got != tt.want {
			t.Errorf("covers(%q, %q) = %v, want %v", tt.n, tt.a, got, tt.want)
		}
	}
}

// Over explain's policy corpus and random requests (explain_test.go):
// no problems, and the Allow that Decide reports is listed as granting.
func TestPermissionsExplainCorpus(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	engines := explainEngines(t)
	for range 500 {
		r := randomRequest(rng)
		for _, e := range engines {
			p := e.Permissions(r)
			if len(p.Problems) > 0 {
				t.Fatalf("%+v: problems %q", r, p.Problems)
			}
			if p.String() == "" {
				t.Fatal("empty text")
			}
			d := e.Decide(r)
			if !d.Allowed() {
				continue
			}
			found := false
			for i := range p.Allows {
				found = found || (p.Allows[i].StatementRef == *d.By && p.Allows[i].Grants)
			}
			if !found {
				t.Fatalf("%+v: Decide allows by %+v, not listed as granting:\n%s", r, *d.By, p)
			}
		}
	}
}
