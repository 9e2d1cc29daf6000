package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxYAMLAliasNodes bounds how many nodes YAML aliases may expand to in one
// document. Aliases are legitimate (one Condition block shared by several
// statements) but a few nested ones can expand exponentially ("billion
// laughs"); past this bound the document is rejected as too large.
const maxYAMLAliasNodes = 10_000

// readYAML parses one YAML document with the structure of a JSON policy into
// a node tree. Scalars become strings, numbers or booleans by their resolved
// YAML tag, so a quoted "10" is a string and a bare 10 a number; numbers are
// rewritten as JSON number text. Keys must be strings. Anchors and aliases
// are expanded within maxYAMLAliasNodes.
//
// ok is false when the text is not YAML at all; it is true, with the
// problems reported, when something could be read.
func readYAML(data []byte, rep *reporter) (root node, ok bool) {
	defer func() {
		// go.yaml.in/yaml reports its errors by panicking internally and
		// recovering; should anything escape, it is a syntax error of this
		// input, not a crash of the caller.
		if r := recover(); r != nil {
			rep.errorf(Pos{}, "", CodeSyntax, "the YAML parser could not read this document: %v", r)
			root, ok = node{}, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			rep.errorf(Pos{Line: 1, Col: 1}, "", CodeSyntax, "the document is empty: a policy is an object such as {Version: \"2012-10-17\", Statement: [...]}")
		} else {
			reportYAMLError(rep, err)
		}
		return node{}, false
	}
	c := yamlConv{rep: rep, data: data}
	root = c.convert(&doc, 0)
	if c.aborted {
		// Alias expansion was cut off: what was read is incomplete.
		return node{}, false
	}

	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		reportYAMLError(rep, err)
	default:
		rep.errorf(c.pos(&extra), "", CodeSyntax, "a second YAML document starts here: a policy file holds exactly one document")
	}
	return root, true
}

// reportYAMLError turns a go.yaml.in/yaml error ("yaml: line 3: did not
// find expected key") into a syntax finding. The library gives a line but
// not a column: for its scanner's errors the line of the problem, for its
// parser's errors the 0-based line where the enclosing block (or the
// problem) starts, which this corrects to 1-based.
func reportYAMLError(rep *reporter, err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var pos Pos
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil && n >= 0 {
				if isYAMLParserProblem(text) {
					n++
				}
				if n > 0 {
					pos, msg = Pos{Line: n, Col: 1}, text
				}
			}
		}
	}
	rep.errorf(pos, "", CodeSyntax, "YAML syntax error: %s", msg)
}

// isYAMLParserProblem reports whether msg is one of the errors of the YAML
// library's parser (parserc.go), which number lines from 0, rather than of
// its scanner, which number them from 1.
func isYAMLParserProblem(msg string) bool {
	for _, p := range []string{"did not find expected", "found duplicate %", "found incompatible YAML document", "found undefined tag handle"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// yamlConv converts go.yaml.in/yaml nodes into nodes.
type yamlConv struct {
	rep   *reporter
	data  []byte
	lines *lineIndex // built on first use
	path  pathStack

	aliasDepth int  // > 0 while expanding an alias
	aliasNodes int  // nodes produced by alias expansion so far
	aborted    bool // alias expansion went past its bound: stop converting
}

// pos converts the library's line and column (counted in characters) to a
// Pos (column counted in bytes).
func (c *yamlConv) pos(y *yaml.Node) Pos {
	if y.Line <= 0 {
		return Pos{}
	}
	if c.lines == nil {
		c.lines = newLineIndex(c.data)
	}
	return Pos{Line: y.Line, Col: c.lines.byteCol(y.Line, y.Column)}
}

// lineIndex converts 1-based (line, character column) positions to byte
// columns in constant time for ASCII text and in at most charMark steps
// otherwise, so that a document written on one long line is not read in
// quadratic time.
type lineIndex struct {
	data   []byte
	starts []int // offset of each line's first byte
	ascii  []int // length of each line's all-ASCII prefix
	// marks holds, for lines with non-ASCII text, the byte offset (from
	// the line start) of every charMark-th character; built on first use.
	marks map[int][]int
}

const charMark = 64

// newLineIndex indexes the lines of b, breaking them where YAML does: LF,
// CR, CR LF, NEL, LS and PS.
func newLineIndex(b []byte) *lineIndex {
	li := &lineIndex{data: b, starts: []int{0}}
	asciiOpen := true // still in the current line's ASCII prefix
	newLine := func(next int) {
		if asciiOpen {
			li.ascii = append(li.ascii, next-li.starts[len(li.starts)-1])
		}
		li.starts = append(li.starts, next)
		asciiOpen = true
	}
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\n':
			newLine(i + 1)
		case b[i] == '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			newLine(i + 1)
		case b[i] == 0xC2 && i+1 < len(b) && b[i+1] == 0x85: // NEL
			if asciiOpen {
				li.ascii = append(li.ascii, i-li.starts[len(li.starts)-1])
				asciiOpen = false
			}
			i++
			li.starts = append(li.starts, i+1)
			asciiOpen = true
		case b[i] == 0xE2 && i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9): // LS, PS
			if asciiOpen {
				li.ascii = append(li.ascii, i-li.starts[len(li.starts)-1])
				asciiOpen = false
			}
			i += 2
			li.starts = append(li.starts, i+1)
			asciiOpen = true
		case b[i] >= utf8.RuneSelf && asciiOpen:
			li.ascii = append(li.ascii, i-li.starts[len(li.starts)-1])
			asciiOpen = false
		}
	}
	if asciiOpen {
		li.ascii = append(li.ascii, len(b)-li.starts[len(li.starts)-1])
	}
	return li
}

