package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"gatehouse.dev/gatehouse/policy"
)

// Hint codes. They are stable: tools and tests may match on them.
const (
	// HintARNSegment: the resource differs from a statement's pattern only
	// in one ARN segment (partition, service, region or account).
	HintARNSegment = "hint.arn_segment"
	// HintCase: a resource or string condition value differs only in case.
	HintCase = "hint.case"
	// HintTrailingSlash: the resource differs only by a trailing "/" or
	// "/*" (a bucket against its objects, or the reverse).
	HintTrailingSlash = "hint.trailing_slash"
	// HintMissingKey: a policy variable or condition key that the request
	// does not carry (or carries with several values), or a condition that
	// holds only because its key is absent.
	HintMissingKey = "hint.missing_key"
	// HintSimilarAction: the action differs from a statement's only by a
	// similar name within the same service.
	HintSimilarAction = "hint.similar_action"
	// HintDenyOverrides: a broad explicit Deny overrides an Allow that
	// also matched (the LoopBack "DENY $everyone, ALLOW admin" trap).
	HintDenyOverrides = "hint.deny_overrides"
	// HintLiteralVariable: a "${...}" in a document without Version
	// 2012-10-17, which is literal text there.
	HintLiteralVariable = "hint.literal_variable"
)

// hintOrder ranks codes within one rank, most useful first.
var hintOrder = map[string]int{
	HintDenyOverrides:   0,
	HintARNSegment:      1,
	HintTrailingSlash:   2,
	HintCase:            3,
	HintMissingKey:      4,
	HintLiteralVariable: 5,
	HintSimilarAction:   6,
}

// Hint ranks: what explains the outcome by itself comes first.
const (
	rankDecisive = iota // the deny that overrides, a condition true only by absence
	rankOnly            // the statement's only failing element
	rankOther           // one of several failing elements
)

type rankedHint struct {
	Hint
	rank, stmt, seq int
	// group merges hints about the same missing key in several
	// statements; others counts the merged ones.
	group  string
	others int
}

// hintSet collects hints for one evaluation.
type hintSet struct {
	ev     *evaluation
	vars   []Variable
	hints  []rankedHint
	hinted []bool
	// seen indexes hints by group, or by code and message, to merge
	// repeats; grouped records the statements merged into a group.
	seen    map[string]int
	grouped map[string]map[int]bool
}

func (hs *hintSet) add(i int, rank int, code, group, msg string) {
	key := "m:" + code + "\x00" + msg
	if group != "" {
		key = "g:" + group
	}
	if k, ok := hs.seen[key]; ok {
		if group != "" && !hs.grouped[key][i] {
			hs.grouped[key][i] = true
			hs.hints[k].others++
			hs.hinted[i] = true
		}
		return
	}
	if group != "" {
		if hs.grouped == nil {
			hs.grouped = map[string]map[int]bool{}
		}
		hs.grouped[key] = map[int]bool{i: true}
	}
	if hs.seen == nil {
		hs.seen = map[string]int{}
	}
	hs.seen[key] = len(hs.hints)
	ref := hs.ev.evals[i].s.ref
	hs.hints = append(hs.hints, rankedHint{Hint: Hint{Code: code, Message: msg, Statement: &ref},
		rank: rank, stmt: i, seq: len(hs.hints), group: group})
	hs.hinted[i] = true
}

