package engine_test

// Differential testing of the engine against the reference interpreter in
// reference_test.go: a structured generator turns bytes (from the fuzzer)
// or a seeded random stream (TestDifferentialRandom) into a small policy
// set and a request drawn from a small alphabet, so that actions,
// resources, principals, variables and conditions match often; the engine
// and the reference must then give the same reason. A second property,
// "deny always wins", is checked on every case: adding a Deny of the
// request's exact action and resource to an identity policy makes the
// decision an explicit deny.

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
)

// diffChooser supplies the generator's choices.
type diffChooser interface {
	// intn returns a number in [0, n).
	intn(n int) int
}

// diffBytes reads choices from fuzz input; once it runs out every choice is
// 0, which the generator reads as "the simplest option".
type diffBytes struct {
	data []byte
	pos  int
}

func (b *diffBytes) intn(n int) int {
	if n <= 1 || b.pos >= len(b.data) {
		return 0
	}
	v := int(b.data[b.pos])
	b.pos++
	return v % n
}

type diffRand struct{ r *rand.Rand }

func (d diffRand) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return d.r.IntN(n)
}

// diffGen builds policy sets and requests from a diffChooser.
type diffGen struct {
	c diffChooser
	// conditions enables Condition blocks.
	conditions bool
}

func (g *diffGen) pick(list []string) string { return list[g.c.intn(len(list))] }

// chance is true with probability pct/100 (and always once fuzz input
// runs out, for pct > 0).
func (g *diffGen) chance(pct int) bool { return g.c.intn(100) < pct }

// The small alphabet. Values never hold ':' (so variables in ARNs stay in
// one component), ',' '}' or '\” (so they can be variable defaults), and
// are never empty.
var (
	diffValues      = []string{"a", "b", "A", "ab", "a*", "a?", "$"}
	diffPrincipalID = []string{"a", "b", "A", "ab", "a*"}
	diffRoles       = []string{"r1", "r2", "a"}
	diffGroups      = []string{"g1", "g2"}
	diffActions     = []string{"svc:Read", "svc:Write", "svc:ReadAll", "other:Read", "svc:read", "SVC:WRITE"}

	diffActionPats = []string{
		"svc:Read", "SVC:read", "svc:*", "svc:Re*", "svc:?ead", "*", "svc:Read?",
		"*:Read", "other:*", "svc:Read*", "svc:write", "s*:*", "svc:*All",
	}
	// diffVarKeys are the keys policy variables name: single, multi-valued,
	// case variants, claims (case-sensitive), fallbacks to Context, missing.
	diffVarKeys = []string{
		"principal:id", "PRINCIPAL:Id", "principal:dept", "Principal:DEPT", "principal:type",
		"principal:roles", "jwt:org", "jwt:Org", "jwt:custom:org", "resource:owner",
		"ctx:s1", "CTX:S1", "ctx:s2", "ctx:none", "aws:username",
	}
	diffStringKeys = append(slices.Clone(diffVarKeys),
		"principal:groups", "resource:name", "resource:type", "Resource:Owner", "ctx:arn")

	diffNumPolicy   = []string{"1", "2", "10", "2.5", "-1", "0", "1.0", "9007199254740993"}
	diffNumRequest  = []string{"1", "2", "10", "2.50", "-1", "0", "3", "1.0", "1.00000000000000001", "9007199254740992", "1e1", ".5"}
	diffDatePolicy  = []string{"2024-01-01T00:00:00Z", "1704067200", "2024-06-01T12:00:00Z", "2024-01-01T01:00:00+01:00"}
	diffDateRequest = []string{"2024-01-01T00:00:00Z", "1704067200", "2024-03-01T00:00:00Z", "1717243200", "2025-01-01T00:00:00Z"}
	diffBoolPolicy  = []string{"true", "false"}
	diffBoolRequest = []string{"true", "false"}
	diffIPPolicy    = []string{"10.0.0.0/24", "10.0.0.1", "10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32", "0.0.0.0/0"}
	diffIPRequest   = []string{"10.0.0.1", "10.0.0.9", "10.0.1.5", "192.168.1.1", "2001:db8::1", "11.0.0.1"}
	diffArnPolicy   = []string{
		"arn:aws:s3:::b/*", "arn:aws:sns:*:123:t", "arn:aws:*:*:*:*", "arn:aws:sns:us:*:t*",
		"arn:*:sns:u?:123:t", "arn:aws:sns:us:123:*", "arn:aws:s3:::b/a",
	}
	diffArnRequest = []string{
		"arn:aws:s3:::b/a", "arn:aws:sns:us:123:t", "arn:aws:sns:us:123:t:x", "arn:aws:sqs:eu:123:q",
		"arn:aws:sns:us:east:123:t", "notanarn",
	}
	diffBinPolicy  = []string{"YWI=", "Y2Q="}
	diffBinRequest = []string{"YWI=", "Y2Q=", "ZWY="}
)

