package policy

import (
	"fmt"
	"unicode/utf8"
)

// MarshalJSON writes d as canonical JSON, indented by two spaces: the
// top-level keys in the order Version, Id, Statement; a statement's keys in
// the order Sid, Effect, Principal, NotPrincipal, Action, NotAction,
// Resource, NotResource, Condition; empty Version, Id and Sid left out. An
// element written as a lone string or a single object stays so, and a list
// stays a list (the IsList flags); numbers and booleans in conditions are
// written as JSON numbers and booleans. Conditions are grouped by operator
// in the order their operators first appear.
//
// Parsing the output gives a document Equal to d.
func (d *Document) MarshalJSON() ([]byte, error) {
	if d == nil {
		return []byte("null"), nil
	}
	w := jsonWriter{b: make([]byte, 0, 256)}
	w.beginObject()
	if d.Version != "" {
		w.key("Version")
		w.str(d.Version)
	}
	if d.ID != "" {
		w.key("Id")
		w.str(d.ID)
	}
	w.key("Statement")
	if d.StatementIsList || len(d.Statements) != 1 {
		w.beginArray()
		for _, st := range d.Statements {
			w.elem()
			if err := w.statement(st); err != nil {
				return nil, err
			}
		}
		w.endArray()
	} else if err := w.statement(d.Statements[0]); err != nil {
		return nil, err
	}
	w.endObject()
	return w.b, nil
}

func (w *jsonWriter) statement(st *Statement) error {
	if st == nil {
		return fmt.Errorf("policy: cannot marshal a nil statement")
	}
	w.beginObject()
	if st.Sid != "" {
		w.key("Sid")
		w.str(st.Sid)
	}
	if st.Effect == Allow || st.Effect == Deny {
		w.key("Effect")
		w.str(st.Effect.String())
	}
	w.principal("Principal", st.Principal)
	w.principal("NotPrincipal", st.NotPrincipal)
	w.strList("Action", st.Action, st.ActionIsList)
	w.strList("NotAction", st.NotAction, st.NotActionIsList)
	w.strList("Resource", st.Resource, st.ResourceIsList)
	w.strList("NotResource", st.NotResource, st.NotResourceIsList)
	if err := w.conditions(st.Conditions); err != nil {
		return err
	}
	w.endObject()
	return nil
}

// strList writes a string-or-list element; nil is left out.
func (w *jsonWriter) strList(name string, vals []Str, isList bool) {
	if vals == nil {
		return
	}
	w.key(name)
	w.strs(vals, isList)
}

func (w *jsonWriter) strs(vals []Str, isList bool) {
	if !isList && len(vals) == 1 {
		w.str(vals[0].Value)
		return
	}
	w.beginArray()
	for _, v := range vals {
		w.elem()
		w.str(v.Value)
	}
	w.endArray()
}

func (w *jsonWriter) principal(name string, p *Principal) {
	if p == nil {
		return
	}
	w.key(name)
	if p.Any {
		w.str("*")
		return
	}
	w.beginObject()
	for _, e := range p.Entries {
		w.key(e.Type.Value)
		w.strs(e.IDs, e.IDsIsList)
	}
	w.endObject()
}

func (w *jsonWriter) conditions(cs []*Condition) error {
	if len(cs) == 0 {
		return nil
	}
	// Group by operator, in order of first appearance.
	var ops []string
	byOp := map[string][]*Condition{}
	for _, c := range cs {
		if c == nil {
			return fmt.Errorf("policy: cannot marshal a nil condition")
		}
		op := conditionOperatorName(c)
		if _, ok := byOp[op]; !ok {
			ops = append(ops, op)
		}
		byOp[op] = append(byOp[op], c)
	}
	w.key("Condition")
	w.beginObject()
	for _, op := range ops {
		w.key(op)
		w.beginObject()
		seen := make(map[string]bool, len(byOp[op]))
		for _, c := range byOp[op] {
			if seen[c.Key.Value] {
				return fmt.Errorf("policy: condition key %q appears twice under operator %s", c.Key.Value, op)
			}
			seen[c.Key.Value] = true
			w.key(c.Key.Value)
			if err := w.values(c.Values, c.ValuesIsList); err != nil {
				return err
			}
		}
		w.endObject()
	}
	w.endObject()
	return nil
}

// conditionOperatorName is the operator as written, or its canonical name
// for a condition built in code.
func conditionOperatorName(c *Condition) string {
	if c.Operator.Value != "" || c.Op.Base == OpUnknown {
		return c.Operator.Value
	}
	return c.Op.String()
}

func (w *jsonWriter) values(vals []Str, isList bool) error {
	if !isList && len(vals) == 1 {
		return w.scalar(vals[0])
	}
	w.beginArray()
	for _, v := range vals {
		w.elem()
		if err := w.scalar(v); err != nil {
			return err
		}
	}
	w.endArray()
	return nil
}

func (w *jsonWriter) scalar(v Str) error {
	switch v.Kind {
	case KindNumber:
		if !isJSONNumber(v.Value) {
			return fmt.Errorf("policy: condition value %q is marked as a number but is not JSON number syntax", v.Value)
		}
		w.b = append(w.b, v.Value...)
	case KindBool:
		if v.Value != "true" && v.Value != "false" {
			return fmt.Errorf("policy: condition value %q is marked as a boolean but is not true or false", v.Value)
		}
		w.b = append(w.b, v.Value...)
	default:
		w.str(v.Value)
	}
	return nil
}

// jsonWriter writes indented JSON.
type jsonWriter struct {
	b     []byte
	depth int
	// empty[i] is true while the container at depth i+1 has no entries.
	empty []bool
}