// hints finds the near misses of statements that could have changed the
// outcome: for an implicit deny, the Allows that did not match (and the
// boundary or session Allows, where that set held the request back); for an
// allow, the Denys that did not match and the conditions that held only
// because a key was absent; for an explicit deny, a broad Deny overriding
// a matching Allow. It returns the hints, most useful first, and which
// statements they name.
func (ev *evaluation) hints() ([]Hint, []bool) {
	hs := &hintSet{ev: ev, vars: requestVariables(ev.r), hinted: make([]bool, len(ev.evals))}
	switch ev.reason {
	case ExplicitDeny:
		hs.denyOverrides()
		for i := range ev.evals {
			if ev.tookPart[i] {
				hs.absentKeys(i)
			}
		}
	case Allowed:
		for i := range ev.evals {
			se := &ev.evals[i]
			switch {
			case ev.tookPart[i]:
				hs.absentKeys(i)
			case se.s.deny && !se.matched:
				hs.nearMiss(i)
			}
		}
	default:
		for i := range ev.evals {
			se := &ev.evals[i]
			if se.s.deny || se.matched {
				continue
			}
			switch se.set {
			case setIdentity, setResource:
				hs.nearMiss(i)
			case setBoundary, setSession:
				if !ev.limitAllows[se.set] {
					hs.nearMiss(i)
				}
			}
		}
	}
	sort.SliceStable(hs.hints, func(a, b int) bool {
		x, y := &hs.hints[a], &hs.hints[b]
		if x.rank != y.rank {
			return x.rank < y.rank
		}
		if hintOrder[x.Code] != hintOrder[y.Code] {
			return hintOrder[x.Code] < hintOrder[y.Code]
		}
		if x.stmt != y.stmt {
			return x.stmt < y.stmt
		}
		return x.seq < y.seq
	})
	out := make([]Hint, len(hs.hints))
	for k, h := range hs.hints {
		out[k] = h.Hint
		if h.others > 0 {
			out[k].Message += fmt.Sprintf(" (the same holds for %d more statement%s)", h.others, plural(h.others))
		}
	}
	return out, hs.hinted
}

// nearMiss looks for what keeps statement i from matching.
func (hs *hintSet) nearMiss(i int) {
	se := &hs.ev.evals[i]
	s := se.s
	rank := rankOther
	if se.failing() == 1 {
		rank = rankOnly
	}
	if !se.action {
		if se.resource && se.principal {
			hs.similarAction(i, rank)
		}
		return
	}
	if !se.resource && !s.notResource && !s.anyResource {
		for _, p := range s.resources {
			hs.resourceNearMiss(i, rank, p)
		}
		hs.patternVars(i, rank, s.resources, "Resource")
	}
	if !se.principal && s.principal != nil && !s.notPrincipal {
		hs.principalNearMiss(i, rank)
		m := s.principal
		var all []*pattern
		for _, l := range [][]*pattern{m.users, m.apps, m.roles, m.groups, m.aws} {
			all = append(all, l...)
		}
		hs.patternVars(i, rank, all, "Principal")
	}
	for j := range se.conds {
		if !se.conds[j].Matched {
			hs.conditionNearMiss(i, rank, j)
		}
	}
}

// resourceNearMiss checks one Resource pattern against the request's
// resource for an ARN segment, case or trailing "/" difference.
func (hs *hintSet) resourceNearMiss(i, rank int, p *pattern) {
	r := hs.ev.r
	name := r.Resource.Name
	ref := &hs.ev.evals[i].s.ref
	shown, unresolved := showPattern(p, r)
	if len(unresolved) > 0 {
		return // patternVars explains it
	}
	if seg, want, ok := arnSegmentMiss(p, r); ok {
		hs.add(i, rank, HintARNSegment, "", fmt.Sprintf(
			"resource differs from %s only in the %s: the request is %s, the policy says %s (%s)",
			stmtName(ref), arnSegmentNames[seg], name, showSegment(want), shown))
		return
	}
	folded := *p
	folded.fold = true
	if folded.match(name, r) {
		hs.add(i, rank, HintCase, "", fmt.Sprintf(
			"resource differs from %s only in case: the request is %s, the policy says %s; resource names are case-sensitive",
			stmtName(ref), name, shown))
		return
	}
	if msg := trailingMiss(p, r, shown); msg != "" {
		hs.add(i, rank, HintTrailingSlash, "", fmt.Sprintf("%s: %s", stmtName(ref), msg))
	}
}

var arnSegmentNames = [...]string{1: "partition", 2: "service", 3: "region", 4: "account"}

func showSegment(s string) string {
	if s == "" {
		return "nothing (an empty segment)"
	}
	return s
}