// diffVar returns a policy variable, an escape, or a variable with a
// default.
func (g *diffGen) diffVar() string {
	switch g.c.intn(6) {
	case 0:
		return "${" + g.pick(diffVarKeys) + ", '" + g.pick(diffValues) + "'}"
	case 1:
		return g.pick([]string{"${*}", "${?}", "${$}"})
	}
	return "${" + g.pick(diffVarKeys) + "}"
}

// resourceName is a request resource: "r:" and one to three segments.
func (g *diffGen) resourceName() string {
	n := 1 + g.c.intn(3)
	segs := make([]string, n)
	for i := range segs {
		segs[i] = g.pick(diffValues)
	}
	prefix := "r:"
	if g.chance(5) {
		prefix = "R:"
	}
	return prefix + strings.Join(segs, "/")
}

// resourcePattern is a Resource element: wildcards, literals, variables and
// escapes in the same shape as resourceName.
func (g *diffGen) resourcePattern() string {
	switch g.c.intn(12) {
	case 0:
		return "*"
	case 1:
		return "r:*"
	}
	n := 1 + g.c.intn(3)
	segs := make([]string, n)
	for i := range segs {
		switch g.c.intn(5) {
		case 0:
			segs[i] = g.pick([]string{"*", "?", "a*", "*b", "a?"})
		case 1:
			segs[i] = g.diffVar()
		case 2:
			segs[i] = g.diffVar() + g.pick([]string{"", "*", "b"})
		default:
			segs[i] = g.pick(diffValues)
		}
	}
	return "r:" + strings.Join(segs, "/")
}

func diffStrs(vs ...string) []policy.Str {
	out := make([]policy.Str, len(vs))
	for i, v := range vs {
		out[i] = policy.Str{Value: v}
	}
	return out
}

func (g *diffGen) list(n int, f func() string) []policy.Str {
	out := make([]policy.Str, 0, n)
	for range n {
		out = append(out, policy.Str{Value: f()})
	}
	return out
}

func (g *diffGen) principal() *policy.Principal {
	if g.chance(15) {
		return &policy.Principal{Any: true}
	}
	p := &policy.Principal{}
	for range 1 + g.c.intn(2) {
		var e policy.PrincipalEntry
		switch g.c.intn(5) {
		case 0:
			e.Type = policy.Str{Value: "User"}
			e.IDs = g.list(1+g.c.intn(2), func() string { return g.pick([]string{"a", "b", "ab", "a*", "*", "?"}) })
		case 1:
			e.Type = policy.Str{Value: "App"}
			e.IDs = g.list(1, func() string { return g.pick([]string{"a", "b", "*"}) })
		case 2:
			e.Type = policy.Str{Value: "Role"}
			e.IDs = g.list(1+g.c.intn(2), func() string { return g.pick([]string{"r1", "r*", "r?", "x", "a"}) })
		case 3:
			e.Type = policy.Str{Value: "Group"}
			e.IDs = g.list(1, func() string { return g.pick([]string{"g1", "g*", "x"}) })
		default:
			e.Type = policy.Str{Value: "AWS"}
			e.IDs = g.list(1, func() string { return g.pick([]string{"a", "b", "A", "a*", "*"}) })
		}
		p.Entries = append(p.Entries, e)
	}
	return p
}

