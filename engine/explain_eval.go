package engine

import "fmt"

// stmtEval is one statement checked element by element against a request.
type stmtEval struct {
	s   *stmt
	set int
	// action, resource, principal: whether each element applies
	// (principal is true for a statement without one); direct: whether
	// the Principal names the principal by its exact id.
	action, resource  bool
	principal, direct bool
	conds             []CondTrace
	// matched and matchedDirect are the engine's own verdicts,
	// s.matches(r, false) and s.matches(r, true), so that explain
	// combines exactly what Decide combines.
	matched, matchedDirect bool
}

// failing counts the elements that do not apply.
func (se *stmtEval) failing() int {
	n := 0
	for _, ok := range []bool{se.action, se.resource, se.principal} {
		if !ok {
			n++
		}
	}
	for i := range se.conds {
		if !se.conds[i].Matched {
			n++
		}
	}
	return n
}

// evaluation is every statement of an engine checked against one request,
// combined with the rules of Decide.
type evaluation struct {
	e     *Engine
	r     *Request
	evals []stmtEval

	// count is the number of statements per set; limitAllows whether an
	// Allow of the boundary or session set matches; limitsOK whether
	// every boundary and session set present allows the request.
	count       [numSets]int
	limitAllows [numSets]bool
	limitsOK    bool

	reason Reason
	// tookPart marks the statements of Explanation.Statements.
	tookPart []bool
	// idAllow: an identity Allow matched; resAllow: a resource Allow
	// matched, directly or not.
	idAllow, resAllow bool

	problems []string
}

// evaluate checks every statement of e (not only those the index would
// visit) against r and combines the results as Decide does.
func (e *Engine) evaluate(r *Request) *evaluation {
	ev := &evaluation{e: e, r: r, evals: make([]stmtEval, len(e.stmts)), tookPart: make([]bool, len(e.stmts))}
	for i, s := range e.stmts {
		se := &ev.evals[i]
		se.s = s
		set, err := setFor(s.ref.Kind)
		if err != nil {
			ev.problems = append(ev.problems, fmt.Sprintf("%s: %v", refString(&s.ref), err))
		}
		se.set = set
		se.action = s.matchAction(r)
		se.resource = s.matchResource(r)
		se.principal = true
		if s.principal != nil {
			se.principal, se.direct = s.matchPrincipal(r)
		}
		se.conds = make([]CondTrace, len(s.conds))
		condsOK := true
		for j, c := range s.conds {
			se.conds[j] = c.explain(r)
			condsOK = condsOK && se.conds[j].Matched
		}
		se.matched = s.matches(r, false)
		se.matchedDirect = s.matches(r, true)
		if parts := se.action && se.resource && se.principal && condsOK; parts != se.matched {
			ev.problems = append(ev.problems, fmt.Sprintf(
				"%s: its elements say matched=%v but the engine says %v", refString(&s.ref), parts, se.matched))
		}
		ev.count[set]++
	}
	ev.combine()
	return ev
}

// combine mirrors Decide: any matching Deny is an explicit deny; else an
// identity Allow allows when every boundary and session set present allows
// too; else a resource Allow allows, needing to name the principal
// directly when a boundary or session set does not allow; else implicit
// deny.
func (ev *evaluation) combine() {
	for i := range ev.evals {
		if se := &ev.evals[i]; se.matched && se.s.deny {
			ev.tookPart[i] = true
			ev.reason = ExplicitDeny
		}
	}
	ev.limitsOK = true
	for _, set := range [...]int{setBoundary, setSession} {
		if ev.count[set] == 0 {
			continue
		}
		for i := range ev.evals {
			if se := &ev.evals[i]; se.set == set && !se.s.deny && se.matched {
				ev.limitAllows[set] = true
				break
			}
		}
		ev.limitsOK = ev.limitsOK && ev.limitAllows[set]
	}
	var idAllows, resAllows []int
	for i := range ev.evals {
		se := &ev.evals[i]
		if se.s.deny || !se.matched {
			continue
		}
		switch se.set {
		case setIdentity:
			ev.idAllow = true
			idAllows = append(idAllows, i)
		case setResource:
			ev.resAllow = true
			if ev.limitsOK || se.matchedDirect {
				resAllows = append(resAllows, i)
			}
		}
	}
	if ev.reason == ExplicitDeny {
		return
	}
	switch {
	case len(idAllows) > 0 && ev.limitsOK:
		ev.reason = Allowed
	case len(resAllows) > 0:
		ev.reason = Allowed
		idAllows = nil // not allowed through them: the limits did not
	default:
		ev.reason = ImplicitDeny
		return
	}
	for _, i := range idAllows {
		ev.tookPart[i] = true
	}
	for _, i := range resAllows {
		ev.tookPart[i] = true
	}
	if ev.limitsOK {
		for i := range ev.evals {
			if se := &ev.evals[i]; (se.set == setBoundary || se.set == setSession) && !se.s.deny && se.matched {
				ev.tookPart[i] = true
			}
		}
	}
}

