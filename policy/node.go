package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds the small syntax tree that both the JSON and the YAML
// reader produce, so that decoding into a Document (decode.go) is written
// once. Nodes carry their source position; JSON pointers are built while
// walking the tree.

// nodeKind is the JSON type of a node.
type nodeKind uint8

const (
	// nodeInvalid stands for a value that could not be read and has
	// already been reported (too deep, an unsupported YAML tag, ...). The
	// decoder skips it silently.
	nodeInvalid nodeKind = iota
	nodeNull
	nodeBool
	nodeNumber
	nodeString
	nodeArray
	nodeObject
)

// node is one JSON value.
type node struct {
	kind nodeKind
	pos  Pos
	// text is the value of a string, the source text of a number (always
	// valid JSON number syntax), or "true"/"false".
	text string
	// kids are the elements of an array or the member values of an
	// object; keys are the member names of an object, parallel to kids.
	kids []node
	keys []nodeKey
	// count is how many elements or members the source held. It exceeds
	// len(kids) when the list was longer than the readers keep (listCap).
	count int
}

// nodeKey is an object member's name and where it was written.
type nodeKey struct {
	name string
	pos  Pos
}

// listCap is the most elements or members the readers keep in one node; the
// decoder reports a longer list against the limit that applies to it.
const listCap = max(MaxElementsPerList, MaxStatements)

// describe names a node's type for messages: "a string", "null", ...
func (n *node) describe() string {
	switch n.kind {
	case nodeNull:
		return "null"
	case nodeBool:
		return "a boolean"
	case nodeNumber:
		return "a number"
	case nodeString:
		return "a string"
	case nodeArray:
		return "a list"
	case nodeObject:
		return "an object"
	}
	return "an unreadable value"
}

// seg is one step of a JSON pointer: an object key or an array index.
type seg struct {
	key   string
	index int // -1 for an object key
}

// pathStack is the JSON pointer of the value a reader is at, kept as steps
// so that it is only formatted when a finding needs it.
type pathStack []seg

func (p *pathStack) pushKey(k string) { *p = append(*p, seg{key: k, index: -1}) }
func (p *pathStack) pushIndex(i int)  { *p = append(*p, seg{index: i}) }
func (p *pathStack) pop()             { *p = (*p)[:len(*p)-1] }

// String formats the pointer ("" for the whole document).
func (p pathStack) String() string {
	var b strings.Builder
	for _, s := range p {
		b.WriteByte('/')
		if s.index >= 0 {
			b.WriteString(strconv.Itoa(s.index))
		} else {
			b.WriteString(escapePointer(s.key))
		}
	}
	return b.String()
}

// escapePointer escapes one reference token of a JSON pointer (RFC 6901,
// section 3): "~" becomes "~0" and "/" becomes "~1".
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '~':
			b.WriteString("~0")
		case '/':
			b.WriteString("~1")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// childPath is the pointer of member key under the value at parent.
func childPath(parent, key string) string { return parent + "/" + escapePointer(key) }

// indexPath is the pointer of element i under the list at parent.
func indexPath(parent string, i int) string { return parent + "/" + strconv.Itoa(i) }

// maxFindings bounds the findings reported for one document: past it, one
// more finding says that the rest were left out. A hostile 1 MiB document
// could otherwise yield hundreds of thousands.
const maxFindings = 1000

// reporter collects findings for one file.
type reporter struct {
	file   string
	fs     Findings
	capped bool // maxFindings was reached
}

// errorf records an error finding.
func (r *reporter) errorf(pos Pos, pointer, code, format string, args ...any) {
	if len(r.fs) >= maxFindings {
		if !r.capped {
			r.capped = true
			r.fs = append(r.fs, Finding{
				Severity: SeverityError,
				Code:     CodeTooManyFindings,
				File:     r.file,
				Line:     pos.Line,
				Col:      pos.Col,
				Pointer:  pointer,
				Message:  fmt.Sprintf("more than %d problems: the rest, from here on, are not reported; fix these first", maxFindings),
			})
		}
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	r.fs = append(r.fs, Finding{
		Severity: SeverityError,
		Code:     code,
		File:     r.file,
		Line:     pos.Line,
		Col:      pos.Col,
		Pointer:  pointer,
		Message:  msg,
	})
}

// addMember adds the member key: v to the object n and returns -1, or, when
// n already has a member named key, leaves n as it is and returns the index
// of that member. seen indexes the keys of large objects; addMember creates
// it when it is worth it. Members past listCap are counted but not kept.
func (n *node) addMember(key nodeKey, v node, seen *map[string]int) int {
	n.count++
	if *seen != nil {
		if i, ok := (*seen)[key.name]; ok {
			return i
		}
	} else {
		for i, k := range n.keys {
			if k.name == key.name {
				return i
			}
		}
	}
	if len(n.kids) >= listCap {
		return -1
	}
	n.keys = append(n.keys, key)
	n.kids = append(n.kids, v)
	switch {
	case *seen != nil:
		(*seen)[key.name] = len(n.keys) - 1
	case len(n.keys) > 16:
		*seen = make(map[string]int, 2*len(n.keys))
		for i, k := range n.keys {
			(*seen)[k.name] = i
		}
	}
	return -1
}
