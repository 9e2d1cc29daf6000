package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gatehouse.dev/gatehouse/policy"
)

// maxBodyDepth bounds how deeply a body may nest outside its policy
// documents (which policy.Parse bounds itself). A valid object needs 3
// levels (object, attributes, a list value).
const maxBodyDepth = 16

// jsonType is the JSON type of a scanned value.
type jsonType byte

const (
	jString jsonType = 's'
	jNumber jsonType = 'n'
	jBool   jsonType = 'b'
	jNull   jsonType = 'z'
	jArray  jsonType = 'a'
	jObject jsonType = 'o'
)

// String names the type for a message.
func (t jsonType) String() string {
	switch t {
	case jString:
		return "a string"
	case jNumber:
		return "a number"
	case jBool:
		return "a boolean"
	case jNull:
		return "null"
	case jArray:
		return "a list"
	case jObject:
		return "an object"
	}
	return "nothing"
}

// value is one scanned JSON value.
type value struct {
	off int // byte offset of its first byte in the body
	typ jsonType
	// text is a scalar's value: the string, the number as written,
	// "true"/"false".
	text string
	// keys are an object's member names in order; n is an array's length.
	keys    []string
	keyOffs []int
	n       int
	// raw is the value's bytes, for opaque values (policy documents).
	raw []byte
}

// scan is a body read into JSON pointer → value, with the problems found:
// syntax errors, duplicate keys (anywhere but inside opaque values, which
// policy.Parse checks itself), too deep nesting.
type scan struct {
	body  []byte
	lines []int // offsets of line starts
	vals  map[string]*value
	fs    policy.Findings
}

// scanBody reads body; opaque lists the pointers whose values are kept as
// raw bytes and not walked.
func scanBody(body []byte, opaque ...string) *scan {
	s := &scan{body: body, vals: map[string]*value{}}
	s.lines = append(s.lines, 0)
	for i, c := range body {
		if c == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	// Syntax first, with encoding/json's own scanner: its offsets are
	// exact (the token decoder's are not, inside skipped values).
	var raw json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		var se *json.SyntaxError
		switch {
		case len(bytes.TrimSpace(body)) == 0:
			s.errorf(0, "", CodeSyntax, "the body is empty: send a JSON object")
		case errors.As(err, &se) && strings.Contains(se.Error(), "unexpected end"):
			s.errorf(len(body), "", CodeSyntax, "the JSON ends too early: a string, object or list is not closed")
		case errors.As(err, &se):
			msg := strings.TrimPrefix(se.Error(), "json: ")
			if strings.Contains(msg, "after top-level value") {
				msg = "unexpected data after the JSON object: send exactly one object"
			}
			s.errorf(max(int(se.Offset)-1, 0), "", CodeSyntax, "JSON syntax error: %s", msg)
		default:
			s.errorf(0, "", CodeSyntax, "JSON syntax error: %v", err)
		}
		return s
	}
	w := walker{s: s, b: body, opaque: opaque}
	w.value("", 0)
	return s
}

// pos converts a byte offset into a 1-based line and byte column.
func (s *scan) pos(off int) policy.Pos {
	i := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off }) - 1
	if i < 0 {
		i = 0
	}
	return policy.Pos{Line: i + 1, Col: off - s.lines[i] + 1}
}

// errorf records an error at a byte offset (-1: no position).
func (s *scan) errorf(off int, ptr, code, format string, args ...any) {
	s.add(policy.SeverityError, off, ptr, code, fmt.Sprintf(format, args...))
}

func (s *scan) add(sev policy.Severity, off int, ptr, code, msg string) {
	f := policy.Finding{Severity: sev, Code: code, Pointer: ptr, Message: msg}
	if off >= 0 {
		p := s.pos(off)
		f.Line, f.Col = p.Line, p.Col
	}
	s.fs = append(s.fs, f)
}

// at returns the offset of the value at ptr, or of the body's start.
func (s *scan) at(ptr string) int {
	if v := s.vals[ptr]; v != nil {
		return v.off
	}
	if v := s.vals[""]; v != nil {
		return v.off
	}
	return 0
}

