package engine

import (
	"fmt"
	"strings"

	"gatehouse.dev/gatehouse/policy"
)

// Permissions is what one principal may do, read off the policies rather
// than decided for one request: every Allow that applies to it, with its
// patterns after policy variable substitution, its conditions sorted into
// those that hold, fail or are left open, and the Deny statements,
// permissions boundary and session policy that cut into it. It is the
// "what may I do" part of whoami. Its JSON form uses snake_case names and
// is deterministic: statements in input order.
type Permissions struct {
	// Principal describes who: "user alice (roles: member; groups: eng)".
	Principal string `json:"principal"`
	// Allows are the Allow statements that apply to the principal: the
	// identity policy statements attached to it (to everyone, to a role it
	// holds, a group it is in, its user, app or session id) and the
	// resource and trust policy statements whose Principal matches it. In
	// input order, including those that grant nothing (marked).
	Allows []Grant `json:"allows"`
	// Boundary and Session are the permissions boundary and the session
	// policy that apply to the principal, nil when none does.
	Boundary *LimitSummary `json:"boundary,omitempty"`
	Session  *LimitSummary `json:"session,omitempty"`
	// Problems records anything the summary could not account for (it
	// should stay empty; a non-empty list is a bug worth reporting).
	Problems []string `json:"problems,omitempty"`
}

// Grant is one Allow that applies to the principal, with what limits it.
type Grant struct {
	StatementSummary
	// Grants is false when the Allow can give this principal nothing: a
	// condition fails for it, every Resource pattern holds a variable it
	// has no value for, or a permissions boundary or session policy that
	// limits the Allow has no Allow overlapping it.
	Grants bool `json:"grants"`
	// Why says why Grants is false.
	Why string `json:"why,omitempty"`
	// Denies are the Deny statements that apply to the principal (from
	// any identity, resource, boundary or session policy), may hold, and
	// whose Action and Resource overlap this Allow's: an explicit deny
	// wins wherever one matches. See the overlap rules in
	// permissions_overlap.go.
	Denies []StatementSummary `json:"denies"`
	// Boundary and Session are set when a permissions boundary or session
	// policy applies to the principal: the Allow counts only where one of
	// their Allows matches too.
	Boundary *GrantLimit `json:"boundary,omitempty"`
	Session  *GrantLimit `json:"session,omitempty"`
}

// GrantLimit is how a permissions boundary or session policy limits one
// Allow.
type GrantLimit struct {
	// Bypassed is set for a resource policy statement that names the
	// principal directly (by its exact id in a User, App or AWS entry): as
	// in AWS, the boundary and session policy do not limit it.
	Bypassed bool `json:"bypassed,omitempty"`
	// Allows are the limit's Allow statements that may hold and whose
	// Action and Resource overlap the Allow's: the Allow is effective only
	// within their union. Empty (and not bypassed) means the limit leaves
	// the Allow nothing.
	Allows []StatementSummary `json:"allows"`
}

// LimitSummary is a permissions boundary or the session policy as it
// applies to the principal.
type LimitSummary struct {
	// Statements is how many of its statements apply (Allow and Deny).
	Statements int `json:"statements"`
	// Allows are its Allow statements that may hold, in input order.
	Allows []StatementSummary `json:"allows"`
}

// StatementSummary is one statement as it reads for the principal.
type StatementSummary struct {
	StatementRef
	// Line and Column locate the statement in its source, when known.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Scope is the resource pattern a resource policy is attached to.
	Scope string `json:"scope,omitempty"`
	// Actions and Resources are the statement's Action/NotAction and
	// Resource/NotResource.
	Actions   ElementSummary `json:"actions"`
	Resources ElementSummary `json:"resources"`
	// Principal is the Principal/NotPrincipal of a resource or trust
	// policy statement against this principal.
	Principal *PrincipalTrace `json:"principal,omitempty"`
	// Conditions are every condition of the statement, in source order.
	Conditions []CondSummary `json:"conditions"`
	// Status sums up whether the statement applies to the principal.
	Status Applicability `json:"status"`
	// Why says, for Status "never", what rules the statement out.
	Why string `json:"why,omitempty"`
}