// diffOpFamily is one family of condition operators with the keys and
// values the generator uses with it.
type diffOpFamily struct {
	bases  []policy.OpBase
	keys   []string
	values func(g *diffGen) string
}

var diffFamilies = []diffOpFamily{
	{ // String: equality (variables, no wildcards)
		bases: []policy.OpBase{policy.OpStringEquals, policy.OpStringNotEquals, policy.OpStringEqualsIgnoreCase, policy.OpStringNotEqualsIgnoreCase},
		keys:  diffStringKeys,
		values: func(g *diffGen) string {
			switch g.c.intn(6) {
			case 0:
				return g.diffVar()
			case 1:
				return g.pick([]string{"r1", "g1", "user", "app", "a*"})
			}
			return g.pick(diffValues)
		},
	},
	{ // String: like (variables and wildcards)
		bases: []policy.OpBase{policy.OpStringLike, policy.OpStringNotLike},
		keys:  diffStringKeys,
		values: func(g *diffGen) string {
			switch g.c.intn(6) {
			case 0:
				return g.diffVar()
			case 1:
				return g.diffVar() + "*"
			case 2:
				return g.pick([]string{"*", "?", "a*", "*b", "r*", "r:*", "arn:*"})
			}
			return g.pick(diffValues)
		},
	},
	{
		bases: []policy.OpBase{policy.OpNumericEquals, policy.OpNumericNotEquals, policy.OpNumericLessThan,
			policy.OpNumericLessThanEquals, policy.OpNumericGreaterThan, policy.OpNumericGreaterThanEquals},
		keys:   []string{"ctx:n", "CTX:N", "ctx:none"},
		values: func(g *diffGen) string { return g.pick(diffNumPolicy) },
	},
	{
		bases: []policy.OpBase{policy.OpDateEquals, policy.OpDateNotEquals, policy.OpDateLessThan,
			policy.OpDateLessThanEquals, policy.OpDateGreaterThan, policy.OpDateGreaterThanEquals},
		keys:   []string{"ctx:d", "ctx:none"},
		values: func(g *diffGen) string { return g.pick(diffDatePolicy) },
	},
	{
		bases:  []policy.OpBase{policy.OpBool},
		keys:   []string{"ctx:b", "ctx:none"},
		values: func(g *diffGen) string { return g.pick(diffBoolPolicy) },
	},
	{
		bases:  []policy.OpBase{policy.OpBinaryEquals},
		keys:   []string{"ctx:bin", "ctx:none"},
		values: func(g *diffGen) string { return g.pick(diffBinPolicy) },
	},
	{
		bases:  []policy.OpBase{policy.OpIPAddress, policy.OpNotIPAddress},
		keys:   []string{"ctx:ip", "ctx:none"},
		values: func(g *diffGen) string { return g.pick(diffIPPolicy) },
	},
	{
		bases: []policy.OpBase{policy.OpArnEquals, policy.OpArnLike, policy.OpArnNotEquals, policy.OpArnNotLike},
		keys:  []string{"ctx:arn", "ctx:none"},
		values: func(g *diffGen) string {
			if g.chance(20) {
				return "arn:aws:s3:::b/" + g.diffVar()
			}
			return g.pick(diffArnPolicy)
		},
	},
	{
		bases:  []policy.OpBase{policy.OpNull},
		keys:   append(slices.Clone(diffStringKeys), "ctx:n", "ctx:b"),
		values: func(g *diffGen) string { return g.pick([]string{"true", "false"}) },
	},
}