// byteCol returns the 1-based byte column of the col-th character of line.
func (li *lineIndex) byteCol(line, col int) int {
	if line > len(li.starts) || col <= 1 {
		return col
	}
	i := line - 1
	skip := col - 1 // characters before the one wanted
	if skip <= li.ascii[i] {
		return col
	}
	start, end := li.starts[i], len(li.data)
	if i+1 < len(li.starts) {
		end = li.starts[i+1]
	}
	marks, ok := li.marks[i]
	if !ok {
		for off, n := start, 0; off < end; n++ {
			if n%charMark == 0 {
				marks = append(marks, off-start)
			}
			_, size := utf8.DecodeRune(li.data[off:end])
			off += size
		}
		if li.marks == nil {
			li.marks = map[int][]int{}
		}
		li.marks[i] = marks
	}
	m := min(skip/charMark, len(marks)-1)
	if m < 0 {
		return col
	}
	off := start + marks[m]
	for n := m * charMark; n < skip && off < end; n++ {
		_, size := utf8.DecodeRune(li.data[off:end])
		off += size
	}
	return off - start + 1
}

// convert converts y, which is nested in depth arrays and objects.
func (c *yamlConv) convert(y *yaml.Node, depth int) node {
	if c.aborted {
		return node{}
	}
	if c.aliasDepth > 0 {
		c.aliasNodes++
		if c.aliasNodes > maxYAMLAliasNodes {
			c.rep.errorf(c.pos(y), c.path.String(), CodeTooLarge,
				"YAML aliases expand to more than %d values: write the document out, or share less through anchors", maxYAMLAliasNodes)
			c.aborted = true
			return node{}
		}
	}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return node{kind: nodeNull, pos: c.pos(y)}
		}
		return c.convert(y.Content[0], depth)
	case yaml.AliasNode:
		if y.Alias == nil {
			return node{}
		}
		c.aliasDepth++
		n := c.convert(y.Alias, depth)
		c.aliasDepth--
		n.pos = c.pos(y)
		return n
	case yaml.ScalarNode:
		return c.scalar(y)
	case yaml.SequenceNode, yaml.MappingNode:
		pos := c.pos(y)
		if depth+1 > MaxNestingDepth {
			how := ""
			if c.aliasDepth > 0 {
				// Likely an alias that refers to its own anchor.
				how = " (through YAML aliases)"
				c.aborted = true
			}
			c.rep.errorf(pos, c.path.String(), CodeTooDeep,
				"values are nested more than %d levels deep%s: a policy needs at most 6", MaxNestingDepth, how)
			return node{}
		}
		if y.Kind == yaml.SequenceNode {
			return c.sequence(y, pos, depth+1)
		}
		return c.mapping(y, pos, depth+1)
	}
	return node{}
}

func (c *yamlConv) sequence(y *yaml.Node, pos Pos, depth int) node {
	n := node{kind: nodeArray, pos: pos, count: len(y.Content)}
	n.kids = make([]node, 0, min(len(y.Content), listCap))
	for i, e := range y.Content {
		if c.aborted {
			break
		}
		c.path.pushIndex(i)
		v := c.convert(e, depth)
		c.path.pop()
		if i < listCap {
			n.kids = append(n.kids, v)
		}
	}
	return n
}