// ElementSummary is an Action, NotAction, Resource or NotResource element.
type ElementSummary struct {
	// Element is "Action", "NotAction", "Resource" or "NotResource", or ""
	// when a resource or trust policy statement has no Resource (it then
	// applies to the resource the policy is attached to).
	Element  string           `json:"element"`
	Patterns []PatternSummary `json:"patterns"`
}

// PatternSummary is one pattern after substitution of the variables the
// principal fixes.
type PatternSummary struct {
	// Pattern is the pattern with the principal's values substituted (a
	// literal "*" or "?" from a value shown as ${*} or ${?}); a variable
	// that is open or has no value stays as written.
	Pattern string `json:"pattern"`
	// Written is the pattern as written, when it holds variables.
	Written string `json:"written,omitempty"`
	// NoValue are variables the principal fixes but has no single value
	// for (absent, or several values) and that have no default. As in IAM
	// ("Policy variables with no value"), the pattern then matches
	// nothing; the engine treats it so in Decide.
	NoValue []string `json:"no_value,omitempty"`
	// Open are variables whose value comes with each request
	// (resource:*, request:*, context keys not given here).
	Open []string `json:"open,omitempty"`
}

// CondSummary is one condition of a statement, sorted by what the
// principal alone decides.
type CondSummary struct {
	// Operator and Key are as written.
	Operator string `json:"operator"`
	Key      string `json:"key"`
	// Values are the policy values, with the variables the principal
	// fixes substituted (one without a value shown as "${key} (no
	// value)"); open variables stay as written.
	Values []string `json:"values"`
	// Outcome is "holds", "fails" or "open".
	Outcome CondOutcome `json:"outcome"`
	// Open are the keys, for an open condition, whose values come with
	// each request.
	Open []string `json:"open,omitempty"`
	// KeyPresent and PrincipalValues are the key's values as the principal
	// has them, for a condition that holds or fails.
	KeyPresent      bool     `json:"key_present,omitempty"`
	PrincipalValues []string `json:"principal_values,omitempty"`
	// Note explains an outcome that is not obvious from the values.
	Note string `json:"note,omitempty"`
}

// Applicability says whether a statement applies to a principal.
type Applicability string

// Applicabilities.
const (
	// StatementApplies: every condition holds (or there are none).
	StatementApplies Applicability = "applies"
	// StatementConditional: no condition fails, but some are open: the statement
	// applies to the requests whose values satisfy them.
	StatementConditional Applicability = "conditional"
	// StatementNever: a condition fails for this principal, or every Resource
	// pattern holds a variable it has no value for.
	StatementNever Applicability = "never"
)

// CondOutcome is how a condition fares for a principal.
type CondOutcome string

// Condition outcomes.
const (
	// CondHolds: every key is fixed by the principal and the condition is
	// true.
	CondHolds CondOutcome = "holds"
	// CondFails: every key is fixed by the principal and the condition is
	// false, so its statement never applies to the principal.
	CondFails CondOutcome = "fails"
	// CondOpen: a key (or a variable in a value) comes with each request.
	CondOpen CondOutcome = "open"
)