func (g *diffGen) condition() *policy.Condition {
	fam := diffFamilies[g.c.intn(len(diffFamilies))]
	op := policy.Operator{Base: fam.bases[g.c.intn(len(fam.bases))]}
	if op.Base != policy.OpNull {
		switch g.c.intn(8) {
		case 0:
			op.Set = policy.ForAllValues
		case 1:
			op.Set = policy.ForAnyValue
		}
		op.IfExists = g.chance(20)
	}
	c := &policy.Condition{
		Operator: policy.Str{Value: op.String()},
		Op:       op,
		Key:      policy.Str{Value: g.pick(fam.keys)},
	}
	n := 1 + g.c.intn(3)
	for range n {
		v := policy.Str{Value: fam.values(g)}
		switch {
		case op.Base == policy.OpNull || op.Base == policy.OpBool:
			if g.chance(50) {
				v.Kind = policy.KindBool
			}
		case op.Base.Family() == policy.FamilyNumeric:
			if g.chance(50) {
				v.Kind = policy.KindNumber
			}
		}
		c.Values = append(c.Values, v)
	}
	c.ValuesIsList = n > 1 || g.chance(20)
	return c
}

func (g *diffGen) statement(kind policy.Kind, i int) *policy.Statement {
	st := &policy.Statement{Index: i, Path: fmt.Sprintf("/Statement/%d", i), Effect: policy.Allow}
	if g.chance(30) {
		st.Effect = policy.Deny
	}
	actions := g.list(1+g.c.intn(3), func() string { return g.pick(diffActionPats) })
	if g.chance(15) {
		st.NotAction = actions
	} else {
		st.Action = actions
	}
	resources := g.list(1+g.c.intn(3), g.resourcePattern)
	switch {
	case kind == policy.KindResource && g.chance(30):
		// A resource policy applies to its own resource.
	case g.chance(15):
		st.NotResource = resources
	default:
		st.Resource = resources
	}
	if kind == policy.KindResource {
		if g.chance(15) {
			st.NotPrincipal = g.principal()
		} else {
			st.Principal = g.principal()
		}
	}
	if g.conditions {
		seen := map[string]bool{}
		for range g.c.intn(4) {
			c := g.condition()
			k := c.Operator.Value + "\x00" + c.Key.Value
			if !seen[k] {
				seen[k] = true
				st.Conditions = append(st.Conditions, c)
			}
		}
	}
	return st
}

var diffKinds = []policy.Kind{
	policy.KindIdentity, policy.KindIdentity, policy.KindIdentity,
	policy.KindResource, policy.KindResource, policy.KindBoundary, policy.KindSession,
}

func (g *diffGen) policies() []engine.Policy {
	n := 1 + g.c.intn(4)
	ps := make([]engine.Policy, n)
	for i := range ps {
		kind := diffKinds[g.c.intn(len(diffKinds))]
		d := &policy.Document{StatementIsList: true}
		switch g.c.intn(8) {
		case 0:
			d.Version = policy.Version2008
		case 1:
		default:
			d.Version = policy.Version2012
		}
		for j := range 1 + g.c.intn(5) {
			d.Statements = append(d.Statements, g.statement(kind, j))
		}
		ps[i] = engine.Policy{Name: fmt.Sprintf("p%d-%v", i, kind), Kind: kind, Doc: d}
	}
	return ps
}

// values returns one to two values from list, rarely none.
func (g *diffGen) values(list []string) engine.Values {
	switch g.c.intn(10) {
	case 0:
		return engine.Values{}
	case 1, 2:
		return engine.Values{g.pick(list), g.pick(list)}
	}
	return engine.Values{g.pick(list)}
}

