package engine

import (
	"fmt"
	"sort"
	"strings"
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