// Permissions summarizes what the principal of r may do. It reads r's
// principal (type, id, roles, groups, attributes), claims and context;
// r's action and resource are ignored.
//
// Which statements apply follows Decide: identity policies, boundaries and
// session policies attached to everyone or to the principal (a role it
// holds, a group it is in, its user, app or session id), and resource and
// trust policy statements whose Principal (or NotPrincipal) admits it.
//
// A key is fixed by the principal when it is a principal:* or jwt:* key,
// or a context key present in r.Context other than a request:* or
// resource:* one; resource:* and request:* keys (request:time,
// request:ip) and context keys r does not carry are open: they come with
// each request. A condition whose keys are all fixed is evaluated with the
// engine's own evaluation and holds or fails; any other is open.
//
// It is meant for people, not the hot path: it visits every statement and
// compares patterns pairwise. It never panics; a nil r is an anonymous
// principal and a nil engine has no policies.
func (e *Engine) Permissions(r *Request) (p *Permissions) {
	if r == nil {
		r = &Request{}
	}
	if e == nil {
		e = &Engine{}
	}
	v := &permView{r: &Request{Principal: r.Principal, Claims: r.Claims, Context: r.Context}}
	p = &Permissions{Principal: describePrincipal(&v.r.Principal), Allows: []Grant{}}
	defer func() {
		if x := recover(); x != nil {
			p.Problems = append(p.Problems, fmt.Sprintf("permissions failed: %v", x))
		}
	}()

	// The statements that apply to the principal, in input order.
	var applied []*permStmt
	var count [numSets]int
	for _, s := range e.stmts {
		set, err := setFor(s.ref.Kind)
		if err != nil {
			p.Problems = append(p.Problems, fmt.Sprintf("%s: %v", refString(&s.ref), err))
			continue
		}
		if !s.attach.appliesTo(v.r) {
			continue
		}
		ps := &permStmt{s: s, set: set}
		if s.principal != nil {
			ok, direct := s.matchPrincipal(v.r)
			if !ok {
				continue
			}
			ps.direct = direct
		}
		v.summarize(ps)
		applied = append(applied, ps)
		count[set]++
	}

	limits := [numSets]*LimitSummary{}
	for _, set := range [...]int{setBoundary, setSession} {
		if count[set] == 0 {
			continue
		}
		ls := &LimitSummary{Statements: count[set], Allows: []StatementSummary{}}
		for _, ps := range applied {
			if ps.set == set && !ps.s.deny && ps.sum.Status != StatementNever {
				ls.Allows = append(ls.Allows, ps.sum)
			}
		}
		limits[set] = ls
	}
	p.Boundary, p.Session = limits[setBoundary], limits[setSession]

	for _, a := range applied {
		if a.s.deny || (a.set != setIdentity && a.set != setResource) {
			continue
		}
		g := Grant{StatementSummary: a.sum, Grants: a.sum.Status != StatementNever, Why: a.sum.Why, Denies: []StatementSummary{}}
		for _, d := range applied {
			if d.s.deny && d.sum.Status != StatementNever && a.overlaps(d) {
				g.Denies = append(g.Denies, d.sum)
			}
		}
		for _, set := range [...]int{setBoundary, setSession} {
			if limits[set] == nil {
				continue
			}
			gl := &GrantLimit{Allows: []StatementSummary{}}
			if a.set == setResource && a.direct {
				gl.Bypassed = true
			} else {
				for _, l := range applied {
					if l.set == set && !l.s.deny && l.sum.Status != StatementNever && a.overlaps(l) {
						gl.Allows = append(gl.Allows, l.sum)
					}
				}
				if len(gl.Allows) == 0 && g.Grants {
					g.Grants = false
					g.Why = fmt.Sprintf("%s applies to this principal but allows none of these actions on these resources", limitName(set))
				}
			}
			if set == setBoundary {
				g.Boundary = gl
			} else {
				g.Session = gl
			}
		}
		p.Allows = append(p.Allows, g)
	}
	return p
}

// permView is the principal's side of a request: r holds its principal,
// claims and context, with no action or resource.
type permView struct {
	r *Request
}

// permStmt is one statement that applies to the principal.
type permStmt struct {
	s   *stmt
	set int
	// direct: a resource policy statement's Principal names the principal
	// by its exact id.
	direct bool
	sum    StatementSummary
	// actions and resources are the elements flattened for overlap tests.
	actions, resources elemGlobs
}

// overlaps reports whether some action on some resource could match both
// statements.
func (a *permStmt) overlaps(b *permStmt) bool {
	return a.actions.overlaps(&b.actions) && a.resources.overlaps(&b.resources)
}