func (g *diffGen) request() *engine.Request {
	r := &engine.Request{
		Principal: engine.Principal{
			Type: g.pick([]string{"user", "user", "app", "session", ""}),
			ID:   g.pick(diffPrincipalID),
		},
		Action:   g.pick(diffActions),
		Resource: engine.Resource{Name: g.resourceName()},
		Claims:   map[string]engine.Values{},
		Context:  map[string]engine.Values{},
	}
	if r.Principal.Type == "" && g.chance(50) {
		r.Principal.ID = "" // anonymous
	}
	switch g.c.intn(6) {
	case 0:
	case 1:
		r.Principal.Roles = []string{}
	case 2:
		r.Principal.Roles = []string{g.pick(diffRoles), g.pick(diffRoles)}
	default:
		r.Principal.Roles = []string{g.pick(diffRoles)}
	}
	switch g.c.intn(4) {
	case 0:
	case 1:
		r.Principal.Groups = []string{"g1", "g2"}
	default:
		r.Principal.Groups = []string{g.pick(diffGroups)}
	}
	if g.chance(70) {
		r.Principal.Attributes = map[string]engine.Values{"dept": g.values(diffValues)}
	}
	if g.chance(50) {
		r.Resource.Type = "doc"
	}
	if g.chance(70) {
		r.Resource.Attributes = map[string]engine.Values{"owner": g.values(diffPrincipalID)}
	}
	for _, claim := range []string{"org", "Org", "custom:org"} {
		if g.chance(50) {
			r.Claims[claim] = g.values(diffValues)
		}
	}
	ctx := []struct {
		key  string
		vals []string
	}{
		{"ctx:s1", diffValues}, {"ctx:s2", diffValues}, {"aws:username", diffPrincipalID},
		{"ctx:n", diffNumRequest}, {"ctx:d", diffDateRequest}, {"ctx:b", diffBoolRequest},
		{"ctx:ip", diffIPRequest}, {"ctx:arn", diffArnRequest}, {"ctx:bin", diffBinRequest},
		// Reserved keys fall back to Context when the structured field is
		// empty.
		{"principal:id", diffPrincipalID}, {"principal:roles", diffRoles}, {"jwt:org", diffValues},
		{"resource:owner", diffPrincipalID},
	}
	for _, kv := range ctx {
		if g.chance(50) {
			r.Context[kv.key] = g.values(kv.vals)
		}
	}
	return r
}

// diffCase is one generated case.
type diffCase struct {
	policies []engine.Policy
	req      *engine.Request
}

func (g *diffGen) gen() diffCase { return diffCase{policies: g.policies(), req: g.request()} }

// diffOutcome is what checking one case found.
type diffOutcome struct {
	rejected error // Compile refused the set
	// mismatch describes a disagreement, "" when there is none.
	mismatch string
}

// diffCheck decides c with the engine and the reference and checks that
// they agree and that an added exact Deny always wins.
func diffCheck(c diffCase) diffOutcome {
	e, err := engine.Compile(c.policies)
	if err != nil {
		return diffOutcome{rejected: err}
	}
	got := e.Decide(c.req).Reason
	want := refDecide(c.policies, c.req)
	if got != want {
		return diffOutcome{mismatch: fmt.Sprintf("engine says %v, reference says %v", got, want)}
	}

	// Deny always wins: add a Deny of exactly this action and resource to
	// an identity policy (a new one if there is none).
	withDeny := slices.Clone(c.policies)
	denySt := &policy.Statement{Effect: policy.Deny, Action: diffStrs(c.req.Action), Resource: diffStrs(c.req.Resource.Name)}
	added := false
	for i, p := range withDeny {
		if p.Kind != policy.KindIdentity {
			continue
		}
		d := *p.Doc
		denySt.Index = len(d.Statements)
		d.Statements = append(slices.Clone(d.Statements), denySt)
		withDeny[i].Doc = &d
		added = true
		break
	}
	if !added {
		withDeny = append(withDeny, engine.Policy{Name: "deny", Kind: policy.KindIdentity,
			Doc: &policy.Document{Version: policy.Version2012, Statements: []*policy.Statement{denySt}}})
	}
	e2, err := engine.Compile(withDeny)
	if err != nil {
		return diffOutcome{mismatch: fmt.Sprintf("adding an exact Deny made Compile fail: %v", err)}
	}
	if got := e2.Decide(c.req).Reason; got != engine.ExplicitDeny {
		return diffOutcome{mismatch: fmt.Sprintf("deny does not win: with an exact Deny added the engine says %v", got)}
	}
	if got := refDecide(withDeny, c.req); got != engine.ExplicitDeny {
		return diffOutcome{mismatch: fmt.Sprintf("deny does not win in the reference (a reference bug): %v", got)}
	}
	return diffOutcome{}
}