// took returns the statements that took part, in input order.
func (ev *evaluation) took() []StatementRef {
	var out []StatementRef
	for i, t := range ev.tookPart {
		if t {
			out = append(out, ev.evals[i].s.ref)
		}
	}
	return out
}

// limitName names a boundary or session set in prose.
func limitName(set int) string {
	if set == setBoundary {
		return "the permissions boundary"
	}
	return "the session policy"
}

// failedLimits names the boundary and session sets present that do not
// allow the request ("the permissions boundary and the session policy").
func (ev *evaluation) failedLimits() (names string, n int) {
	for _, set := range [...]int{setBoundary, setSession} {
		if ev.count[set] > 0 && !ev.limitAllows[set] {
			if n > 0 {
				names += " and "
			}
			names += limitName(set)
			n++
		}
	}
	return names, n
}

// fill writes the evaluation into t: summary, statements, limits,
// variables, hints. d is the decision Decide made.
func (ev *evaluation) fill(t *Trace, d Decision) {
	t.Problems = append(t.Problems, ev.problems...)
	if ev.reason != d.Reason {
		t.Problems = append(t.Problems, fmt.Sprintf("explain combines to %v but Decide says %v", ev.reason, d.Reason))
	}
	if d.By != nil && !ev.isTook(d.By) {
		t.Problems = append(t.Problems, fmt.Sprintf("Decide's deciding statement %s is not among the statements explain found", refString(d.By)))
	}
	hints, hinted := ev.hints()
	t.Hints = hints
	t.Summary, t.headline = ev.summary(d)
	for i := range ev.evals {
		if se := &ev.evals[i]; se.action || hinted[i] {
			t.Statements = append(t.Statements, ev.statementTrace(i))
		}
	}
	t.Limits = ev.limits()
	t.Variables = requestVariables(ev.r)
	if len(t.Hints) == 0 && d.Reason == ImplicitDeny {
		t.why = ev.whyImplicit(len(t.Statements))
	}
}

// whyImplicit says, for an implicit deny without hints, where to look.
func (ev *evaluation) whyImplicit(considered int) string {
	r := ev.r
	if failed, n := ev.failedLimits(); n > 0 && (ev.idAllow || ev.resAllow) {
		return fmt.Sprintf("%s has no Allow that matches %s on %s; an identity Allow counts only where %s allows too",
			failed, orEmpty(r.Action), orEmpty(r.Resource.Name), failed)
	}
	if considered == 0 {
		return fmt.Sprintf("no statement's Action matches %s (%d statement%s checked)", orEmpty(r.Action), len(ev.evals), plural(len(ev.evals)))
	}
	verb := "names"
	if considered != 1 {
		verb = "name"
	}
	return fmt.Sprintf("%d statement%s %s %s, but none applies to this request: see the ✗ marks below",
		considered, plural(considered), verb, orEmpty(r.Action))
}

func (ev *evaluation) isTook(ref *StatementRef) bool {
	for i, t := range ev.tookPart {
		if t && ev.evals[i].s.ref == *ref {
			return true
		}
	}
	return false
}

// limits reports the boundary and session sets present.
func (ev *evaluation) limits() []LimitTrace {
	var out []LimitTrace
	for _, set := range [...]int{setBoundary, setSession} {
		if ev.count[set] == 0 {
			continue
		}
		lt := LimitTrace{Kind: "boundary", Statements: ev.count[set], Allows: ev.limitAllows[set]}
		if set == setSession {
			lt.Kind = "session"
		}
		if !lt.Allows && ev.reason != ExplicitDeny {
			lt.Limited = ev.reason == ImplicitDeny && (ev.idAllow || ev.resAllow)
			lt.Bypassed = ev.reason == Allowed
		}
		out = append(out, lt)
	}
	return out
}

// statementTrace builds the trace of statement i.
func (ev *evaluation) statementTrace(i int) StatementTrace {
	se := &ev.evals[i]
	s, r := se.s, ev.r
	st := StatementTrace{
		StatementRef: s.ref,
		Action:       actionTrace(s, r, se.action),
		Resource:     resourceTrace(s, r, se.resource),
		Conditions:   append([]CondTrace{}, se.conds...),
		Matched:      se.matched,
		Decided:      ev.tookPart[i],
	}
	if s.src != nil && s.src.Pos.IsValid() {
		st.Line, st.Column = s.src.Pos.Line, s.src.Pos.Col
	}
	if s.principal != nil {
		st.Principal = principalTrace(s, r, se.principal, se.direct)
	}
	st.Note = ev.note(i)
	return st
}