// fixed reports whether the principal fixes the value of key k (see
// Engine.Permissions).
func (v *permView) fixed(k *keyRef) bool {
	switch k.src {
	case srcPrincipalID, srcPrincipalType, srcPrincipalRoles, srcPrincipalGroups, srcPrincipalAttr, srcJWT:
		return true
	case srcResourceName, srcResourceType, srcResourceAttr:
		return false
	}
	lower := strings.ToLower(k.full)
	if strings.HasPrefix(lower, "request:") || strings.HasPrefix(lower, "resource:") {
		return false
	}
	_, ok := lookupFold(v.r.Context, k.full)
	return ok
}

// summarize fills ps.sum and the overlap forms of its elements.
func (v *permView) summarize(ps *permStmt) {
	s := ps.s
	sum := StatementSummary{StatementRef: s.ref, Conditions: []CondSummary{}}
	if s.src != nil && s.src.Pos.IsValid() {
		sum.Line, sum.Column = s.src.Pos.Line, s.src.Pos.Col
	}
	if s.scope != nil {
		sum.Scope = s.scope.src
	}

	sum.Actions = ElementSummary{Element: "Action", Patterns: make([]PatternSummary, len(s.actions))}
	if s.notAction {
		sum.Actions.Element = "NotAction"
	}
	ps.actions = elemGlobs{not: s.notAction, fold: true}
	for i, pat := range s.actions {
		// Actions take no variables: show them as written, as explain does.
		sum.Actions.Patterns[i] = PatternSummary{Pattern: pat.src}
		g, _, _ := v.glob(pat)
		ps.actions.globs = append(ps.actions.globs, g)
		ps.actions.firm = append(ps.actions.firm, true)
	}

	sum.Resources = ElementSummary{Patterns: []PatternSummary{}}
	ps.resources = elemGlobs{not: s.notResource, all: s.anyResource}
	if s.anyResource && s.scope != nil {
		// No Resource: the statement covers exactly the policy's scope.
		g, _, _ := v.glob(s.scope)
		ps.resources = elemGlobs{globs: []glob{g}, firm: []bool{true}}
	}
	var noValue []string
	switch {
	case s.anyResource:
	case s.notResource:
		sum.Resources.Element = "NotResource"
	default:
		sum.Resources.Element = "Resource"
	}
	for _, pat := range s.resources {
		pv := v.pattern(pat)
		sum.Resources.Patterns = append(sum.Resources.Patterns, pv)
		noValue = appendNew(noValue, pv.NoValue...)
		if g, ok, open := v.glob(pat); ok {
			ps.resources.globs = append(ps.resources.globs, g)
			ps.resources.firm = append(ps.resources.firm, !open)
		}
	}

	if s.principal != nil {
		sum.Principal = principalTrace(s, v.r, true, ps.direct)
	}

	var failed []string
	open := false
	for _, c := range s.conds {
		cs := v.condition(c)
		sum.Conditions = append(sum.Conditions, cs)
		switch cs.Outcome {
		case CondFails:
			failed = append(failed, cs.Operator+" "+cs.Key)
		case CondOpen:
			open = true
		}
	}
	switch {
	case len(failed) > 0:
		sum.Status = StatementNever
		sum.Why = fmt.Sprintf("condition %s fails for this principal", strings.Join(failed, ", "))
	case sum.Resources.Element == "Resource" && len(ps.resources.globs) == 0:
		sum.Status = StatementNever
		sum.Why = fmt.Sprintf("every Resource pattern holds a variable with no value for this principal (%s), so it matches nothing", strings.Join(noValue, ", "))
	case open:
		sum.Status = StatementConditional
	default:
		sum.Status = StatementApplies
	}
	ps.sum = sum
}

