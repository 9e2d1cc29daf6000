package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// decodeJSON reads r's body (already limited by the body-size middleware)
// into v strictly: one JSON value, no unknown fields, no duplicate keys
// (API.md §3: a duplicate key is an error, not "last wins"). Its errors are
// 400s (413 for an oversized body) that name what is wrong.
func decodeJSON(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeBytes(body, v)
}

// readBody reads the whole body; an empty body is a 400.
func readBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONContentType(ct) {
		return nil, errorf(http.StatusUnsupportedMediaType, codeUnsupportedMedia, "Content-Type %q is not JSON; send application/json", ct)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, &httpError{status: http.StatusBadRequest, code: codeBadRequest, msg: "could not read the request body", cause: err}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errorf(http.StatusBadRequest, codeMalformedJSON, "the request body is empty; expected a JSON object")
	}
	return body, nil
}

func isJSONContentType(ct string) bool {
	ct = strings.ToLower(strings.TrimSpace(ct))
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	// curl -d sends application/x-www-form-urlencoded unless told
	// otherwise; a JSON body under that type is read as JSON rather than
	// refused, so the commands people type first just work.
	return ct == "application/json" || ct == "application/x-www-form-urlencoded" ||
		(strings.HasPrefix(ct, "application/") && strings.HasSuffix(ct, "+json"))
}

// decodeBytes decodes body into v strictly (see decodeJSON).
func decodeBytes(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	// Numbers in free-form values keep their text ("10" stays "10").
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errorf(http.StatusBadRequest, codeMalformedJSON, "the request body holds more than one JSON value")
	}
	if key, ok := duplicateKey(body); ok {
		return errorf(http.StatusBadRequest, codeDuplicateKey, "key %q appears twice in one object; JSON objects must not repeat a key", key)
	}
	return nil
}

// jsonError turns an encoding/json error into a 400 that says where.
func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return errorf(http.StatusBadRequest, codeMalformedJSON, "malformed JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return errorf(http.StatusBadRequest, codeBadRequest, "the request body must be a JSON object, not %s", jsonKind(te.Value))
		}
		return errorf(http.StatusBadRequest, codeBadRequest, "field %q must be %s, not %s", field, goKind(te.Type.String()), jsonKind(te.Value))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, codeMalformedJSON, "malformed JSON: the body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return errorf(http.StatusBadRequest, codeUnknownField, "unknown field %s; check the spelling (field names are snake_case)", name)
	}
	var he *httpError
	if errors.As(err, &he) {
		return err
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return &httpError{status: http.StatusBadRequest, code: codeBadRequest, msg: "invalid request body: " + strings.TrimPrefix(err.Error(), "json: "), cause: err}
}

func jsonKind(v string) string {
	switch v {
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "bool":
		return "a boolean"
	case "array":
		return "a list"
	case "object":
		return "an object"
	}
	return v
}

func goKind(t string) string {
	switch {
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"), strings.HasPrefix(t, "float"):
		return "a number"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "server."), strings.HasPrefix(t, "*server."):
		return "an object"
	}
	return "of type " + t
}

// maxKeysLinear is how many keys of one object duplicateKey compares
// pairwise before it switches to a map.
const maxKeysLinear = 16

// duplicateKey reports the first key that appears twice in one object of
// the JSON text data, which must be valid JSON (decodeBytes checks it
// first). It allocates nothing for the small, shallow bodies of checks.
func duplicateKey(data []byte) (string, bool) {
	var keyBuf [64][]byte
	var startBuf [16]int
	// keys holds the keys of every open object, innermost last; starts
	// holds, for each open container, where its keys begin in keys (-1
	// for a list).
	keys, starts := keyBuf[:0], startBuf[:0]
	// sets index the keys of open objects with many keys, by depth.
	var sets map[int]map[string]struct{}
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{':
			starts = append(starts, len(keys))
			expectKey = true
		case '[':
			starts = append(starts, -1)
			expectKey = false
		case '}', ']':
			if n := len(starts); n > 0 {
				if st := starts[n-1]; st >= 0 {
					keys = keys[:st]
					delete(sets, n)
				}
				starts = starts[:n-1]
			}
			expectKey = false
		case ',':
			expectKey = len(starts) > 0 && starts[len(starts)-1] >= 0
		case '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(data) {
				return "", false
			}
			if expectKey && len(starts) > 0 {
				key := data[i+1 : j]
				if bytes.IndexByte(key, '\\') >= 0 {
					// Compare escaped keys by their decoded value.
					var k string
					if err := json.Unmarshal(data[i:j+1], &k); err != nil {
						return "", false
					}
					key = []byte(k)
				}
				depth, start := len(starts), starts[len(starts)-1]
				if set := sets[depth]; set != nil || len(keys)-start >= maxKeysLinear {
					if set == nil {
						if sets == nil {
							sets = map[int]map[string]struct{}{}
						}
						set = make(map[string]struct{}, 2*maxKeysLinear)
						for _, k := range keys[start:] {
							set[string(k)] = struct{}{}
						}
						sets[depth] = set
					}
					if _, dup := set[string(key)]; dup {
						return string(key), true
					}
					set[string(key)] = struct{}{}
				} else {
					for _, prev := range keys[start:] {
						if bytes.Equal(prev, key) {
							return string(key), true
						}
					}
					keys = append(keys, key)
				}
			}
			expectKey = false
			i = j
		}
	}
	return "", false
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		p, _ := problemFor(fmt.Errorf("encoding the response: %w", err))
		writeProblem(w, p)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
