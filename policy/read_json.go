package policy

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// readJSON parses strict JSON (RFC 8259) into a node tree. It is written by
// hand, rather than with encoding/json, to know the line and column of every
// value, to report duplicate keys, to keep numbers as their source text and
// to bound nesting without deep recursion.
//
// data must be valid UTF-8. On a syntax error it reports policy.syntax and
// returns ok == false; other problems (duplicate keys, too deep) are reported
// and parsing goes on.
func readJSON(data []byte, rep *reporter) (root node, ok bool) {
	p := jsonReader{data: data, line: 1, rep: rep}
	p.skipSpace()
	if p.off >= len(p.data) {
		p.syntaxf(p.pos(), "the document is empty: a policy is a JSON object such as {\"Version\": \"2012-10-17\", \"Statement\": [...]}")
		return node{}, false
	}
	if !p.value(&root, 0) {
		return node{}, false
	}
	p.skipSpace()
	if p.off < len(p.data) {
		p.syntaxf(p.pos(), "unexpected %s after the end of the document: a policy file holds exactly one JSON object", p.found())
		return node{}, false
	}
	return root, true
}

// jsonReader is the state of readJSON.
type jsonReader struct {
	data      []byte
	off       int
	line      int // 1-based line of off
	lineStart int // offset of the first byte of the current line
	path      pathStack
	rep       *reporter
	buf       []byte // scratch space for strings with escapes
}

func (p *jsonReader) pos() Pos { return Pos{Line: p.line, Col: p.off - p.lineStart + 1} }

func (p *jsonReader) syntaxf(pos Pos, format string, args ...any) {
	p.rep.errorf(pos, p.path.String(), CodeSyntax, format, args...)
}

// skipSpace skips JSON whitespace (space, tab, CR, LF), counting lines.
func (p *jsonReader) skipSpace() {
	for p.off < len(p.data) {
		switch p.data[p.off] {
		case ' ', '\t', '\r':
		case '\n':
			p.line++
			p.lineStart = p.off + 1
		default:
			return
		}
		p.off++
	}
}

// found describes the input at off for an error message.
func (p *jsonReader) found() string {
	if p.off >= len(p.data) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.data[p.off:])
	if r < 0x20 || r == 0x7f {
		return fmt.Sprintf("control character %U", r)
	}
	return fmt.Sprintf("%q", r)
}

// value parses one JSON value into n. depth is the number of arrays and
// objects that enclose it.
func (p *jsonReader) value(n *node, depth int) bool {
	p.skipSpace()
	if p.off >= len(p.data) {
		p.syntaxf(p.pos(), "unexpected end of input: expected a value")
		return false
	}
	n.pos = p.pos()
	switch c := p.data[p.off]; {
	case c == '{' || c == '[':
		if depth+1 > MaxNestingDepth {
			p.rep.errorf(n.pos, p.path.String(), CodeTooDeep,
				"values are nested more than %d levels deep: a policy needs at most 6", MaxNestingDepth)
			n.kind = nodeInvalid
			return p.skipNested()
		}
		if c == '{' {
			return p.object(n, depth+1)
		}
		return p.array(n, depth+1)
	case c == '"':
		n.kind = nodeString
		s, ok := p.str()
		n.text = s
		return ok
	case c == '-' || c >= '0' && c <= '9':
		n.kind = nodeNumber
		return p.number(n)
	case c == 't':
		n.kind, n.text = nodeBool, "true"
		return p.literal("true")
	case c == 'f':
		n.kind, n.text = nodeBool, "false"
		return p.literal("false")
	case c == 'n':
		n.kind = nodeNull
		return p.literal("null")
	case c == '\'':
		p.syntaxf(n.pos, "unexpected \"'\": JSON strings are written in double quotes")
		return false
	default:
		p.syntaxf(n.pos, "unexpected %s: expected a value (a string, number, object, list, true, false or null)", p.found())
		return false
	}
}

