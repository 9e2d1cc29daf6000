package input

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Decoder checks a Node tree against the shape a caller expects, collecting
// every problem with its position instead of stopping at the first.
type Decoder struct {
	File string
	Errs Errors
}

// Errorf records a problem at n (or at the start of the file when n is nil).
func (d *Decoder) Errorf(n *Node, format string, args ...any) {
	e := &Error{File: d.File, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Col
	}
	d.Errs = append(d.Errs, e)
}

// Err returns the problems recorded so far, sorted, or nil.
func (d *Decoder) Err() error { return d.Errs.Err() }

// Object checks that n is an object whose keys are all in known and
// reports each other key by name. what names n in messages ("request",
// "principal"). It returns false when n is not an object.
func (d *Decoder) Object(n *Node, what string, known ...string) bool {
	if n.Kind != Object {
		d.Errorf(n, "%s: want an object, got %s", what, n.Kind)
		return false
	}
	for _, m := range n.Members {
		if !slices.Contains(known, m.Key) {
			d.Errs = append(d.Errs, &Error{File: d.File, Line: m.Line, Col: m.Col,
				Msg: fmt.Sprintf("%s: unknown field %q (known fields: %s)", what, m.Key, strings.Join(known, ", "))})
		}
	}
	return true
}

// String returns n's text if it is a string, reporting anything else.
func (d *Decoder) String(n *Node, what string) (string, bool) {
	if n.Kind != String {
		d.Errorf(n, "%s: want a string, got %s%s", what, n.Kind, quoteHint(n))
		return "", false
	}
	return n.Text, true
}

// quoteHint suggests quoting a number or bool that was meant as a string.
func quoteHint(n *Node) string {
	if n.Kind == Number || n.Kind == Bool {
		return fmt.Sprintf(" (write \"%s\" for the string)", n.Text)
	}
	return ""
}

// Strings returns a list of strings; a single string is a list of one.
func (d *Decoder) Strings(n *Node, what string) ([]string, bool) {
	if n.Kind == String {
		return []string{n.Text}, true
	}
	if n.Kind != List {
		d.Errorf(n, "%s: want a string or a list of strings, got %s", what, n.Kind)
		return nil, false
	}
	out := make([]string, 0, len(n.Items))
	ok := true
	for i, item := range n.Items {
		if item.Kind != String {
			d.Errorf(item, "%s[%d]: want a string, got %s%s", what, i, item.Kind, quoteHint(item))
			ok = false
			continue
		}
		out = append(out, item.Text)
	}
	return out, ok
}

// Value returns n as encoding/json would have decoded it with UseNumber:
// nil, bool, json.Number, string, []any or map[string]any.
func Value(n *Node) any {
	switch n.Kind {
	case Bool:
		return n.Text == "true"
	case Number:
		return json.Number(n.Text)
	case String:
		return n.Text
	case List:
		out := make([]any, len(n.Items))
		for i, item := range n.Items {
			out[i] = Value(item)
		}
		return out
	case Object:
		out := make(map[string]any, len(n.Members))
		for _, m := range n.Members {
			out[m.Key] = Value(m.Value)
		}
		return out
	}
	return nil
}
