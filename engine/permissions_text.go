package engine

import (
	"fmt"
	"strings"
)

// String renders the permissions for a terminal, in the style of explain's
// text: one line per Allow,
//
//	ALLOW orders:Read, orders:List on orders:acme/* (policy tenant-read statement 0, via role member) — condition open: request:time
//
// followed by the conditions (✓ holds, ✗ fails, ? open), the patterns as
// written where a variable was substituted, and the Denies, boundary and
// session Allows that limit it; then the boundary and session policy
// themselves.
func (p *Permissions) String() string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "What %s may do:\n", p.Principal)
	if len(p.Allows) == 0 {
		b.WriteString("  nothing: no Allow statement applies to this principal\n")
	}
	for i := range p.Allows {
		writeGrant(&b, &p.Allows[i])
	}
	if p.Boundary != nil || p.Session != nil {
		b.WriteString("\nLimits:\n")
		writeLimitSummary(&b, "permissions boundary", p.Boundary)
		writeLimitSummary(&b, "session policy", p.Session)
	}
	if len(p.Problems) > 0 {
		b.WriteString("\nProblems (please report):\n")
		for _, pr := range p.Problems {
			writeLine(&b, "  - ", pr)
		}
	}
	return b.String()
}

func writeGrant(b *strings.Builder, g *Grant) {
	b.WriteString("\n")
	line := statementLine(&g.StatementSummary)
	if !g.Grants {
		line += " — grants nothing: " + g.Why
	}
	writeLine(b, "", line)
	writeWritten(b, "    ", &g.StatementSummary)
	for i := range g.Conditions {
		writeCondSummary(b, &g.Conditions[i])
	}
	if !g.Grants {
		return // the limits of an Allow that gives nothing do not matter (they are in the JSON form)
	}
	for i := range g.Denies {
		writeLine(b, "    cut by ", statementLine(&g.Denies[i]))
	}
	writeGrantLimit(b, "permissions boundary", g.Boundary)
	writeGrantLimit(b, "session policy", g.Session)
}

func writeGrantLimit(b *strings.Builder, name string, gl *GrantLimit) {
	switch {
	case gl == nil:
	case gl.Bypassed:
		writeLine(b, "    ", "not limited by the "+name+": the Principal names this principal directly")
	default:
		for i := range gl.Allows {
			writeLine(b, "    within "+name+": ", statementLine(&gl.Allows[i]))
		}
	}
}

func writeLimitSummary(b *strings.Builder, name string, ls *LimitSummary) {
	if ls == nil {
		return
	}
	fmt.Fprintf(b, "  %s (%d statement%s): an Allow above counts only where one of these Allows matches too (except a resource policy statement naming the principal directly)\n",
		name, ls.Statements, plural(ls.Statements))
	if len(ls.Allows) == 0 {
		b.WriteString("    (no Allow that may hold: it leaves nothing)\n")
	}
	for i := range ls.Allows {
		writeLine(b, "    ", statementLine(&ls.Allows[i]))
	}
}

// statementLine is one statement on one line: effect, actions, resources,
// where it comes from, and its open conditions.
func statementLine(s *StatementSummary) string {
	line := fmt.Sprintf("%s %s on %s (policy %s, %s)", strings.ToUpper(s.Effect.String()),
		actionsText(&s.Actions), resourcesText(s), refString(&s.StatementRef), viaText(s))
	var open []string
	for _, c := range s.Conditions {
		if c.Outcome == CondOpen {
			open = appendNew(open, c.Open...)
		}
	}
	if len(open) > 0 {
		line += " — condition open: " + strings.Join(open, ", ")
	}
	return line
}

func actionsText(es *ElementSummary) string {
	pats := make([]string, len(es.Patterns))
	for i, p := range es.Patterns {
		pats[i] = p.Pattern
	}
	if es.Element == "NotAction" {
		return "every action except " + strings.Join(pats, ", ")
	}
	return strings.Join(pats, ", ")
}

func resourcesText(s *StatementSummary) string {
	es := &s.Resources
	if es.Element == "" {
		if s.Scope != "" {
			return s.Scope
		}
		return "the resource the policy is attached to"
	}
	pats := make([]string, len(es.Patterns))
	for i, p := range es.Patterns {
		pats[i] = p.Pattern
		if len(p.NoValue) > 0 {
			pats[i] += fmt.Sprintf(" [matches nothing: no value for %s]", strings.Join(p.NoValue, ", "))
		}
	}
	text := strings.Join(pats, ", ")
	if es.Element == "NotResource" {
		text = "every resource except " + text
	}
	if s.Scope != "" {
		text += " within " + s.Scope
	}
	return text
}

// viaText says how the statement reaches the principal.
func viaText(s *StatementSummary) string {
	if s.Principal != nil {
		kind := s.Kind.String() + " policy"
		if s.Principal.Direct {
			return kind + ", naming the principal directly"
		}
		return kind + ", " + s.Principal.Element + " " + strings.Join(s.Principal.Patterns, ", ")
	}
	kind, id, _ := strings.Cut(s.Attached, ":")
	switch kind {
	case "":
		return "for everyone"
	case "role", "group":
		return "via " + kind + " " + id
	}
	return "attached to " + kind + " " + id
}

// writeWritten shows the Resource patterns as written where a variable was
// substituted, so that nobody has to guess what ${jwt:sub} became.
func writeWritten(b *strings.Builder, indent string, s *StatementSummary) {
	var written []string
	changed := false
	for _, p := range s.Resources.Patterns {
		if p.Written != "" {
			written = append(written, p.Written)
			changed = true
		} else {
			written = append(written, p.Pattern)
		}
	}
	if changed {
		writeLine(b, indent+"written: ", strings.Join(written, ", "))
	}
}

func writeCondSummary(b *strings.Builder, c *CondSummary) {
	var m, detail string
	switch c.Outcome {
	case CondHolds:
		m = "✓ condition holds: "
	case CondFails:
		m = "✗ condition fails: "
	default:
		m = "? condition open: "
		detail = fmt.Sprintf(" (each request supplies %s)", strings.Join(c.Open, ", "))
	}
	if c.Outcome != CondOpen {
		if c.KeyPresent {
			detail = " (principal has " + showList(c.PrincipalValues) + ")"
		} else {
			detail = " (principal has no value)"
		}
		if c.Note != "" {
			detail += ": " + c.Note
		}
	}
	writeLine(b, "    "+m, fmt.Sprintf("%s %s %s%s", c.Operator, c.Key, showList(c.Values), detail))
}
