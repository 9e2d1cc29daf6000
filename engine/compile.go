package engine

import (
	"fmt"

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

	// scope is the resource pattern a stored resource policy is attached
	// to: the statement applies only to resources it matches, and a
	// statement without Resource applies to exactly those.
	scope *pattern
	// attach is whom the policy is attached to (identity and boundary).
	attach Attachment

	// src is the statement as parsed and vars whether its document
	// substitutes policy variables; explain reads them to show what was
	// written and to find the variables a condition value uses.
	src  *policy.Statement
	vars bool
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
	// all holds the policies that apply to every request, by kind.
	all [numSets]set
	// byRole, byUser, byGroup and byApp hold the identity policies and
	// permissions boundaries attached to one role, user, group or app;
	// they apply to a request whose principal holds that role, is that
	// user or app, or is in that group. bySession holds the session
	// policy of each session, for a request whose principal is that
	// session.
	byRole, byUser, byGroup, byApp, bySession map[string]*attached
	// stmts lists every statement in input order, for explain.
	stmts []*stmt
}

// attached is what is attached to one principal reference.
type attached struct {
	identity, boundary, session set
}

// Compile builds an engine from a policy set. It fails (with an error that
// names the policy and statement) on what it cannot compile: an invalid
// Effect, a statement with both or neither of Action/NotAction, a condition
// value that does not parse for its operator, an attachment on a kind that
// cannot be attached. It never panics on a parsed document. Callers should
// run policy.Validate (policy.Load does) to give users the full list of
// findings first.
func Compile(policies []Policy) (*Engine, error) {
	e := &Engine{}
	var all [numSets]setBuilder
	type attachedBuilder struct{ identity, boundary, session setBuilder }
	var byRef [numAttachKinds]map[string]*attachedBuilder
	for pi := range policies {
		p := &policies[pi]
		if p.Doc == nil {
			return nil, fmt.Errorf("policy %q: no document", p.Name)
		}
		si, err := setFor(p.Kind)
		if err != nil {
			return nil, fmt.Errorf("policy %q: %w", p.Name, err)
		}
		target := &all[si]
		if p.Attach.Kind != AttachAll {
			if (p.Attach.Kind == AttachSession) != (si == setSession) ||
				(si != setIdentity && si != setBoundary && si != setSession) {
				return nil, fmt.Errorf("policy %q: a %v policy cannot be attached to %s; identity policies and permissions boundaries attach to roles, users, groups and apps, session policies to sessions", p.Name, p.Kind, p.Attach)
			}
			if p.Attach.Kind >= numAttachKinds || p.Attach.ID == "" {
				return nil, fmt.Errorf("policy %q: invalid attachment %s", p.Name, p.Attach)
			}
			m := byRef[p.Attach.Kind]
			if m == nil {
				m = map[string]*attachedBuilder{}
				byRef[p.Attach.Kind] = m
			}
			ab := m[p.Attach.ID]
			if ab == nil {
				ab = &attachedBuilder{}
				m[p.Attach.ID] = ab
			}
			switch si {
			case setIdentity:
				target = &ab.identity
			case setBoundary:
				target = &ab.boundary
			default:
				target = &ab.session
			}
		}
		var scope *pattern
		if p.Resource != "" {
			if si != setResource {
				return nil, fmt.Errorf("policy %q: only a resource policy is attached to a resource pattern", p.Name)
			}
			scope = compilePattern(p.Resource, true, false, false)
		}
		for _, st := range p.Doc.Statements {
			if st == nil {
				continue
			}
			s, err := compileStatement(p, st)
			if err != nil {
				return nil, fmt.Errorf("policy %q statement %d%s: %w", p.Name, st.Index, sidSuffix(st.Sid), err)
			}
			s.scope = scope
			s.attach = p.Attach
			e.stmts = append(e.stmts, s)
			target.add(s)
		}
	}
	for i := range all {
		e.all[i] = all[i].build()
	}
	for k, m := range byRef {
		if m == nil {
			continue
		}
		out := make(map[string]*attached, len(m))
		for id, ab := range m {
			out[id] = &attached{identity: ab.identity.build(), boundary: ab.boundary.build(), session: ab.session.build()}
		}
		switch AttachKind(k) {
		case AttachRole:
			e.byRole = out
		case AttachUser:
			e.byUser = out
		case AttachGroup:
			e.byGroup = out
		case AttachApp:
			e.byApp = out
		case AttachSession:
			e.bySession = out
		}
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
	s := &stmt{ref: StatementRef{Policy: p.Name, Kind: p.Kind, Index: st.Index, Sid: st.Sid, Effect: st.Effect, Attached: p.Attach.String()}, src: st, vars: vars}
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
