package engine

import (
	"fmt"
	"sort"
	"strings"

	"gatehouse.dev/gatehouse/policy"
)

// stmt is one compiled statement.
type stmt struct {
	ref  StatementRef
	deny bool

	// actions match the request action (case-insensitively); with
	// notAction the statement applies to every action none of them match.
	actions   []*pattern
	notAction bool

	// resources match the resource name (case-sensitively); with
	// notResource the statement applies to every resource none of them
	// match. anyResource is set when the element is absent (resource and
	// trust policies: the resource the policy is attached to).
	resources   []*pattern
	notResource bool
	anyResource bool

	// principal is nil in identity, boundary and session policies.
	principal    *principalMatcher
	notPrincipal bool

	conds []*condition

	// src is the statement as parsed and vars whether its document
	// substitutes policy variables; explain reads them to show what was
	// written and to find the variables a condition value uses.
	src  *policy.Statement
	vars bool
}

// set is the compiled statements of one policy kind, indexed separately for
// Deny and Allow so that a decision checks the (usually few) denies and
// stops at the first matching allow.
type set struct {
	deny, allow actionIndex
	// n is the number of statements in the set; a set with n == 0 is
	// absent (matters for boundaries and sessions, which limit only when
	// present).
	n int
}

// Kinds of policy set, in the order a decision consults them for denies.
const (
	setIdentity = iota
	setResource
	setBoundary
	setSession
	numSets
)

// Engine is a compiled, immutable policy set. It is safe for concurrent use.
type Engine struct {
	sets [numSets]set
	// stmts lists every statement in input order, for explain.
	stmts []*stmt
}

// Compile builds an engine from a policy set. It fails (with an error that
// names the policy and statement) on what it cannot compile: an invalid
// Effect, a statement with both or neither of Action/NotAction, a condition
// value that does not parse for its operator. It never panics on a
// parsed document. Callers should run policy.Validate (policy.Load does) to
// give users the full list of findings first.
func Compile(policies []Policy) (*Engine, error) {
	e := &Engine{}
	var builders [numSets]struct{ deny, allow indexBuilder }
	for pi := range policies {
		p := &policies[pi]
		if p.Doc == nil {
			return nil, fmt.Errorf("policy %q: no document", p.Name)
		}
		si, err := setFor(p.Kind)
		if err != nil {
			return nil, fmt.Errorf("policy %q: %w", p.Name, err)
		}
		for _, st := range p.Doc.Statements {
			if st == nil {
				continue
			}
			s, err := compileStatement(p, st)
			if err != nil {
				return nil, fmt.Errorf("policy %q statement %d%s: %w", p.Name, st.Index, sidSuffix(st.Sid), err)
			}
			e.stmts = append(e.stmts, s)
			e.sets[si].n++
			if s.deny {
				builders[si].deny.add(s)
			} else {
				builders[si].allow.add(s)
			}
		}
	}
	for i := range e.sets {
		e.sets[i].deny = builders[i].deny.build()
		e.sets[i].allow = builders[i].allow.build()
	}
	return e, nil
}

func sidSuffix(sid string) string {
	if sid == "" {
		return ""
	}
	return fmt.Sprintf(" (%q)", sid)
}

func setFor(k policy.Kind) (int, error) {
	switch k {
	case policy.KindIdentity:
		return setIdentity, nil
	case policy.KindResource, policy.KindTrust:
		// A trust policy is a resource policy on the role.
		return setResource, nil
	case policy.KindBoundary:
		return setBoundary, nil
	case policy.KindSession:
		return setSession, nil
	}
	return 0, fmt.Errorf("unknown policy kind %v", k)
}

func compileStatement(p *Policy, st *policy.Statement) (*stmt, error) {
	vars := p.Doc.VariablesEnabled()
	s := &stmt{ref: StatementRef{Policy: p.Name, Kind: p.Kind, Index: st.Index, Sid: st.Sid, Effect: st.Effect}, src: st, vars: vars}
	switch st.Effect {
	case policy.Allow:
	case policy.Deny:
		s.deny = true
	default:
		return nil, fmt.Errorf("Effect must be Allow or Deny")
	}

	switch {
	case st.Action != nil && st.NotAction != nil:
		return nil, fmt.Errorf("has both Action and NotAction")
	case st.Action != nil:
		s.actions = compileList(st.Action, false, true)
	case st.NotAction != nil:
		s.actions, s.notAction = compileList(st.NotAction, false, true), true
	default:
		return nil, fmt.Errorf("has neither Action nor NotAction")
	}

	switch {
	case st.Resource != nil && st.NotResource != nil:
		return nil, fmt.Errorf("has both Resource and NotResource")
	case st.Resource != nil:
		s.resources = compileList(st.Resource, vars, false)
	case st.NotResource != nil:
		s.resources, s.notResource = compileList(st.NotResource, vars, false), true
	case p.Kind == policy.KindResource || p.Kind == policy.KindTrust:
		s.anyResource = true
	default:
		return nil, fmt.Errorf("has neither Resource nor NotResource")
	}

	isResource := p.Kind == policy.KindResource || p.Kind == policy.KindTrust
	switch {
	case st.Principal != nil && st.NotPrincipal != nil:
		return nil, fmt.Errorf("has both Principal and NotPrincipal")
	case !isResource && (st.Principal != nil || st.NotPrincipal != nil):
		return nil, fmt.Errorf("Principal and NotPrincipal are only allowed in resource and trust policies")
	case st.Principal != nil:
		s.principal = compilePrincipal(st.Principal)
	case st.NotPrincipal != nil:
		s.principal, s.notPrincipal = compilePrincipal(st.NotPrincipal), true
	case isResource:
		return nil, fmt.Errorf("a %v policy statement needs a Principal or NotPrincipal", p.Kind)
	}

	for _, c := range st.Conditions {
		if c == nil {
			continue
		}
		cc, err := compileCondition(c, vars)
		if err != nil {
			return nil, fmt.Errorf("condition %s on %q: %w", c.Operator.Value, c.Key.Value, err)
		}
		s.conds = append(s.conds, cc)
	}
	return s, nil
}