// Rejections across fuzz inputs, to notice a generator that produces
// mostly invalid sets.
var diffFuzzCases, diffFuzzRejected atomic.Int64

// FuzzDifferential checks the engine against the reference interpreter on
// generated policy sets and requests.
func FuzzDifferential(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("gatehouse"))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30})
	f.Add([]byte("\x03\x00\x05\x02\x01\x07\x09\x00\x04\x06\x08\x0a\x0b\x01\x02\x03\xff\xfe\x10\x20\x30\x40\x50\x60\x70\x80"))
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &diffGen{c: &diffBytes{data: data}, conditions: true}
		c := g.gen()
		out := diffCheck(c)
		n := diffFuzzCases.Add(1)
		if out.rejected != nil {
			rej := diffFuzzRejected.Add(1)
			if n >= 1000 && rej*20 > n {
				t.Fatalf("Compile rejected %d of %d generated sets; this one: %v\n%s", rej, n, out.rejected, diffDescribe(c))
			}
			t.Skip("Compile rejected the set")
		}
		if out.mismatch != "" {
			c = diffShrink(c)
			t.Fatalf("%s\n%s", diffCheck(c).mismatch, diffDescribe(c))
		}
	})
}

// TestDifferentialRandom runs a few thousand generated cases from a fixed
// seed, so that CI exercises the comparison without -fuzz.
func TestDifferentialRandom(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 500
	}
	diffRun(t, 1, n, true)
}

func diffRun(t *testing.T, seed uint64, n int, conditions bool) {
	g := &diffGen{c: diffRand{rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}, conditions: conditions}
	var rejected []error
	failures := 0
	var reasons [3]int
	for i := range n {
		c := g.gen()
		out := diffCheck(c)
		if out.rejected == nil {
			reasons[refDecide(c.policies, c.req)]++
		}
		if out.rejected != nil {
			rejected = append(rejected, out.rejected)
			continue
		}
		if out.mismatch != "" {
			failures++
			if failures <= 3 {
				c = diffShrink(c)
				t.Errorf("case %d: %s\n%s", i, diffCheck(c).mismatch, diffDescribe(c))
			}
		}
	}
	if failures > 3 {
		t.Errorf("%d more disagreements not shown", failures-3)
	}
	t.Logf("%d cases: %d allowed, %d explicit deny, %d implicit deny, %d rejected",
		n, reasons[engine.Allowed], reasons[engine.ExplicitDeny], reasons[engine.ImplicitDeny], len(rejected))
	// A generator whose cases nearly all come out the same tests little.
	for _, reason := range []engine.Reason{engine.Allowed, engine.ExplicitDeny, engine.ImplicitDeny} {
		if reasons[reason]*20 < n {
			t.Errorf("only %d of %d cases come out %v: the generator needs tuning", reasons[reason], n, reason)
		}
	}
	if len(rejected)*100 > n {
		t.Errorf("Compile rejected %d of %d generated sets, more than 1%%; first: %v", len(rejected), n, rejected[0])
	}
}

// diffShrink removes parts of a failing case while it still fails, so that
// the report shows a small example.
func diffShrink(c diffCase) diffCase {
	fails := func(c diffCase) bool {
		out := diffCheck(c)
		return out.rejected == nil && out.mismatch != ""
	}
	for changed := true; changed; {
		changed = false
		for _, cand := range diffCandidates(c) {
			if fails(cand) {
				c, changed = cand, true
				break
			}
		}
	}
	return c
}

