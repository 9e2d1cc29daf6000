package policy

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity says whether a finding makes a policy unusable.
type Severity uint8

// Severities.
const (
	SeverityError Severity = iota
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one problem found in a policy, with where it is.
type Finding struct {
	Severity Severity `json:"severity"`
	// Code is stable and machine-readable, e.g. "policy.unknown_operator".
	Code    string `json:"code"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Pointer string `json:"pointer"`
	// Message says what is wrong and what to do about it.
	Message string `json:"message"`
}

// String formats f as "file:line:col: severity: message [code] (at pointer)".
func (f Finding) String() string {
	var b strings.Builder
	if f.File != "" {
		b.WriteString(f.File)
		b.WriteByte(':')
	}
	if f.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", f.Line, f.Col)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "%s: %s [%s]", f.Severity, f.Message, f.Code)
	if f.Pointer != "" {
		fmt.Fprintf(&b, " (at %s)", f.Pointer)
	}
	return b.String()
}

// Findings is a list of findings. As an error it stands for its errors.
type Findings []Finding

// Sort orders findings by file, line, column, pointer and code.
func (fs Findings) Sort() {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col),
			cmp.Compare(a.Pointer, b.Pointer),
			cmp.Compare(a.Code, b.Code),
		)
	})
}

// HasErrors reports whether any finding is an error.
func (fs Findings) HasErrors() bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns the findings that are errors.
func (fs Findings) Errors() Findings {
	var out Findings
	for _, f := range fs {
		if f.Severity == SeverityError {
			out = append(out, f)
		}
	}
	return out
}

// Err returns fs as an error if it holds any error finding, else nil.
func (fs Findings) Err() error {
	if fs.HasErrors() {
		return fs.Errors()
	}
	return nil
}

// Error joins the findings one per line.
func (fs Findings) Error() string {
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = f.String()
	}
	return strings.Join(lines, "\n")
}