func (w *jsonWriter) newline() {
	w.b = append(w.b, '\n')
	for range w.depth {
		w.b = append(w.b, "  "...)
	}
}

func (w *jsonWriter) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.empty = append(w.empty, true)
}

func (w *jsonWriter) close(c byte) {
	wasEmpty := w.empty[len(w.empty)-1]
	w.empty = w.empty[:len(w.empty)-1]
	w.depth--
	if !wasEmpty {
		w.newline()
	}
	w.b = append(w.b, c)
}

// entry starts the next entry of the innermost container.
func (w *jsonWriter) entry() {
	if !w.empty[len(w.empty)-1] {
		w.b = append(w.b, ',')
	}
	w.empty[len(w.empty)-1] = false
	w.newline()
}

func (w *jsonWriter) beginObject() { w.open('{') }
func (w *jsonWriter) endObject()   { w.close('}') }
func (w *jsonWriter) beginArray()  { w.open('[') }
func (w *jsonWriter) endArray()    { w.close(']') }
func (w *jsonWriter) elem()        { w.entry() }

func (w *jsonWriter) key(k string) {
	w.entry()
	w.str(k)
	w.b = append(w.b, ": "...)
}

// str writes s as a JSON string, escaping what JSON requires and U+2028 and
// U+2029 (as encoding/json does), and replacing invalid UTF-8, which a
// parsed document never holds.
func (w *jsonWriter) str(s string) {
	const hex = "0123456789abcdef"
	w.b = append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				w.b = append(w.b, s[start:i]...)
				w.b = append(w.b, `\ufffd`...)
			case r == '\u2028' || r == '\u2029':
				// Valid JSON, but not valid JavaScript before ES2019.
				w.b = append(w.b, s[start:i]...)
				w.b = append(w.b, `\u202`...)
				w.b = append(w.b, hex[r&0xf])
			default:
				i += size
				continue
			}
			i += size
			start = i
			continue
		}
		w.b = append(w.b, s[start:i]...)
		switch c {
		case '"', '\\':
			w.b = append(w.b, '\\', c)
		case '\n':
			w.b = append(w.b, `\n`...)
		case '\r':
			w.b = append(w.b, `\r`...)
		case '\t':
			w.b = append(w.b, `\t`...)
		default:
			w.b = append(w.b, `\u00`...)
			w.b = append(w.b, hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	w.b = append(w.b, s[start:]...)
	w.b = append(w.b, '"')
}

// Equal reports whether a and b hold the same policy as written: the same
// elements with the same values, string-or-list forms and value kinds. It
// ignores positions, JSON pointers, statement indexes, File and Format, so
// a document equals the parse of its own MarshalJSON output.
func Equal(a, b *Document) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Version != b.Version || a.ID != b.ID ||
		listForm(a.StatementIsList, len(a.Statements)) != listForm(b.StatementIsList, len(b.Statements)) ||
		len(a.Statements) != len(b.Statements) {
		return false
	}
	for i := range a.Statements {
		if !equalStatement(a.Statements[i], b.Statements[i]) {
			return false
		}
	}
	return true
}

// listForm reports whether a string-or-list element is written as a list.
func listForm(isList bool, n int) bool { return isList || n != 1 }

func equalStatement(a, b *Statement) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Sid != b.Sid || a.Effect != b.Effect ||
		!equalElems(a.Action, b.Action, a.ActionIsList, b.ActionIsList) ||
		!equalElems(a.NotAction, b.NotAction, a.NotActionIsList, b.NotActionIsList) ||
		!equalElems(a.Resource, b.Resource, a.ResourceIsList, b.ResourceIsList) ||
		!equalElems(a.NotResource, b.NotResource, a.NotResourceIsList, b.NotResourceIsList) ||
		!equalPrincipal(a.Principal, b.Principal) ||
		!equalPrincipal(a.NotPrincipal, b.NotPrincipal) ||
		len(a.Conditions) != len(b.Conditions) {
		return false
	}
	for i := range a.Conditions {
		if !equalCondition(a.Conditions[i], b.Conditions[i]) {
			return false
		}
	}
	return true
}

// equalElems compares two optional string-or-list elements (Action,
// Resource, ...), for which nil (absent) differs from an empty list.
func equalElems(a, b []Str, aList, bList bool) bool {
	return (a == nil) == (b == nil) && equalStrs(a, b, aList, bList)
}

// equalStrs compares two lists of values and the form they are written in.
func equalStrs(a, b []Str, aList, bList bool) bool {
	if len(a) != len(b) || listForm(aList, len(a)) != listForm(bList, len(b)) {
		return false
	}
	for i := range a {
		if a[i].Value != b[i].Value || a[i].Kind != b[i].Kind {
			return false
		}
	}
	return true
}

func equalPrincipal(a, b *Principal) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Any != b.Any || len(a.Entries) != len(b.Entries) {
		return false
	}
	for i := range a.Entries {
		ea, eb := a.Entries[i], b.Entries[i]
		if ea.Type.Value != eb.Type.Value || !equalStrs(ea.IDs, eb.IDs, ea.IDsIsList, eb.IDsIsList) {
			return false
		}
	}
	return true
}

func equalCondition(a, b *Condition) bool {
	if a == nil || b == nil {
		return a == b
	}
	return conditionOperatorName(a) == conditionOperatorName(b) &&
		a.Op == b.Op &&
		a.Key.Value == b.Key.Value &&
		equalStrs(a.Values, b.Values, a.ValuesIsList, b.ValuesIsList)
}