// note says what a matching statement did or did not do.
func (ev *evaluation) note(i int) string {
	se := &ev.evals[i]
	if !se.matched {
		return ""
	}
	if se.s.deny {
		return "explicit deny: overrides every Allow"
	}
	if ev.reason == ExplicitDeny {
		return "allows, but an explicit Deny overrides it"
	}
	failed, _ := ev.failedLimits()
	switch se.set {
	case setIdentity:
		if !ev.limitsOK {
			return fmt.Sprintf("allows, but %s does not, so this Allow does not count", failed)
		}
	case setResource:
		if !ev.limitsOK && !se.matchedDirect {
			return fmt.Sprintf("allows, but not by naming the principal directly, so %s limits it and it does not count", failed)
		}
		if !ev.limitsOK {
			return fmt.Sprintf("names the principal directly, so %s does not limit it", failed)
		}
	case setBoundary, setSession:
		switch {
		case ev.tookPart[i]:
			return fmt.Sprintf("%s allows this", limitName(se.set))
		case !ev.limitsOK:
			return fmt.Sprintf("%s allows this, but %s does not", limitName(se.set), failed)
		}
		return fmt.Sprintf("%s allows this, but grants nothing by itself: an identity or resource policy must allow it too", limitName(se.set))
	}
	return ""
}

// summary returns the one-sentence summary and the text headline.
func (ev *evaluation) summary(d Decision) (summary, headline string) {
	r := ev.r
	what := fmt.Sprintf("%s on %s", orEmpty(r.Action), orEmpty(r.Resource.Name))
	switch d.Reason {
	case ExplicitDeny:
		by := "a Deny statement"
		if d.By != nil {
			by = refString(d.By)
		}
		n := 0
		for _, t := range ev.tookPart {
			if t {
				n++
			}
		}
		more := ""
		if n > 1 {
			more = fmt.Sprintf(" (and %d more Deny statement%s)", n-1, plural(n-1))
		}
		return "Denied explicitly by " + by + more, "DENY  explicit deny by " + by + more
	case Allowed:
		by := "an Allow statement"
		if d.By != nil {
			by = refString(d.By)
		}
		detail := by
		if failed, n := ev.failedLimits(); n > 0 {
			detail += fmt.Sprintf(", a resource policy that names the principal directly, so %s does not limit it", failed)
		} else {
			var within []string
			for _, set := range [...]int{setBoundary, setSession} {
				if ev.count[set] == 0 {
					continue
				}
				if first := ev.firstTook(set); first != nil {
					within = append(within, fmt.Sprintf("%s of %s", refString(first), limitName(set)))
				}
			}
			switch len(within) {
			case 0:
			case 1:
				detail += "; " + within[0] + " allows it too"
			default:
				detail += "; " + joinAnd(within) + " allow it too"
			}
		}
		return "Allowed by " + detail, "ALLOW by " + detail
	}
	// Implicit deny: say whether something allowed but was held back.
	detail := "no statement allows " + what
	failed, n := ev.failedLimits()
	if n > 0 {
		verb := "does"
		if n > 1 {
			verb = "do"
		}
		if first := ev.firstMatchedAllow(setIdentity); first != nil {
			detail = fmt.Sprintf("%s allows %s, but %s %s not", refString(first), what, failed, verb)
		} else if first := ev.firstMatchedAllow(setResource); first != nil {
			detail = fmt.Sprintf("%s allows %s, but not by naming the principal directly, and %s %s not", refString(first), what, failed, verb)
		}
	}
	return "Denied: " + detail + " (implicit deny)", "DENY  implicit deny: " + detail
}

func (ev *evaluation) firstTook(set int) *StatementRef {
	for i, t := range ev.tookPart {
		if t && ev.evals[i].set == set {
			return &ev.evals[i].s.ref
		}
	}
	return nil
}

func (ev *evaluation) firstMatchedAllow(set int) *StatementRef {
	for i := range ev.evals {
		if se := &ev.evals[i]; se.set == set && !se.s.deny && se.matched {
			return &se.s.ref
		}
	}
	return nil
}

// refString names a statement for people: `p.json statement 2 ("NoSecret")`.
func refString(ref *StatementRef) string {
	s := fmt.Sprintf("%s statement %d", orEmpty(ref.Policy), ref.Index)
	if ref.Sid != "" {
		s += fmt.Sprintf(" (%q)", ref.Sid)
	}
	return s
}

// stmtName names a statement inside a sentence: `statement "Sid"
// (p.json statement 2)` or `p.json statement 2`.
func stmtName(ref *StatementRef) string {
	if ref.Sid != "" {
		return fmt.Sprintf("statement %q (%s statement %d)", ref.Sid, orEmpty(ref.Policy), ref.Index)
	}
	return fmt.Sprintf("%s statement %d", orEmpty(ref.Policy), ref.Index)
}

func orEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	out := ""
	for i, p := range parts {
		switch {
		case i == 0:
		case i == len(parts)-1:
			out += " and "
		default:
			out += ", "
		}
		out += p
	}
	return out
}
