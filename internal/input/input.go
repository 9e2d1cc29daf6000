// Package input reads the JSON or YAML files a user hands the gatehouse CLI
// (request files, test suites) into a tree of values that remember where
// they were written, so that every complaint about them can say
// file:line:col.
//
// Both syntaxes give the same tree. Numbers keep their text as written
// ("10" stays "10", 1e3 stays "1e3"), duplicate keys are an error (not
// "last wins"), and input size and nesting are bounded.
package input

import (
	"bytes"
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
)

// Limits on input files.
const (
	// MaxBytes is the largest input file accepted.
	MaxBytes = 4 << 20
	// MaxDepth bounds how deeply values may nest.
	MaxDepth = 64
	// MaxNodes bounds the values one file may expand to, so YAML aliases
	// cannot multiply a small file into a huge tree.
	MaxNodes = 200_000
)

// Kind is the type of a value.
type Kind uint8

// Kinds of values.
const (
	Null Kind = iota
	Bool
	Number
	String
	List
	Object
)

var kindNames = [...]string{"null", "a bool", "a number", "a string", "a list", "an object"}

// String returns the kind with its article, for messages: "a string".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Node is one value of an input file.
type Node struct {
	Kind Kind
	// Text is a scalar's text: a string's value, a number as written,
	// "true" or "false".
	Text string
	// Line and Col are the 1-based position of the value (Col in bytes).
	Line, Col int
	// Items are a list's elements.
	Items []*Node
	// Members are an object's members in source order.
	Members []Member
}

// Member is one key and value of an object.
type Member struct {
	Key       string
	Line, Col int // of the key
	Value     *Node
}

// Get returns the value of key in an object, or nil.
func (n *Node) Get(key string) *Node {
	for _, m := range n.Members {
		if m.Key == key {
			return m.Value
		}
	}
	return nil
}

// Error is a problem at a position in an input file.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

// Error returns "file:line:col: msg".
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", e.Line, e.Col)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is a list of problems, sorted by position; as an error it prints
// one per line.
type Errors []*Error

// Error joins the errors one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns es sorted as an error, or nil when it is empty.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	return es
}

// IsYAML reports whether data, read from file, is parsed as YAML: files
// ending in .yaml or .yml are, files ending in .json are not, and
// otherwise (stdin, other names) data is JSON when it starts with '{' or
// '['.
func IsYAML(file string, data []byte) bool {
	switch strings.ToLower(filepath.Ext(file)) {
	case ".yaml", ".yml":
		return true
	case ".json":
		return false
	}
	t := bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(t) == 0 || (t[0] != '{' && t[0] != '[')
}

// Parse reads data, named file in errors, as JSON or YAML (see IsYAML).
// The error, when not nil, is an *Error with the position of the problem.
func Parse(file string, data []byte) (*Node, error) {
	if len(data) > MaxBytes {
		return nil, &Error{File: file, Msg: fmt.Sprintf("file is %d bytes, more than the limit of %d", len(data), MaxBytes)}
	}
	if IsYAML(file, data) {
		return parseYAML(file, data)
	}
	return parseJSON(file, data)
}

// lineIndex converts byte offsets to lines and columns.
type lineIndex []int // offsets at which lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

// pos returns the 1-based line and column of offset.
func (idx lineIndex) pos(offset int) (line, col int) {
	i, found := slices.BinarySearch(idx, offset)
	if !found {
		i--
	}
	return i + 1, offset - idx[i] + 1
}