// compileList compiles action (fold, no variables: IAM does not substitute
// variables in Action) or resource patterns.
func compileList(list []policy.Str, vars, fold bool) []*pattern {
	out := make([]*pattern, len(list))
	for i, v := range list {
		out[i] = compilePattern(v.Value, true, vars, fold)
	}
	return out
}

// actionIndex finds the statements whose Action may match a request action:
// those naming it exactly, those with a wildcard pattern under its service
// prefix ("s3:Get*"), and the rest (NotAction, "*", "s3*:..."). Within each
// group a resourceIndex narrows by literal resource prefix.
type actionIndex struct {
	exact   map[string]*resourceIndex // lower-cased exact action
	service map[string]*resourceIndex // lower-cased service prefix
	other   *resourceIndex
	n       int
}

// resourceIndex finds the statements whose Resource may match a name: those
// whose pattern's literal prefix is a prefix of the name, and those that
// cannot be narrowed (NotResource, absent Resource, a leading wildcard or
// variable).
type resourceIndex struct {
	always   []*stmt
	byPrefix map[string][]*stmt
	// lens are the distinct prefix lengths in byPrefix, ascending.
	lens []int
}

type indexBuilder struct {
	exact   map[string]*resourceBuilder
	service map[string]*resourceBuilder
	other   *resourceBuilder
	n       int
}

type resourceBuilder struct {
	always   []*stmt
	byPrefix map[string][]*stmt
}

func (b *indexBuilder) add(s *stmt) {
	b.n++
	if s.notAction {
		b.get(&b.other).add(s)
		return
	}
	// A statement naming several actions in one group is added once to
	// that group.
	seen := map[*resourceBuilder]bool{}
	for _, a := range s.actions {
		var rb *resourceBuilder
		switch {
		case a.exact:
			rb = b.keyed(&b.exact, strings.ToLower(a.lit))
		default:
			prefix := a.literalPrefix()
			if svc, _, ok := strings.Cut(prefix, ":"); ok && svc != "" {
				rb = b.keyed(&b.service, strings.ToLower(svc))
			} else {
				rb = b.get(&b.other)
			}
		}
		if !seen[rb] {
			seen[rb] = true
			rb.add(s)
		}
	}
}

func (b *indexBuilder) get(p **resourceBuilder) *resourceBuilder {
	if *p == nil {
		*p = &resourceBuilder{}
	}
	return *p
}

func (b *indexBuilder) keyed(m *map[string]*resourceBuilder, k string) *resourceBuilder {
	if *m == nil {
		*m = map[string]*resourceBuilder{}
	}
	rb := (*m)[k]
	if rb == nil {
		rb = &resourceBuilder{}
		(*m)[k] = rb
	}
	return rb
}

func (rb *resourceBuilder) add(s *stmt) {
	if s.notResource || s.anyResource {
		rb.always = append(rb.always, s)
		return
	}
	seen := map[string]bool{}
	for _, r := range s.resources {
		prefix := r.literalPrefix()
		if prefix == "" {
			rb.always = append(rb.always, s)
			return
		}
		if seen[prefix] {
			continue
		}
		seen[prefix] = true
		if rb.byPrefix == nil {
			rb.byPrefix = map[string][]*stmt{}
		}
		rb.byPrefix[prefix] = append(rb.byPrefix[prefix], s)
	}
}

func (b *indexBuilder) build() actionIndex {
	ix := actionIndex{n: b.n}
	if b.exact != nil {
		ix.exact = make(map[string]*resourceIndex, len(b.exact))
		for k, rb := range b.exact {
			ix.exact[k] = rb.build()
		}
	}
	if b.service != nil {
		ix.service = make(map[string]*resourceIndex, len(b.service))
		for k, rb := range b.service {
			ix.service[k] = rb.build()
		}
	}
	if b.other != nil {
		ix.other = b.other.build()
	}
	return ix
}

func (rb *resourceBuilder) build() *resourceIndex {
	ri := &resourceIndex{always: rb.always, byPrefix: rb.byPrefix}
	lens := map[int]bool{}
	for p := range rb.byPrefix {
		lens[len(p)] = true
	}
	for l := range lens {
		ri.lens = append(ri.lens, l)
	}
	sort.Ints(ri.lens)
	return ri
}
