package directory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	keys []string
	n    int
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
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := walker{s: s, dec: dec, opaque: opaque}
	if !w.value("", 0) {
		return s
	}
	if _, err := dec.Token(); err != io.EOF {
		off := w.next()
		s.errorf(off, "", CodeSyntax, "unexpected data after the JSON object: send exactly one object")
	}
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

// walker walks a body with a token decoder.
type walker struct {
	s      *scan
	dec    *json.Decoder
	opaque []string
}

// next returns the offset of the next value: past white space and the ':'
// or ',' the decoder has not consumed yet.
func (w *walker) next() int {
	b := w.s.body
	off := int(w.dec.InputOffset())
	for off < len(b) {
		switch b[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
			continue
		}
		break
	}
	return off
}

// value walks one value at ptr; false stops the walk (after an error).
func (w *walker) value(ptr string, depth int) bool {
	off := w.next()
	for _, o := range w.opaque {
		if o == ptr {
			var raw json.RawMessage
			if err := w.dec.Decode(&raw); err != nil {
				w.syntax(err, off)
				return false
			}
			w.s.vals[ptr] = &value{off: off, typ: typeOf(raw), raw: raw}
			return true
		}
	}
	if depth > maxBodyDepth {
		w.s.errorf(off, ptr, CodeWrongType, "nested more than %d levels deep: no field of this object needs that", maxBodyDepth)
		return false
	}
	tok, err := w.dec.Token()
	if err != nil {
		w.syntax(err, off)
		return false
	}
	v := &value{off: off}
	w.s.vals[ptr] = v
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			v.typ = jArray
			for w.dec.More() {
				if !w.value(ptr+"/"+strconv.Itoa(v.n), depth+1) {
					return false
				}
				v.n++
			}
		} else {
			v.typ = jObject
			seen := map[string]bool{}
			for w.dec.More() {
				koff := w.next()
				kt, err := w.dec.Token()
				if err != nil {
					w.syntax(err, koff)
					return false
				}
				k, _ := kt.(string)
				kptr := ptr + "/" + escapePointer(k)
				if seen[k] {
					w.s.errorf(koff, kptr, CodeDuplicateKey, "key %s appears twice in this object: keep one (JSON objects here may not repeat a key)", quote(k))
					return false
				}
				seen[k] = true
				v.keys = append(v.keys, k)
				if !w.value(kptr, depth+1) {
					return false
				}
			}
		}
		if _, err := w.dec.Token(); err != nil {
			w.syntax(err, w.next())
			return false
		}
	case string:
		v.typ, v.text = jString, t
	case json.Number:
		v.typ, v.text = jNumber, t.String()
	case bool:
		v.typ, v.text = jBool, strconv.FormatBool(t)
	case nil:
		v.typ = jNull
	}
	return true
}

// syntax records a decoder error.
func (w *walker) syntax(err error, off int) {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		o := int(se.Offset) - 1
		if o < 0 {
			o = 0
		}
		w.s.errorf(o, "", CodeSyntax, "JSON syntax error: %s", strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		if len(w.s.body) == 0 || len(bytes.TrimSpace(w.s.body)) == 0 {
			w.s.errorf(0, "", CodeSyntax, "the body is empty: send a JSON object")
			return
		}
		w.s.errorf(len(w.s.body), "", CodeSyntax, "the JSON ends too early: a string, object or list is not closed")
	default:
		w.s.errorf(off, "", CodeSyntax, "JSON syntax error: %s", strings.TrimPrefix(err.Error(), "json: "))
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