// arnSegmentMiss reports whether the request's ARN would match p if one of
// its partition, service, region or account segments were the one p
// names: the segment and p's value for it.
func arnSegmentMiss(p *pattern, r *Request) (seg int, want string, ok bool) {
	name := r.Resource.Name
	req := strings.SplitN(name, ":", 6)
	if len(req) != 6 || req[0] != "arn" {
		return 0, "", false
	}
	shown, _ := showPattern(p, r)
	pat := strings.SplitN(shown, ":", 6)
	if len(pat) != 6 || pat[0] != "arn" {
		return 0, "", false
	}
	for seg := 1; seg <= 4; seg++ {
		want := pat[seg]
		if want == req[seg] || strings.ContainsAny(want, "*?$") {
			continue
		}
		cand := append([]string{}, req...)
		cand[seg] = want
		if p.match(strings.Join(cand, ":"), r) {
			return seg, want, true
		}
	}
	return 0, "", false
}

// trailingMiss explains a resource that differs from p only by a trailing
// "/" or "/*", or "" when it does not.
func trailingMiss(p *pattern, r *Request, shown string) string {
	name := r.Resource.Name
	if name == "" {
		return ""
	}
	if trimmed, ok := strings.CutSuffix(name, "/"); ok && trimmed != "" && p.match(trimmed, r) {
		return fmt.Sprintf("the request is %s, the policy says %s: they differ only by the trailing \"/\"", name, shown)
	}
	if p.match(name+"/", r) {
		return fmt.Sprintf("the request names %s itself, but the policy covers only what is under it (%s): to cover %s too, add it to the Resource",
			name, shown, name)
	}
	for i := strings.LastIndexByte(name, '/'); i > 0; i = strings.LastIndexByte(name[:i], '/') {
		if p.match(name[:i], r) {
			return fmt.Sprintf("the request names %s, which is under %s; the policy names only %s itself: to cover what is under it, add %s/* to the Resource",
				name, name[:i], shown, name[:i])
		}
	}
	return ""
}

// principalNearMiss looks for a Principal entry that names the request's
// principal, or one of its roles or groups, but for case.
func (hs *hintSet) principalNearMiss(i, rank int) {
	s := hs.ev.evals[i].s
	r := hs.ev.r
	p := &r.Principal
	m := s.principal
	// idsIf is the principal's id when cond holds (a User entry names
	// users only, an App entry apps only).
	idsIf := func(cond bool) []string {
		if !cond || p.ID == "" {
			return nil
		}
		return []string{p.ID}
	}
	for _, g := range []struct {
		typ, what string
		pats      []*pattern
		vals      []string
	}{
		{"User", "id", m.users, idsIf(p.Type == "user")},
		{"App", "id", m.apps, idsIf(p.Type == "app")},
		{"AWS", "id", m.aws, idsIf(true)},
		{"Role", "role", m.roles, p.Roles},
		{"Group", "group", m.groups, p.Groups},
	} {
		for _, pat := range g.pats {
			folded := *pat
			folded.fold = true
			for _, v := range g.vals {
				if v != "" && folded.match(v, r) {
					shown, _ := showPattern(pat, r)
					hs.add(i, rank, HintCase, "", fmt.Sprintf(
						"the principal differs from %s only in case: the request's %s is %q, the policy names %s:%s; principal names are case-sensitive",
						stmtName(&s.ref), g.what, v, g.typ, shown))
					return
				}
			}
		}
	}
}

// similarAction looks for an action of statement i that differs from the
// request's only by a similar name in the same service.
func (hs *hintSet) similarAction(i, rank int) {
	se := &hs.ev.evals[i]
	if se.s.notAction {
		return
	}
	action := hs.ev.r.Action
	svc, name, ok := strings.Cut(action, ":")
	if !ok {
		return
	}
	verb := "allows"
	if se.s.deny {
		verb = "denies"
	}
	for _, p := range se.s.actions {
		if !p.exact {
			continue
		}
		psvc, pname, ok := strings.Cut(p.lit, ":")
		if !ok || !strings.EqualFold(psvc, svc) || !similarActionName(name, pname) {
			continue
		}
		hs.add(i, rank, HintSimilarAction, "", fmt.Sprintf(
			"the action %s is not %s, which %s %s on this resource; the names differ only slightly: is one of them misspelt?",
			action, p.lit, stmtName(&se.s.ref), verb))
		return
	}
}

