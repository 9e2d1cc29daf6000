package policy

import (
	"fmt"
	"strings"
)

// PartKind is the kind of one piece of a [Template].
type PartKind uint8

// Template part kinds.
const (
	// PartText is literal text in which the wildcards * and ? keep their
	// meaning (where the element supports wildcards).
	PartText PartKind = iota
	// PartEscape is one of the escapes ${*} ${?} ${$}: a single literal
	// character that is never a wildcard.
	PartEscape
	// PartVar is a policy variable ${key} or ${key, 'default'}.
	PartVar
)

// Part is one piece of a template.
type Part struct {
	Kind PartKind
	// Text is the literal text (PartText), the escaped character
	// (PartEscape), or the variable's key as written (PartVar).
	Text string
	// HasDefault and Default hold the fallback of ${key, 'default'}.
	HasDefault bool
	Default    string
	// Offset is the byte offset of the part in the source string.
	Offset int
}

// Template is a string element split into literal text, escapes and policy
// variables.
type Template []Part

// HasVars reports whether t contains a policy variable.
func (t Template) HasVars() bool {
	for _, p := range t {
		if p.Kind == PartVar {
			return true
		}
	}
	return false
}

// TemplateError is a malformed policy variable.
type TemplateError struct {
	// Offset is the byte offset in the string where the problem starts.
	Offset int
	Msg    string
}

func (e *TemplateError) Error() string { return e.Msg }

// ParseTemplate splits s into text, escapes and variables. When vars is
// false (a document without Version 2012-10-17) the whole string is one
// literal text part, as in IAM. A "$" not followed by "{" is literal text.
func ParseTemplate(s string, vars bool) (Template, error) {
	if !vars || !strings.Contains(s, "${") {
		return Template{{Kind: PartText, Text: s}}, nil
	}
	var t Template
	start := 0 // start of pending literal text
	flush := func(end int) {
		if end > start {
			t = append(t, Part{Kind: PartText, Text: s[start:end], Offset: start})
		}
	}
	for i := 0; i < len(s); {
		if !strings.HasPrefix(s[i:], "${") {
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return nil, &TemplateError{Offset: i, Msg: fmt.Sprintf("policy variable at offset %d is not closed: add '}'", i)}
		}
		body := s[i+2 : i+2+end]
		flush(i)
		p, err := parseVarBody(body, i)
		if err != nil {
			return nil, err
		}
		t = append(t, p)
		i += 2 + end + 1
		start = i
	}
	flush(len(s))
	return t, nil
}

func parseVarBody(body string, off int) (Part, error) {
	switch body {
	case "*", "?", "$":
		return Part{Kind: PartEscape, Text: body, Offset: off}, nil
	}
	key, def, hasDef := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	if key == "" {
		return Part{}, &TemplateError{Offset: off, Msg: "policy variable ${} names no key"}
	}
	if strings.ContainsAny(key, " \t'\"${") {
		return Part{}, &TemplateError{Offset: off, Msg: fmt.Sprintf("policy variable ${%s} has a malformed key %q", body, key)}
	}
	p := Part{Kind: PartVar, Text: key, Offset: off}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return Part{}, &TemplateError{Offset: off, Msg: fmt.Sprintf("the default value of ${%s} must be in single quotes, as in ${%s, 'value'}", body, key)}
		}
		p.HasDefault, p.Default = true, def[1:len(def)-1]
	}
	return p, nil
}