// object parses an object; off is at '{'.
func (p *jsonReader) object(n *node, depth int) bool {
	n.kind = nodeObject
	open := n.pos
	p.off++
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == '}' {
		p.off++
		return true
	}
	var seen map[string]int // see addMember
	for {
		p.skipSpace()
		if p.off >= len(p.data) {
			p.syntaxf(p.pos(), "unexpected end of input: the object opened at line %d, col %d is not closed with '}'", open.Line, open.Col)
			return false
		}
		if p.data[p.off] != '"' {
			if p.data[p.off] == '}' {
				p.syntaxf(p.pos(), "unexpected '}' after ',': remove the trailing comma")
			} else {
				p.syntaxf(p.pos(), "unexpected %s: expected an object key in double quotes", p.found())
			}
			return false
		}
		kpos := p.pos()
		key, ok := p.str()
		if !ok {
			return false
		}
		p.skipSpace()
		if p.off >= len(p.data) || p.data[p.off] != ':' {
			p.syntaxf(p.pos(), "unexpected %s: expected ':' after the key %s", p.found(), quoteShort(key))
			return false
		}
		p.off++
		var v node
		p.path.pushKey(key)
		if !p.value(&v, depth) {
			return false
		}
		p.path.pop()

		if first := n.addMember(nodeKey{name: key, pos: kpos}, v, &seen); first >= 0 {
			fp := n.keys[first].pos
			p.rep.errorf(kpos, childPath(p.path.String(), key), CodeDuplicateKey,
				"duplicate key %s (first at line %d, col %d): keys must be unique, remove or merge one",
				quoteShort(key), fp.Line, fp.Col)
		}

		p.skipSpace()
		if p.off >= len(p.data) {
			p.syntaxf(p.pos(), "unexpected end of input: the object opened at line %d, col %d is not closed with '}'", open.Line, open.Col)
			return false
		}
		switch p.data[p.off] {
		case ',':
			p.off++
		case '}':
			p.off++
			return true
		default:
			p.syntaxf(p.pos(), "unexpected %s: expected ',' or '}' after an object member", p.found())
			return false
		}
	}
}

// array parses an array; off is at '['.
func (p *jsonReader) array(n *node, depth int) bool {
	n.kind = nodeArray
	open := n.pos
	p.off++
	p.skipSpace()
	if p.off < len(p.data) && p.data[p.off] == ']' {
		p.off++
		n.kids = []node{} // non-nil: written as []
		return true
	}
	for {
		p.skipSpace()
		if p.off >= len(p.data) {
			p.syntaxf(p.pos(), "unexpected end of input: the list opened at line %d, col %d is not closed with ']'", open.Line, open.Col)
			return false
		}
		if p.data[p.off] == ']' && n.count > 0 {
			p.syntaxf(p.pos(), "unexpected ']' after ',': remove the trailing comma")
			return false
		}
		var v node
		p.path.pushIndex(n.count)
		if !p.value(&v, depth) {
			return false
		}
		p.path.pop()
		if n.count < listCap {
			n.kids = append(n.kids, v)
		}
		n.count++

		p.skipSpace()
		if p.off >= len(p.data) {
			p.syntaxf(p.pos(), "unexpected end of input: the list opened at line %d, col %d is not closed with ']'", open.Line, open.Col)
			return false
		}
		switch p.data[p.off] {
		case ',':
			p.off++
		case ']':
			p.off++
			return true
		default:
			p.syntaxf(p.pos(), "unexpected %s: expected ',' or ']' after a list element", p.found())
			return false
		}
	}
}

// skipNested skips an object or array that is nested too deeply, without
// recursion. It checks only that brackets match and strings are closed;
// the value has been reported already.
func (p *jsonReader) skipNested() bool {
	var stack []byte
	start := p.pos()
	for p.off < len(p.data) {
		c := p.data[p.off]
		switch c {
		case '{', '[':
			stack = append(stack, c)
		case '}', ']':
			want := byte('{')
			if c == ']' {
				want = '['
			}
			if len(stack) == 0 || stack[len(stack)-1] != want {
				p.syntaxf(p.pos(), "unexpected %q: brackets do not match", c)
				return false
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				p.off++
				return true
			}
		case '"':
			if _, ok := p.str(); !ok {
				return false
			}
			continue
		case '\n':
			p.line++
			p.lineStart = p.off + 1
		}
		p.off++
	}
	p.syntaxf(p.pos(), "unexpected end of input: the value opened at line %d, col %d is not closed", start.Line, start.Col)
	return false
}