// patternVars explains the policy variables of pats that the request does
// not carry, and "${...}" text that is literal because the document lacks
// Version 2012-10-17.
func (hs *hintSet) patternVars(i, rank int, pats []*pattern, element string) {
	s := hs.ev.evals[i].s
	for _, p := range pats {
		for k := range p.toks {
			if t := &p.toks[k]; t.kind == tokVar {
				if _, ok := t.varValue(hs.ev.r); !ok {
					hs.missingKey(i, rank, t.key.full, true, fmt.Sprintf("in the %s of", element))
				}
			}
		}
		if !s.vars && strings.Contains(p.src, "${") {
			hs.literalVariable(i, rank, p.src, element)
		}
	}
}

func (hs *hintSet) literalVariable(i, rank int, text, element string) {
	hs.add(i, rank, HintLiteralVariable, "", fmt.Sprintf(
		"%s writes %q in its %s, but its document does not declare \"Version\": \"2012-10-17\", so IAM reads \"${...}\" as literal text, not a policy variable: add the Version",
		stmtName(&hs.ev.evals[i].s.ref), text, element))
}

// conditionNearMiss explains why condition j of statement i did not hold:
// its key or a variable in its values is missing, or a String value
// differs only in case.
func (hs *hintSet) conditionNearMiss(i, rank, j int) {
	s := hs.ev.evals[i].s
	ct := &hs.ev.evals[i].conds[j]
	op := ct.Operator
	if !ct.KeyPresent {
		hs.missingKey(i, rank, ct.Key, false, fmt.Sprintf("in the %s condition of", op))
	}
	if c := s.conds[j]; c.substitutes() {
		for _, v := range c.src {
			tmpl, err := policy.ParseTemplate(v, true)
			if err != nil || !tmpl.HasVars() {
				continue
			}
			if !c.varsOn {
				hs.literalVariable(i, rank, v, op+" condition")
				continue
			}
			for _, part := range tmpl {
				if part.Kind != policy.PartVar || part.HasDefault {
					continue
				}
				ref := compileKey(part.Text)
				if _, ok := hs.ev.r.lookupSingle(&ref); !ok {
					hs.missingKey(i, rank, part.Text, true, fmt.Sprintf("in a value of the %s condition of", op))
				}
			}
		}
	}
	if ct.KeyPresent && caseSensitiveOp(op) {
		for _, rv := range ct.RequestValues {
			for _, pv := range ct.PolicyValues {
				if rv != pv && strings.EqualFold(rv, pv) {
					hs.add(i, rank, HintCase, "", fmt.Sprintf(
						"the %s condition on %s in %s differs only in case: the request has %q, the policy says %q; %s compares case-sensitively (StringEqualsIgnoreCase does not)",
						op, ct.Key, stmtName(&s.ref), rv, pv, op))
					return
				}
			}
		}
	}
}

// caseSensitiveOp reports whether a condition operator compares strings
// case-sensitively in a way a case slip defeats.
func caseSensitiveOp(op string) bool {
	if strings.Contains(op, "IgnoreCase") {
		return false
	}
	return strings.Contains(op, "StringEquals") || strings.Contains(op, "StringLike")
}

// substitutes reports whether IAM substitutes policy variables in the
// condition's values: only for the String, ARN and Bool families (the
// rule condition.explain follows when it shows them).
func (c *condition) substitutes() bool {
	switch c.family {
	case policy.FamilyString, policy.FamilyArn, policy.FamilyBool:
		return true
	}
	return false
}