func (c *yamlConv) mapping(y *yaml.Node, pos Pos, depth int) node {
	n := node{kind: nodeObject, pos: pos}
	var seen map[string]int
	for i := 0; i+1 < len(y.Content) && !c.aborted; i += 2 {
		k := y.Content[i]
		for k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		kpos := c.pos(y.Content[i])
		name, ok := c.key(k, kpos)
		if !ok {
			n.count++
			continue
		}
		c.path.pushKey(name)
		v := c.convert(y.Content[i+1], depth)
		c.path.pop()
		if first := n.addMember(nodeKey{name: name, pos: kpos}, v, &seen); first >= 0 {
			fp := n.keys[first].pos
			c.rep.errorf(kpos, childPath(c.path.String(), name), CodeDuplicateKey,
				"duplicate key %s (first at line %d, col %d): keys must be unique, remove or merge one",
				quoteShort(name), fp.Line, fp.Col)
		}
	}
	return n
}

// key returns the text of a mapping key, reporting a key that is not a
// string: JSON, and so the policy grammar, has only string keys.
func (c *yamlConv) key(k *yaml.Node, pos Pos) (string, bool) {
	if k.Kind != yaml.ScalarNode {
		what := "an object"
		if k.Kind == yaml.SequenceNode {
			what = "a list"
		}
		c.rep.errorf(pos, c.path.String(), CodeWrongType, "a key must be a string, found %s", what)
		return "", false
	}
	switch tag := k.ShortTag(); tag {
	case "!!str":
		return k.Value, true
	case "!!merge":
		c.rep.errorf(pos, c.path.String(), CodeWrongType, "YAML merge keys (<<) are not supported: write the keys out")
		return "", false
	default:
		c.rep.errorf(pos, c.path.String(), CodeWrongType,
			"a key must be a string, but YAML reads %s as %s: quote it", quoteShort(k.Value), yamlTagName(tag))
		return "", false
	}
}

// yamlTagName names what YAML read a scalar as, for messages.
func yamlTagName(tag string) string {
	switch tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	case "!!null":
		return "null"
	case "!!timestamp":
		return "a date"
	case "!!binary":
		return "binary data"
	}
	return "a value tagged " + tag
}

// scalar converts a scalar by its resolved tag.
func (c *yamlConv) scalar(y *yaml.Node) node {
	pos := c.pos(y)
	switch tag := y.ShortTag(); tag {
	case "!!str", "!!timestamp", "!!binary", "!!merge":
		// A date is text in a policy (DateEquals compares it), and "<<"
		// outside a key is just text.
		return node{kind: nodeString, pos: pos, text: y.Value}
	case "!!null":
		return node{kind: nodeNull, pos: pos}
	case "!!bool":
		switch strings.ToLower(y.Value) {
		case "true":
			return node{kind: nodeBool, pos: pos, text: "true"}
		case "false":
			return node{kind: nodeBool, pos: pos, text: "false"}
		}
		c.rep.errorf(pos, c.path.String(), CodeWrongType, "%s is not a boolean: write true or false", quoteShort(y.Value))
		return node{}
	case "!!int", "!!float":
		text, err := yamlNumber(y)
		if err != nil {
			c.rep.errorf(pos, c.path.String(), CodeWrongType, "%s %v: quote it if it is text", quoteShort(y.Value), err)
			return node{}
		}
		return node{kind: nodeNumber, pos: pos, text: text}
	default:
		c.rep.errorf(pos, c.path.String(), CodeWrongType, "unsupported YAML tag %s: remove it", quoteShort(tag))
		return node{}
	}
}

// yamlNumber returns a YAML number as JSON number text: as written when that
// is already JSON ("10", "1.5e3"), else its value ("0x1F" is "31", "+1" is
// "1", ".5" is "0.5").
func yamlNumber(y *yaml.Node) (string, error) {
	if isJSONNumber(y.Value) {
		return y.Value, nil
	}
	var v any
	if err := y.Decode(&v); err != nil {
		return "", errors.New("is not a number")
	}
	switch v := v.(type) {
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case uint64:
		return strconv.FormatUint(v, 10), nil
	case float64:
		if math.IsInf(v, 0) || math.IsNaN(v) {
			return "", errors.New("is not a finite number, which JSON cannot hold")
		}
		return strconv.FormatFloat(v, 'g', -1, 64), nil
	}
	return "", fmt.Errorf("is not a number")
}