// diffStmtLists, diffStmtPrincipals and diffRequestMaps reach the parts of
// a case the shrinker trims.
var (
	diffStmtLists = []func(*policy.Statement) *[]policy.Str{
		func(s *policy.Statement) *[]policy.Str { return &s.Action },
		func(s *policy.Statement) *[]policy.Str { return &s.NotAction },
		func(s *policy.Statement) *[]policy.Str { return &s.Resource },
		func(s *policy.Statement) *[]policy.Str { return &s.NotResource },
	}
	diffStmtPrincipals = []func(*policy.Statement) **policy.Principal{
		func(s *policy.Statement) **policy.Principal { return &s.Principal },
		func(s *policy.Statement) **policy.Principal { return &s.NotPrincipal },
	}
	diffRequestMaps = []func(*engine.Request) *map[string]engine.Values{
		func(r *engine.Request) *map[string]engine.Values { return &r.Context },
		func(r *engine.Request) *map[string]engine.Values { return &r.Claims },
		func(r *engine.Request) *map[string]engine.Values { return &r.Principal.Attributes },
		func(r *engine.Request) *map[string]engine.Values { return &r.Resource.Attributes },
	}
)

// diffCandidates lists the cases one removal smaller than c.
func diffCandidates(c diffCase) []diffCase {
	var out []diffCase
	withPolicies := func(ps []engine.Policy) diffCase { return diffCase{policies: ps, req: c.req} }
	for i := range c.policies {
		if len(c.policies) > 1 {
			out = append(out, withPolicies(slices.Delete(slices.Clone(c.policies), i, i+1)))
		}
		doc := c.policies[i].Doc
		replace := func(d *policy.Document) diffCase {
			ps := slices.Clone(c.policies)
			ps[i].Doc = d
			return withPolicies(ps)
		}
		if doc.Version != "" {
			d := *doc
			d.Version = ""
			out = append(out, replace(&d))
		}
		for j, st := range doc.Statements {
			withStmt := func(s *policy.Statement) diffCase {
				d := *doc
				d.Statements = slices.Clone(d.Statements)
				d.Statements[j] = s
				return replace(&d)
			}
			if len(doc.Statements) > 1 {
				d := *doc
				d.Statements = slices.Delete(slices.Clone(d.Statements), j, j+1)
				for k, s := range d.Statements {
					s2 := *s
					s2.Index = k
					d.Statements[k] = &s2
				}
				out = append(out, replace(&d))
			}
			for k := range st.Conditions {
				s := *st
				s.Conditions = slices.Delete(slices.Clone(s.Conditions), k, k+1)
				out = append(out, withStmt(&s))
				cond := st.Conditions[k]
				for v := range cond.Values {
					if len(cond.Values) > 1 {
						c2 := *cond
						c2.Values = slices.Delete(slices.Clone(c2.Values), v, v+1)
						s := *st
						s.Conditions = slices.Clone(s.Conditions)
						s.Conditions[k] = &c2
						out = append(out, withStmt(&s))
					}
				}
			}
			for _, field := range diffStmtLists {
				list := *field(st)
				for v := range list {
					if len(list) > 1 {
						s := *st
						*field(&s) = slices.Delete(slices.Clone(list), v, v+1)
						out = append(out, withStmt(&s))
					}
				}
			}
			for _, field := range diffStmtPrincipals {
				p := *field(st)
				if p == nil {
					continue
				}
				for k := range p.Entries {
					if len(p.Entries) > 1 || p.Any {
						p2 := *p
						p2.Entries = slices.Delete(slices.Clone(p.Entries), k, k+1)
						s := *st
						*field(&s) = &p2
						out = append(out, withStmt(&s))
					}
				}
			}
		}
	}
	// Smaller requests: drop context keys, claims, attributes, roles, groups.
	withReq := func(f func(r *engine.Request)) diffCase {
		r := *c.req
		f(&r)
		return diffCase{policies: c.policies, req: &r}
	}
	for _, field := range diffRequestMaps {
		for k, vals := range *field(c.req) {
			// Drop one value of a multi-valued key, or the whole key.
			for i := range vals {
				out = append(out, withReq(func(r *engine.Request) {
					m := maps.Clone(*field(r))
					m[k] = slices.Delete(slices.Clone(vals), i, i+1)
					*field(r) = m
				}))
			}
			out = append(out, withReq(func(r *engine.Request) {
				m := maps.Clone(*field(r))
				delete(m, k)
				*field(r) = m
			}))
		}
	}
	if c.req.Principal.Roles != nil {
		out = append(out, withReq(func(r *engine.Request) { r.Principal.Roles = nil }))
	}
	if c.req.Principal.Groups != nil {
		out = append(out, withReq(func(r *engine.Request) { r.Principal.Groups = nil }))
	}
	if c.req.Resource.Type != "" {
		out = append(out, withReq(func(r *engine.Request) { r.Resource.Type = "" }))
	}
	return out
}