// walker walks a body already known to be valid JSON (so it need not
// check syntax), recording each value by its JSON pointer.
type walker struct {
	s      *scan
	b      []byte
	i      int
	opaque []string
}

// space skips white space and the separators ':' and ','.
func (w *walker) space() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\r', '\n', ':', ',':
			w.i++
			continue
		}
		return
	}
}

// value walks one value at ptr; false stops the walk (after an error).
func (w *walker) value(ptr string, depth int) bool {
	w.space()
	if w.i >= len(w.b) {
		return false
	}
	off := w.i
	for _, o := range w.opaque {
		if o == ptr {
			w.skip()
			w.s.vals[ptr] = &value{off: off, typ: typeOf(w.b[off:w.i]), raw: w.b[off:w.i]}
			return true
		}
	}
	if depth > maxBodyDepth {
		w.s.errorf(off, ptr, CodeWrongType, "nested more than %d levels deep: no field of this object needs that", maxBodyDepth)
		return false
	}
	v := &value{off: off}
	w.s.vals[ptr] = v
	switch c := w.b[w.i]; c {
	case '{':
		v.typ = jObject
		w.i++
		seen := map[string]bool{}
		for {
			w.space()
			if w.b[w.i] == '}' {
				w.i++
				return true
			}
			koff := w.i
			k := w.str()
			kptr := ptr + "/" + escapePointer(k)
			if seen[k] {
				w.s.errorf(koff, kptr, CodeDuplicateKey, "key %s appears twice in this object: keep one (JSON objects here may not repeat a key)", quote(k))
				return false
			}
			seen[k] = true
			v.keys = append(v.keys, k)
			v.keyOffs = append(v.keyOffs, koff)
			if !w.value(kptr, depth+1) {
				return false
			}
		}
	case '[':
		v.typ = jArray
		w.i++
		for {
			w.space()
			if w.b[w.i] == ']' {
				w.i++
				return true
			}
			if !w.value(ptr+"/"+strconv.Itoa(v.n), depth+1) {
				return false
			}
			v.n++
		}
	case '"':
		v.typ, v.text = jString, w.str()
	case 't':
		v.typ, v.text = jBool, "true"
		w.i += 4
	case 'f':
		v.typ, v.text = jBool, "false"
		w.i += 5
	case 'n':
		v.typ = jNull
		w.i += 4
	default:
		v.typ = jNumber
		start := w.i
		for w.i < len(w.b) && strings.IndexByte("+-.0123456789eE", w.b[w.i]) >= 0 {
			w.i++
		}
		v.text = string(w.b[start:w.i])
	}
	return true
}

// str reads a string at w.i.
func (w *walker) str() string {
	start := w.i
	w.i++
	escaped := false
	for w.i < len(w.b) && w.b[w.i] != '"' {
		if w.b[w.i] == '\\' {
			escaped = true
			w.i++
		}
		w.i++
	}
	w.i++
	if !escaped {
		return string(w.b[start+1 : w.i-1])
	}
	var out string
	if err := json.Unmarshal(w.b[start:w.i], &out); err != nil {
		return string(w.b[start+1 : w.i-1])
	}
	return out
}

// skip moves past one value.
func (w *walker) skip() {
	depth := 0
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case '"':
			w.str()
			if depth == 0 {
				return
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return // the end of the enclosing value
			}
			depth--
			if depth == 0 {
				w.i++
				return
			}
		case ',', ' ', '\t', '\r', '\n', ':':
			if depth == 0 {
				return
			}
		}
		w.i++
	}
}

// typeOf returns the JSON type of raw bytes of a value.
func typeOf(raw []byte) jsonType {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	switch raw[0] {
	case '"':
		return jString
	case '{':
		return jObject
	case '[':
		return jArray
	case 't', 'f':
		return jBool
	case 'n':
		return jNull
	}
	return jNumber
}

// escapePointer escapes a member name for a JSON pointer (RFC 6901).
func escapePointer(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
}