// literal matches true, false or null at off.
func (p *jsonReader) literal(word string) bool {
	end := p.off
	for end < len(p.data) && end-p.off < 32 && isWordByte(p.data[end]) {
		end++
	}
	if string(p.data[p.off:end]) != word {
		p.syntaxf(p.pos(), "unexpected word %s: JSON's literals are true, false and null, and strings are written in double quotes",
			quoteShort(string(p.data[p.off:end])))
		return false
	}
	p.off = end
	return true
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// number scans a JSON number, keeping its source text:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *jsonReader) number(n *node) bool {
	start := p.off
	end, msg := scanNumber(p.data, p.off)
	if msg != "" {
		p.off = end
		p.syntaxf(p.pos(), "invalid number: %s", msg)
		return false
	}
	p.off = end
	if p.off < len(p.data) && isWordByte(p.data[p.off]) {
		p.syntaxf(p.pos(), "invalid number: unexpected %s after %s", p.found(), string(p.data[start:end]))
		return false
	}
	n.text = string(p.data[start:end])
	return true
}

// scanNumber returns the end of the JSON number starting at i in b, or the
// offset of the problem and what it is.
func scanNumber[T string | []byte](b T, i int) (end int, problem string) {
	digits := func() int {
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) || b[i] < '0' || b[i] > '9' {
		return i, "expected a digit"
	}
	if b[i] == '0' {
		i++
		if i < len(b) && b[i] >= '0' && b[i] <= '9' {
			return i, "leading zeros are not allowed"
		}
	} else {
		digits()
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return i, "expected a digit after '.'"
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return i, "expected a digit in the exponent"
		}
	}
	return i, ""
}

// isJSONNumber reports whether s is exactly one JSON number.
func isJSONNumber(s string) bool {
	end, problem := scanNumber(s, 0)
	return problem == "" && end == len(s)
}

// str parses a string; off is at its opening quote.
func (p *jsonReader) str() (string, bool) {
	open := p.pos()
	p.off++
	start := p.off
	// Fast path: no escapes.
	for p.off < len(p.data) {
		c := p.data[p.off]
		if c == '"' {
			s := string(p.data[start:p.off])
			p.off++
			return s, true
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.off++
	}
	p.buf = append(p.buf[:0], p.data[start:p.off]...)
	for p.off < len(p.data) {
		c := p.data[p.off]
		switch {
		case c == '"':
			p.off++
			return string(p.buf), true
		case c < 0x20:
			if c == '\n' {
				p.syntaxf(p.pos(), "the string opened at line %d, col %d is not closed before the end of the line", open.Line, open.Col)
			} else {
				p.syntaxf(p.pos(), "control character %U in a string: write it as an escape such as \\n or \\u00%02x", rune(c), c)
			}
			return "", false
		case c == '\\':
			if !p.escape() {
				return "", false
			}
		default:
			p.buf = append(p.buf, c)
			p.off++
		}
	}
	p.syntaxf(p.pos(), "unexpected end of input: the string opened at line %d, col %d is not closed", open.Line, open.Col)
	return "", false
}

// escape decodes one escape sequence; off is at the backslash.
func (p *jsonReader) escape() bool {
	at := p.pos()
	if p.off+1 >= len(p.data) {
		p.off++
		p.syntaxf(p.pos(), "unexpected end of input in an escape sequence")
		return false
	}
	c := p.data[p.off+1]
	if r := simpleEscape(c); r != 0 {
		p.buf = append(p.buf, r)
		p.off += 2
		return true
	}
	if c != 'u' {
		p.syntaxf(at, "invalid escape sequence \\%s: JSON allows \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t and \\uXXXX", string(rune(c)))
		return false
	}
	r, ok := p.hex4(p.off + 2)
	if !ok {
		p.syntaxf(at, "invalid escape sequence: \\u must be followed by four hex digits")
		return false
	}
	p.off += 6
	if utf16.IsSurrogate(r) {
		var r2 rune = -1
		if r < 0xDC00 && p.off+1 < len(p.data) && p.data[p.off] == '\\' && p.data[p.off+1] == 'u' {
			r2, _ = p.hex4(p.off + 2)
		}
		dec := utf16.DecodeRune(r, r2)
		if dec == utf8.RuneError {
			p.syntaxf(at, "invalid escape sequence: \\u%04X is half of a UTF-16 surrogate pair without the other half", r)
			return false
		}
		p.off += 6
		r = dec
	}
	p.buf = utf8.AppendRune(p.buf, r)
	return true
}

// hex4 reads four hex digits at i.
func (p *jsonReader) hex4(i int) (rune, bool) {
	if i+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// simpleEscape returns the byte that \c stands for, or 0.
func simpleEscape(c byte) byte {
	switch c {
	case '"', '\\', '/':
		return c
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return 0
}