// diffDescribe prints a case as the policies' JSON and the request's JSON
// (in the shape of `gatehouse eval` request files).
func diffDescribe(c diffCase) string {
	var b strings.Builder
	for _, p := range c.policies {
		fmt.Fprintf(&b, "policy %s (%v): %s\n", p.Name, p.Kind, diffDocJSON(p.Doc))
	}
	r := c.req
	req := map[string]any{
		"principal": map[string]any{"type": r.Principal.Type, "id": r.Principal.ID, "roles": r.Principal.Roles,
			"groups": r.Principal.Groups, "attributes": r.Principal.Attributes},
		"claims":   r.Claims,
		"action":   r.Action,
		"resource": map[string]any{"name": r.Resource.Name, "type": r.Resource.Type, "attributes": r.Resource.Attributes},
		"context":  r.Context,
	}
	rj, _ := json.Marshal(req)
	fmt.Fprintf(&b, "request: %s", rj)
	return b.String()
}

func diffDocJSON(d *policy.Document) string {
	strList := func(l []policy.Str) any {
		out := make([]any, len(l))
		for i, s := range l {
			switch s.Kind {
			case policy.KindBool:
				out[i] = s.Value == "true"
			case policy.KindNumber:
				out[i] = json.Number(s.Value)
			default:
				out[i] = s.Value
			}
		}
		if len(out) == 1 {
			return out[0]
		}
		return out
	}
	principal := func(p *policy.Principal) any {
		if p.Any {
			return "*"
		}
		m := map[string]any{}
		for _, e := range p.Entries {
			m[e.Type.Value] = strList(e.IDs)
		}
		return m
	}
	var stmts []any
	for _, st := range d.Statements {
		m := map[string]any{"Effect": st.Effect.String()}
		for name, l := range map[string][]policy.Str{"Action": st.Action, "NotAction": st.NotAction,
			"Resource": st.Resource, "NotResource": st.NotResource} {
			if l != nil {
				m[name] = strList(l)
			}
		}
		if st.Principal != nil {
			m["Principal"] = principal(st.Principal)
		}
		if st.NotPrincipal != nil {
			m["NotPrincipal"] = principal(st.NotPrincipal)
		}
		if len(st.Conditions) > 0 {
			cm := map[string]map[string]any{}
			for _, c := range st.Conditions {
				if cm[c.Operator.Value] == nil {
					cm[c.Operator.Value] = map[string]any{}
				}
				cm[c.Operator.Value][c.Key.Value] = strList(c.Values)
			}
			m["Condition"] = cm
		}
		stmts = append(stmts, m)
	}
	doc := map[string]any{"Statement": stmts}
	if d.Version != "" {
		doc["Version"] = d.Version
	}
	j, _ := json.Marshal(doc)
	return string(j)
}
