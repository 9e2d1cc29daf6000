package token

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxJSONDepth bounds the nesting of a token's header and claims and of an
// issuer body: deeper documents are refused rather than walked.
const maxJSONDepth = 32

// decodeStrict decodes one JSON value: numbers as json.Number (exact, as
// written), duplicate object keys an error (RFC 7519 §4 lets a parser
// either refuse them or keep the last; gatehouse refuses, as API.md §3
// does for every document), nothing after the value, at most maxJSONDepth
// levels. The error names the JSON pointer of the problem, never the
// document.
func decodeStrict(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	v, err := strictValue(d, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("there is more after the JSON value")
	}
	return v, nil
}

// strictValue reads the value at ptr.
func strictValue(d *json.Decoder, ptr string, depth int) (any, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("the JSON is nested more than %d levels deep (at %s)", maxJSONDepth, pointerOrRoot(ptr))
	}
	t, err := d.Token()
	if err != nil {
		return nil, syntaxErr(err)
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := map[string]any{}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, syntaxErr(err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("the JSON is not valid (at %s)", pointerOrRoot(ptr))
				}
				kp := ptr + "/" + escapePointer(k)
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("the key %s appears twice (at %s)", short(k), pointerOrRoot(ptr))
				}
				v, err := strictValue(d, kp, depth+1)
				if err != nil {
					return nil, err
				}
				m[k] = v
			}
			if _, err := d.Token(); err != nil {
				return nil, syntaxErr(err)
			}
			return m, nil
		case '[':
			a := []any{}
			for i := 0; d.More(); i++ {
				v, err := strictValue(d, fmt.Sprintf("%s/%d", ptr, i), depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := d.Token(); err != nil {
				return nil, syntaxErr(err)
			}
			return a, nil
		}
		return nil, fmt.Errorf("the JSON is not valid (at %s)", pointerOrRoot(ptr))
	default:
		return t, nil // string, json.Number, bool or nil
	}
}

// syntaxErr words a JSON syntax error without quoting the input.
func syntaxErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("the JSON is not valid at byte %d", se.Offset)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the JSON ends too early")
	}
	return errors.New("the JSON is not valid")
}

func pointerOrRoot(ptr string) string {
	if ptr == "" {
		return "the top level"
	}
	if len(ptr) > maxQuoted {
		return short(ptr)
	}
	return ptr
}

// escapePointer escapes a key for a JSON pointer (RFC 6901).
func escapePointer(k string) string {
	var b []byte
	for i := 0; i < len(k); i++ {
		switch k[i] {
		case '~':
			b = append(b, '~', '0')
		case '/':
			b = append(b, '~', '1')
		default:
			b = append(b, k[i])
		}
	}
	return string(b)
}
