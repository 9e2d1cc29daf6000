package engine

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text renders the explanation for a terminal (what `gatehouse explain`
// prints by default): the decision with its reason and deciding statement;
// "Why:", the near-miss hints, most useful first; each considered statement
// with ✓/✗ per element and the values on both sides of each condition; the
// boundary and session limits; the field decisions; and the variables.
func (x *Explanation) Text() string {
	if x == nil || x.Trace == nil {
		return ""
	}
	t := x.Trace
	var b strings.Builder
	head := t.headline
	if head == "" {
		head = strings.ToUpper(t.Decision) + "  " + t.Summary
	}
	b.WriteString(head + "\n")
	fmt.Fprintf(&b, "  request: %s does %s on %s\n", principalFromVars(t.Variables), orEmpty(t.Action), orEmpty(t.Resource))

	switch {
	case len(t.Hints) > 0:
		b.WriteString("\nWhy:\n")
		for i, h := range t.Hints {
			writeLine(&b, fmt.Sprintf("  %d. ", i+1), h.Message+" ["+h.Code+"]")
		}
	case t.why != "":
		b.WriteString("\nWhy:\n")
		writeLine(&b, "  ", t.why)
	}

	if len(t.Statements) > 0 {
		b.WriteString("\nStatements considered:\n")
		hinted := map[StatementRef]bool{}
		for _, h := range t.Hints {
			if h.Statement != nil {
				hinted[*h.Statement] = true
			}
		}
		skipped := 0
		for i := range t.Statements {
			st := &t.Statements[i]
			if !st.Matched && !st.Decided && !hinted[st.StatementRef] {
				if skipped++; skipped > maxTextMisses {
					continue
				}
			}
			writeStatement(&b, st)
		}
		if n := skipped - maxTextMisses; n > 0 {
			fmt.Fprintf(&b, "  … and %d more statement%s whose Action matches but that do not apply (all are in --format json)\n", n, plural(n))
		}
	}

	if len(t.Limits) > 0 {
		b.WriteString("\nLimits:\n")
		for _, l := range t.Limits {
			name := "permissions boundary"
			if l.Kind == "session" {
				name = "session policy"
			}
			verdict := "does not allow the request"
			if l.Allows {
				verdict = "allows the request"
			}
			switch {
			case l.Limited:
				verdict += ": this is why it is denied"
			case l.Bypassed:
				verdict += ", but a resource policy naming the principal directly is not limited by it"
			}
			fmt.Fprintf(&b, "  %s %s (%d statement%s): %s\n", mark(l.Allows), name, l.Statements, plural(l.Statements), verdict)
		}
	}

	if len(t.Fields) > 0 {
		b.WriteString("\nFields:\n")
		w := 0
		for _, f := range t.Fields {
			w = max(w, utf8.RuneCountInString(f.Field))
		}
		for _, f := range t.Fields {
			fmt.Fprintf(&b, "  %s %s  %s\n", mark(f.Decision == "allow"), pad(f.Field, w), f.Summary)
			for _, h := range f.Hints {
				writeLine(&b, "      hint: ", h.Message+" ["+h.Code+"]")
			}
		}
	}

	b.WriteString("\nVariables:\n")
	if len(t.Variables) == 0 {
		b.WriteString("  (none: the request carries no principal, claims, resource attributes or context)\n")
	}
	w := 0
	for _, v := range t.Variables {
		w = max(w, utf8.RuneCountInString(v.Key))
	}
	w = min(w, 40)
	for _, v := range t.Variables {
		line := fmt.Sprintf("  %s  %s", pad(v.Key, w), showValues(v.Values))
		if v.Note != "" {
			line += "  (" + v.Note + ")"
		}
		b.WriteString(line + "\n")
	}

	if len(t.Problems) > 0 {
		b.WriteString("\nProblems (please report):\n")
		for _, p := range t.Problems {
			writeLine(&b, "  - ", p)
		}
	}
	return b.String()
}

func writeStatement(b *strings.Builder, st *StatementTrace) {
	head := fmt.Sprintf("  %s %s  %s %s", mark(st.Matched), refString(&st.StatementRef), st.Kind, st.Effect)
	if st.Line > 0 {
		head += fmt.Sprintf(", line %d", st.Line)
	}
	if st.Decided {
		head += "  [decided]"
	}
	b.WriteString(head + "\n")
	if st.Note != "" {
		writeLine(b, "      note: ", st.Note)
	}
	writeElement(b, &st.Action, "Action")
	if st.Resource.Element == "" {
		fmt.Fprintf(b, "      %s %s (none: the resource the policy is attached to)\n", mark(true), pad("Resource", labelWidth))
	} else {
		writeElement(b, &st.Resource, "Resource")
	}
	if p := st.Principal; p != nil {
		fmt.Fprintf(b, "      %s %s request %s\n", mark(p.Matched), pad(p.Element, labelWidth), p.Value)
		pol := strings.Join(p.Patterns, ", ")
		if p.Direct {
			pol += "  (names the principal directly)"
		}
		fmt.Fprintf(b, "        %s policy  %s\n", pad("", labelWidth), pol)
	}
	for i := range st.Conditions {
		writeCondition(b, &st.Conditions[i])
	}
}

// maxTextMisses bounds the statements the text lists that name the
// action but do not apply and that no hint names; the JSON trace lists
// them all.
const maxTextMisses = 20

// labelWidth aligns the element labels of a statement.
const labelWidth = 11

func writeElement(b *strings.Builder, et *ElementTrace, fallback string) {
	label := et.Element
	if label == "" {
		label = fallback
	}
	fmt.Fprintf(b, "      %s %s request %s\n", mark(et.Matched), pad(label, labelWidth), orEmpty(et.Value))
	writeLine(b, "        "+pad("", labelWidth)+" policy  ", strings.Join(et.Patterns, ", "))
	if et.Written != nil {
		writeLine(b, "        "+pad("", labelWidth)+" written ", strings.Join(et.Written, ", "))
	}
	if len(et.Unresolved) > 0 {
		fmt.Fprintf(b, "        %s no value for %s\n", pad("", labelWidth), strings.Join(et.Unresolved, ", "))
	}
}

func writeCondition(b *strings.Builder, ct *CondTrace) {
	fmt.Fprintf(b, "      %s %s %s\n", mark(ct.Matched), ct.Operator, ct.Key)
	req := "(absent)"
	if ct.KeyPresent {
		req = showList(ct.RequestValues)
	}
	fmt.Fprintf(b, "        %s request %s\n", pad("", labelWidth), req)
	fmt.Fprintf(b, "        %s policy  %s\n", pad("", labelWidth), showList(ct.PolicyValues))
	if ct.Note != "" {
		writeLine(b, "        "+pad("", labelWidth)+" note    ", ct.Note)
	}
}

// showList renders values always as a list, so that one value and a list
// of one read the same.
func showList(vs []string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%q", clip(v))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func pad(s string, w int) string {
	if n := utf8.RuneCountInString(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// principalFromVars describes the principal for the request line.
func principalFromVars(vars []Variable) string {
	var typ, id string
	var roles []string
	for _, v := range vars {
		if v.Source != "principal" || len(v.Values) == 0 {
			continue
		}
		switch v.Key {
		case "principal:type":
			typ = v.Values[0]
		case "principal:id":
			id = v.Values[0]
		case "principal:roles":
			roles = v.Values
		}
	}
	return describePrincipal(&Principal{Type: typ, ID: id, Roles: roles})
}

// writeLine writes prefix and s on one line. Hints and notes are not
// wrapped by hand: a terminal wraps them, and a phrase stays on one line
// for people and tools that search the output (the explain_contains of
// policy test suites).
func writeLine(b *strings.Builder, prefix, s string) {
	b.WriteString(prefix + strings.Join(strings.Fields(s), " ") + "\n")
}