// pattern renders a pattern with the variables the principal fixes
// substituted, as explain's showPattern does, but leaving open variables
// as written (even those with a default: the request may supply a value).
func (v *permView) pattern(p *pattern) PatternSummary {
	var ps PatternSummary
	var b strings.Builder
	for i := range p.toks {
		t := &p.toks[i]
		switch t.kind {
		case tokLit:
			writeEscaped(&b, t.lit)
		case tokStar:
			b.WriteByte('*')
		case tokOne:
			b.WriteByte('?')
		case tokVar:
			if !v.fixed(&t.key) {
				b.WriteString(varText(t))
				ps.Open = appendNew(ps.Open, varText(t))
				continue
			}
			if val, ok := t.varValue(v.r); ok {
				writeEscaped(&b, val)
				continue
			}
			b.WriteString(varText(t))
			ps.NoValue = appendNew(ps.NoValue, varText(t))
		}
	}
	ps.Pattern = b.String()
	if p.hasVars() {
		ps.Written = p.src
	}
	return ps
}

// glob flattens a pattern for the overlap tests: ok is false when it holds
// a variable the principal fixes but has no value for (it matches
// nothing); open is true when it holds a variable read as "*".
func (v *permView) glob(p *pattern) (g glob, ok, open bool) {
	for i := range p.toks {
		t := &p.toks[i]
		switch t.kind {
		case tokLit:
			g = g.addText(t.lit)
		case tokStar, tokOne:
			g = g.add(t.kind, 0)
		case tokVar:
			if !v.fixed(&t.key) {
				g = g.add(tokStar, 0)
				open = true
				continue
			}
			val, has := t.varValue(v.r)
			if !has {
				return nil, false, open
			}
			g = g.addText(val)
		}
	}
	return g, true, open
}

// condition sorts one condition: open when a key it reads (its own key or
// a variable in its values) is not fixed by the principal; otherwise the
// engine's own evaluation says whether it holds.
func (v *permView) condition(c *condition) CondSummary {
	cs := CondSummary{Operator: c.opText, Key: c.key.full}
	if !v.fixed(&c.key) {
		cs.Open = append(cs.Open, c.key.full)
	}
	for i := range c.vars {
		if !v.fixed(&c.vars[i]) {
			cs.Open = appendNew(cs.Open, c.vars[i].full)
		}
	}
	if len(cs.Open) > 0 {
		cs.Outcome = CondOpen
		cs.Values = make([]string, len(c.src))
		for i, s := range c.src {
			cs.Values[i] = v.condValue(c, s)
		}
		return cs
	}
	ct := c.explain(v.r)
	cs.Values, cs.KeyPresent, cs.Note = ct.PolicyValues, ct.KeyPresent, ct.Note
	if ct.KeyPresent {
		cs.PrincipalValues = ct.RequestValues
	}
	cs.Outcome = CondFails
	if ct.Matched {
		cs.Outcome = CondHolds
	}
	return cs
}

// condValue shows one policy value of an open condition: the variables the
// principal fixes substituted as explain's shownValue does, open ones as
// written.
func (v *permView) condValue(c *condition, s string) string {
	switch c.family {
	case policy.FamilyString, policy.FamilyArn, policy.FamilyBool:
	default:
		return s // IAM substitutes variables only in these families
	}
	tmpl, err := policy.ParseTemplate(s, c.varsOn)
	if err != nil || !tmpl.HasVars() {
		return s
	}
	var b strings.Builder
	for _, part := range tmpl {
		if part.Kind != policy.PartVar {
			b.WriteString(part.Text)
			continue
		}
		k := compileKey(part.Text)
		switch val, ok := v.r.lookupSingle(&k); {
		case !v.fixed(&k) && part.HasDefault:
			fmt.Fprintf(&b, "${%s, '%s'}", part.Text, part.Default)
		case !v.fixed(&k):
			b.WriteString("${" + part.Text + "}")
		case ok:
			b.WriteString(val)
		case part.HasDefault:
			b.WriteString(part.Default)
		default:
			b.WriteString("${" + part.Text + "} (no value)")
		}
	}
	return b.String()
}
