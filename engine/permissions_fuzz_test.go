package engine_test

// Permissions is checked on the differential generator's policy sets
// (differential_test.go), with identity policies, boundaries and session
// policies attached to roles, users, groups, apps and sessions at random.
// Besides never panicking, it must agree with Decide and Explain on the
// same request:
//
//   - the request's action and resource play no part;
//   - the Allow that Decide reports is listed, as granting something;
//   - for every identity or resource Allow that matches the request,
//     every matching Deny is among its Denies, and every matching boundary
//     and session Allow among its limits (so the overlap tests are never
//     too narrow), unless it names the principal directly.

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
)

// permAttach attaches the generated policies: identity policies and
// boundaries to everyone or to a role, user, group or app of the
// generator's alphabet, session policies to everyone or to a session.
func (g *diffGen) permAttach(ps []engine.Policy) {
	targets := []engine.Attachment{
		{}, {}, {Kind: engine.AttachRole, ID: "r1"}, {Kind: engine.AttachRole, ID: "a"},
		{Kind: engine.AttachUser, ID: "a"}, {Kind: engine.AttachGroup, ID: "g1"}, {Kind: engine.AttachApp, ID: "b"},
	}
	sessions := []engine.Attachment{{}, {Kind: engine.AttachSession, ID: "a"}, {Kind: engine.AttachSession, ID: "b"}}
	for i := range ps {
		switch ps[i].Kind {
		case policy.KindIdentity, policy.KindBoundary:
			ps[i].Attach = targets[g.c.intn(len(targets))]
		case policy.KindSession:
			ps[i].Attach = sessions[g.c.intn(len(sessions))]
		}
	}
}

func permRefOf(s *engine.StatementSummary) engine.StatementRef { return s.StatementRef }

// permCheck checks one generated case; it returns "" when all is well.
func permCheck(c diffCase) (string, bool) {
	e, err := engine.Compile(c.policies)
	if err != nil {
		return "", false
	}
	r := c.req
	p := e.Permissions(r)
	if len(p.Problems) > 0 {
		return fmt.Sprintf("problems: %q", p.Problems), true
	}
	bare := *r
	bare.Action, bare.Resource = "", engine.Resource{}
	if !reflect.DeepEqual(p, e.Permissions(&bare)) {
		return "the request's action and resource changed the result", true
	}
	_ = p.String()

	grants := map[engine.StatementRef]*engine.Grant{}
	for i := range p.Allows {
		grants[p.Allows[i].StatementRef] = &p.Allows[i]
	}
	d := e.Decide(r)
	if d.Reason == engine.Allowed {
		g := grants[*d.By]
		switch {
		case g == nil:
			return fmt.Sprintf("Decide allows by %+v, which Permissions does not list", *d.By), true
		case !g.Grants:
			return fmt.Sprintf("Decide allows by %+v, which Permissions says grants nothing: %s", *d.By, g.Why), true
		}
	}

	var denies, limits [2][]engine.StatementRef // limits: boundary, session
	var allows []engine.StatementRef
	for _, st := range e.Explain(r, nil).Trace.Statements {
		if !st.Matched {
			continue
		}
		switch {
		case st.Effect == policy.Deny:
			denies[0] = append(denies[0], st.StatementRef)
		case st.Kind == policy.KindBoundary:
			limits[0] = append(limits[0], st.StatementRef)
		case st.Kind == policy.KindSession:
			limits[1] = append(limits[1], st.StatementRef)
		default:
			allows = append(allows, st.StatementRef)
		}
	}
	for _, a := range allows {
		g := grants[a]
		if g == nil {
			return fmt.Sprintf("%+v matches the request but Permissions does not list it", a), true
		}
		if g.Status == engine.StatementNever {
			return fmt.Sprintf("%+v matches the request but Permissions says it never applies: %s", a, g.Why), true
		}
		var listed []engine.StatementRef
		for i := range g.Denies {
			listed = append(listed, permRefOf(&g.Denies[i]))
		}
		for _, dn := range denies[0] {
			if !slices.Contains(listed, dn) {
				return fmt.Sprintf("Deny %+v matches the request with Allow %+v but is not among its Denies", dn, a), true
			}
		}
		for k, gl := range []*engine.GrantLimit{g.Boundary, g.Session} {
			if len(limits[k]) == 0 {
				continue
			}
			if gl == nil {
				return fmt.Sprintf("limit %+v matches but Allow %+v has no limit of its kind", limits[k][0], a), true
			}
			if gl.Bypassed {
				continue
			}
			var in []engine.StatementRef
			for i := range gl.Allows {
				in = append(in, permRefOf(&gl.Allows[i]))
			}
			for _, l := range limits[k] {
				if !slices.Contains(in, l) {
					return fmt.Sprintf("limit %+v matches the request with Allow %+v but is not among its limits", l, a), true
				}
			}
		}
	}
	return "", true
}

func permGen(ch diffChooser) diffCase {
	g := &diffGen{c: ch, conditions: true}
	c := g.gen()
	g.permAttach(c.policies)
	return c
}

func FuzzPermissions(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("gatehouse"))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30})
	f.Add([]byte("\x03\x00\x05\x02\x01\x07\x09\x00\x04\x06\x08\x0a\x0b\x01\x02\x03\xff\xfe\x10\x20\x30\x40\x50\x60\x70\x80"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := permGen(&diffBytes{data: data})
		msg, ok := permCheck(c)
		if !ok {
			t.Skip("Compile rejected the set")
		}
		if msg != "" {
			t.Fatalf("%s\n%s", msg, diffDescribe(c))
		}
	})
}

// TestPermissionsRandom runs generated cases from a fixed seed, so that CI
// exercises the properties without -fuzz.
func TestPermissionsRandom(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	ch := diffRand{rand.New(rand.NewPCG(7, 0x9e3779b97f4a7c15))}
	failures := 0
	for i := range n {
		c := permGen(ch)
		if msg, _ := permCheck(c); msg != "" {
			if failures++; failures <= 3 {
				t.Errorf("case %d: %s\n%s", i, msg, diffDescribe(c))
			}
		}
	}
	if failures > 3 {
		t.Errorf("%d more failures not shown", failures-3)
	}
}
