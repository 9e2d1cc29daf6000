package engine

import (
	"fmt"
	"strings"
)

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
