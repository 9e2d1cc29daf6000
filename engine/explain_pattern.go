package engine

import (
	"fmt"
	"strings"
)

// showPattern renders p with its policy variables substituted from r, for
// people. Literal "*" and "?" (from the escapes ${*} ${?}, or inside a
// variable's value) are shown as those escapes so that what reads as a
// wildcard is one. A variable with no value stays as written and is
// listed in unresolved.
func showPattern(p *pattern, r *Request) (text string, unresolved []string) {
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
			if v, ok := t.varValue(r); ok {
				writeEscaped(&b, v)
				continue
			}
			b.WriteString(varText(t))
			unresolved = append(unresolved, varText(t))
		}
	}
	return b.String(), unresolved
}

// varText is a variable token as a policy writes it.
func varText(t *token) string {
	if t.hasDef {
		return fmt.Sprintf("${%s, '%s'}", t.key.full, t.def)
	}
	return "${" + t.key.full + "}"
}

func writeEscaped(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '*':
			b.WriteString("${*}")
		case c == '?':
			b.WriteString("${?}")
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			b.WriteString("${$}")
		default:
			b.WriteByte(c)
		}
	}
}

// showPatterns renders a list of patterns; written is set when a variable
// was substituted.
func showPatterns(pats []*pattern, r *Request) (shown, written, unresolved []string) {
	shown = make([]string, len(pats))
	vars := false
	for i, p := range pats {
		var u []string
		shown[i], u = showPattern(p, r)
		unresolved = appendNew(unresolved, u...)
		vars = vars || p.hasVars()
	}
	if vars {
		written = make([]string, len(pats))
		for i, p := range pats {
			written[i] = p.src
		}
	}
	return shown, written, unresolved
}

func appendNew(list []string, vs ...string) []string {
	for _, v := range vs {
		dup := false
		for _, w := range list {
			dup = dup || w == v
		}
		if !dup {
			list = append(list, v)
		}
	}
	return list
}

func actionTrace(s *stmt, r *Request, matched bool) ElementTrace {
	et := ElementTrace{Element: "Action", Matched: matched, Value: r.Action, Patterns: make([]string, len(s.actions))}
	if s.notAction {
		et.Element = "NotAction"
	}
	// Actions take no variables (compileList with vars=false): show them
	// as written.
	for i, p := range s.actions {
		et.Patterns[i] = p.src
	}
	return et
}

func resourceTrace(s *stmt, r *Request, matched bool) ElementTrace {
	et := ElementTrace{Matched: matched, Value: r.Resource.Name, Patterns: []string{}}
	switch {
	case s.anyResource:
		return et
	case s.notResource:
		et.Element = "NotResource"
	default:
		et.Element = "Resource"
	}
	et.Patterns, et.Written, et.Unresolved = showPatterns(s.resources, r)
	return et
}

func principalTrace(s *stmt, r *Request, ok, direct bool) *PrincipalTrace {
	m := s.principal
	pt := &PrincipalTrace{Element: "Principal", Matched: ok, Direct: direct, Value: describePrincipal(&r.Principal)}
	if s.notPrincipal {
		pt.Element = "NotPrincipal"
	}
	for _, g := range []struct {
		typ  string
		pats []*pattern
	}{{"User", m.users}, {"App", m.apps}, {"Role", m.roles}, {"Group", m.groups}, {"AWS", m.aws}} {
		for _, p := range g.pats {
			text, _ := showPattern(p, r)
			pt.Patterns = append(pt.Patterns, g.typ+":"+text)
		}
	}
	if m.any && len(pt.Patterns) == 0 {
		pt.Patterns = []string{"*"}
	}
	if pt.Patterns == nil {
		pt.Patterns = []string{}
	}
	return pt
}

// describePrincipal says who is asking: "user alice (roles: admin, $everyone;
// groups: ops)".
func describePrincipal(p *Principal) string {
	var b strings.Builder
	switch {
	case p.Type == "" && p.ID == "":
		b.WriteString("anonymous")
	case p.Type == "":
		b.WriteString(p.ID)
	default:
		b.WriteString(p.Type + " " + orEmpty(p.ID))
	}
	var extra []string
	if len(p.Roles) > 0 {
		extra = append(extra, "roles: "+strings.Join(p.Roles, ", "))
	}
	if len(p.Groups) > 0 {
		extra = append(extra, "groups: "+strings.Join(p.Groups, ", "))
	}
	if len(extra) > 0 {
		b.WriteString(" (" + strings.Join(extra, "; ") + ")")
	}
	return b.String()
}