// missingKey explains a policy variable (asVar) or condition key that the
// request does not carry, naming the keys it does carry that look like it.
func (hs *hintSet) missingKey(i, rank int, key string, asVar bool, where string) {
	ref := compileKey(key)
	subject := "condition key " + key
	if asVar {
		subject = "${" + key + "}"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s ", subject, where, stmtName(&hs.ev.evals[i].s.ref))
	if v, ok := hs.ev.r.lookup(&ref); ok && asVar && v.Len() != 1 {
		fmt.Fprintf(&b, "has %d values in this request; a policy variable takes only a single-valued key, so nothing can match it", v.Len())
		hs.add(i, rank, HintMissingKey, "multi:"+strings.ToLower(key), b.String())
		return
	}
	if v, ok := hs.ev.r.lookup(&ref); ok && v.Len() == 0 {
		b.WriteString("is in this request with no values, which counts as absent")
	} else {
		b.WriteString("has no value in this request")
	}
	if asVar {
		b.WriteString(", so nothing can match it")
	}
	b.WriteString(hs.lookalikes(key, asVar))
	hs.add(i, rank, HintMissingKey, "missing:"+strings.ToLower(key), b.String())
}

// lookalikes says which carried keys look like the missing key, and what
// gatehouse calls it when it is a key of another system.
func (hs *hintSet) lookalikes(key string, asVar bool) string {
	var b strings.Builder
	use := func(k string) string {
		if asVar {
			return "write ${" + k + "}"
		}
		return "use " + k
	}
	note, server := serverKeys[strings.ToLower(key)]
	if server {
		fmt.Fprintf(&b, "; %s", note)
	}
	alias, hasAlias := aliasFor(key)
	if hasAlias {
		if v, ok := lookupVar(hs.vars, alias.target); ok {
			fmt.Fprintf(&b, "; the request carries %s = %s; %s: %s", alias.target, showValues(v.Values), alias.why, use(alias.target))
		} else {
			fmt.Fprintf(&b, "; %s, but the request does not carry %s either", alias.why, alias.target)
		}
	}
	var like []string
	caseOnly := false
	for _, v := range similarKeys(hs.vars, key) {
		if hasAlias && v.Key == alias.target {
			continue
		}
		caseOnly = caseOnly || strings.EqualFold(v.Key, key)
		like = append(like, fmt.Sprintf("%s = %s", v.Key, showValues(v.Values)))
	}
	switch {
	case len(like) > 0:
		fmt.Fprintf(&b, "; the request carries keys that look like it: %s", strings.Join(like, ", "))
		if caseOnly && compileKey(key).src == srcJWT {
			b.WriteString(" (claim names are case-sensitive)")
		}
	case !hasAlias && !server:
		b.WriteString(hs.carried(key))
	}
	return b.String()
}

// maxListedKeys bounds the keys listed when none looks like a missing one.
const maxListedKeys = 12

// carried lists the keys the request carries in the missing key's
// namespace (its token's claims for a jwt: key), or all of them.
func (hs *hintSet) carried(key string) string {
	prefix, _, _ := strings.Cut(key, ":")
	var same, all []string
	for _, v := range hs.vars {
		if v.Key == key || slices.Contains(all, v.Key) {
			continue
		}
		all = append(all, v.Key)
		if p, _, _ := strings.Cut(v.Key, ":"); strings.EqualFold(p, prefix) {
			same = append(same, v.Key)
		}
	}
	list, what := all, "the request carries"
	switch ref := compileKey(key); {
	case len(same) > 0:
		list, what = same, "the request's "+strings.ToLower(prefix)+": keys are"
		if ref.src == srcJWT {
			what = "this token's claims are"
		}
	case ref.src == srcJWT:
		return "; the request carries no token claims at all"
	}
	if len(list) == 0 {
		return "; the request carries no condition keys at all"
	}
	more := ""
	if len(list) > maxListedKeys {
		more = fmt.Sprintf(" and %d more", len(list)-maxListedKeys)
		list = list[:maxListedKeys]
	}
	return fmt.Sprintf("; %s %s%s", what, strings.Join(list, ", "), more)
}

// absentKeys explains the conditions of a statement that took part which
// hold only because their key is absent or empty: ForAllValues (true for a
// missing or empty key), ...IfExists, and negated operators.
func (hs *hintSet) absentKeys(i int) {
	se := &hs.ev.evals[i]
	for j := range se.conds {
		ct := &se.conds[j]
		if !ct.Matched || (ct.KeyPresent && len(ct.RequestValues) > 0) {
			continue
		}
		op := ct.Operator
		var why string
		switch {
		case strings.HasPrefix(op, "ForAllValues:"):
			why = "ForAllValues is true for a missing or empty key"
		case strings.HasSuffix(op, "IfExists"):
			why = "an ...IfExists operator is true when the key is absent"
		case strings.Contains(op, "Not"):
			why = "a negated operator is true when the key is absent"
		default:
			continue
		}
		msg := fmt.Sprintf("the %s condition on %s in %s holds only because the request does not carry %s (%s), ",
			op, ct.Key, stmtName(&se.s.ref), ct.Key, why)
		if se.s.deny {
			msg += "so the statement denies: if the caller should send " + ct.Key + ", check that it does"
		} else {
			msg += fmt.Sprintf("so the statement allows without it; to require the key, add \"Null\": {%q: \"false\"} to the statement's Condition", ct.Key)
		}
		hs.add(i, rankDecisive, HintMissingKey, "", msg)
	}
}

// denyOverrides flags a broad explicit Deny that overrides an Allow which
// also matched: LoopBack's "DENY $everyone, then ALLOW admin" does not
// carry over to IAM, where an explicit Deny always wins.
func (hs *hintSet) denyOverrides() {
	ev := hs.ev
	var allow *StatementRef
	for k := range ev.evals {
		if se := &ev.evals[k]; se.matched && !se.s.deny && (se.set == setIdentity || se.set == setResource) {
			allow = &se.s.ref
			break
		}
	}
	if allow == nil {
		return
	}
	for i := range ev.evals {
		se := &ev.evals[i]
		if !ev.tookPart[i] {
			continue
		}
		what, ok := broadDeny(se)
		if !ok {
			continue
		}
		hs.add(i, rankDecisive, HintDenyOverrides, "", fmt.Sprintf(
			"%s %s and overrides %s, which also matched: in IAM an explicit Deny always wins, whatever the order of the statements. "+
				"A LoopBack-style \"DENY $everyone\" beside an \"ALLOW admin\" denies the admins too; remove the Deny and rely on the default deny: a request that no Allow matches is denied anyway",
			stmtName(&se.s.ref), what, stmtName(allow)))
	}
}

// broadDeny reports whether a Deny applies to everyone: through a
// condition on principal:roles or principal:groups naming $everyone or
// $authenticated, or through "*"-wide Action and Resource with no other
// condition. what describes how.
func broadDeny(se *stmtEval) (what string, ok bool) {
	everyone, other := "", false
	for j := range se.conds {
		ct := &se.conds[j]
		k := strings.ToLower(ct.Key)
		if k == "principal:roles" || k == "principal:groups" {
			for _, v := range ct.PolicyValues {
				if v == "$everyone" || v == "$authenticated" {
					everyone = v
				}
			}
			if everyone != "" {
				continue
			}
		}
		other = true
	}
	if everyone != "" {
		return fmt.Sprintf("denies every principal in %s", everyone), true
	}
	s := se.s
	if other {
		return "", false
	}
	actionWide := s.notAction
	for _, p := range s.actions {
		actionWide = actionWide || wide(p)
	}
	resourceWide := s.anyResource || s.notResource
	for _, p := range s.resources {
		resourceWide = resourceWide || wide(p)
	}
	if !actionWide || !resourceWide {
		return "", false
	}
	return fmt.Sprintf("denies %s on %s to everyone it applies to", elementText(s.actions, s.notAction, "NotAction"),
		resourceText(s)), true
}

// wide reports whether a pattern covers a whole service or more: "*",
// "s3:*", "orders:*", "arn:aws:s3:::*".
func wide(p *pattern) bool {
	if p.isAny() {
		return true
	}
	return len(p.toks) == 2 && p.toks[0].kind == tokLit && p.toks[1].kind == tokStar &&
		!strings.Contains(p.toks[0].lit, "/")
}

func elementText(pats []*pattern, not bool, notName string) string {
	parts := make([]string, len(pats))
	for i, p := range pats {
		parts[i] = fmt.Sprintf("%q", p.src)
	}
	s := strings.Join(parts, ", ")
	if not {
		return notName + " " + s
	}
	return s
}

func resourceText(s *stmt) string {
	if s.anyResource {
		return "the resource"
	}
	return elementText(s.resources, s.notResource, "NotResource")
}
