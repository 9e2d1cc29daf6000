package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// MaxClaimDepth bounds how deeply FlattenClaims follows nested claim
// objects. Real tokens nest two or three levels; the bound keeps a hostile
// token from costing more than its size.
const MaxClaimDepth = 32

// ValuesOf converts a value decoded from JSON into the Values of a condition
// key (API.md §3): a string as is; a number as its JSON text (decode with
// json.Decoder.UseNumber so that "10" stays "10" and 1e3 stays "1e3"); a
// bool as "true" or "false"; a list of those as several values (an empty
// list is a present key with no values). null, objects and nested lists
// cannot be condition values and are an error.
//
// Besides the types encoding/json produces (string, json.Number, float64,
// bool, []any) it accepts Go ints and []string for callers that build
// values in code.
func ValuesOf(v any) (Values, error) {
	switch v := v.(type) {
	case []any:
		out := make(Values, 0, len(v))
		for i, e := range v {
			s, err := scalarText(e)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out = append(out, s)
		}
		return out, nil
	case []string:
		return append(make(Values, 0, len(v)), v...), nil
	}
	s, err := scalarText(v)
	if err != nil {
		return nil, err
	}
	return Values{s}, nil
}

// errNull is returned for a null value; FlattenClaims treats it as absent.
var errNull = errors.New("null is not a condition value: leave the key out instead")

// scalarText returns the text of one scalar value.
func scalarText(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", fmt.Errorf("number %v has no JSON form", v)
		}
		// Format as encoding/json would have written it.
		b, err := json.Marshal(v)
		if err != nil {
			return "", err
		}
		return string(b), nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case nil:
		return "", errNull
	case map[string]any:
		return "", errors.New("an object is not a condition value: use a string, number, bool or a list of them")
	case []any, []string:
		return "", errors.New("a nested list is not a condition value: use a flat list")
	}
	return "", fmt.Errorf("a %T is not a condition value: use a string, number, bool or a list of them", v)
}

// FlattenClaims turns a token's claims into the values of the jwt: keys
// (API.md §3). Top-level claims keep their names exactly (claim names are
// case-sensitive, and may contain ':' or '.', as in "custom:org" or
// "https://app.example/org"). A nested object's members are reachable as
// "a.b.c", but only when no top-level claim has that exact name: the
// top-level claim always wins. A list of scalars is a multi-valued key. A
// null claim is absent.
//
// Claims that cannot be condition values (a list holding objects, lists or
// nulls; objects nested deeper than MaxClaimDepth; two nested paths that
// flatten to the same name) are left out, and err names each of them. The
// map holds every other claim even when err is not nil, so a caller that
// must accept any token (the server) can use it and log err, while the
// offline CLI reports err as invalid input.
func FlattenClaims(claims map[string]any) (map[string]Values, error) {
	out := make(map[string]Values, len(claims))
	var problems []string
	// Top-level claims first, so nested paths can defer to them.
	for _, name := range sortedKeys(claims) {
		v := claims[name]
		if _, ok := v.(map[string]any); ok {
			continue
		}
		vals, err := ValuesOf(v)
		switch {
		case err == errNull:
			// Absent.
		case err != nil:
			problems = append(problems, fmt.Sprintf("claim %q: %v", name, err))
		default:
			out[name] = vals
		}
	}
	f := flattener{top: claims, out: out, nested: map[string]string{}}
	for _, name := range sortedKeys(claims) {
		if obj, ok := claims[name].(map[string]any); ok {
			f.walk(name, []string{name}, obj)
		}
	}
	for _, name := range sortedKeys(f.ambiguous) {
		delete(out, name)
		problems = append(problems, fmt.Sprintf("claim %q: reached by two nested paths (%s): rename one", name, f.ambiguous[name]))
	}
	problems = append(problems, f.problems...)
	if len(problems) > 0 {
		slices.Sort(problems)
		return out, errors.New("claims left out: " + strings.Join(problems, "; "))
	}
	return out, nil
}

// flattener collects the nested claims of FlattenClaims.
type flattener struct {
	top map[string]any
	out map[string]Values
	// nested maps each flattened name produced so far to a description of
	// its path, to detect two paths with the same name.
	nested    map[string]string
	ambiguous map[string]string
	problems  []string
}

// walk adds the members of obj, found at prefix by following the claim
// names in segs, to f.out.
func (f *flattener) walk(prefix string, segs []string, obj map[string]any) {
	if len(segs) > MaxClaimDepth {
		f.problems = append(f.problems, fmt.Sprintf("claim %q: nested deeper than %d levels", prefix, MaxClaimDepth))
		return
	}
	for _, k := range sortedKeys(obj) {
		name := prefix + "." + k
		v := obj[k]
		if sub, ok := v.(map[string]any); ok {
			f.walk(name, append(segs[:len(segs):len(segs)], k), sub)
			continue
		}
		if _, ok := f.top[name]; ok {
			continue // a top-level claim of that exact name wins
		}
		vals, err := ValuesOf(v)
		if err == errNull {
			continue
		}
		if err != nil {
			f.problems = append(f.problems, fmt.Sprintf("claim %q: %v", name, err))
			continue
		}
		path := describePath(append(segs[:len(segs):len(segs)], k))
		if first, dup := f.nested[name]; dup {
			if f.ambiguous == nil {
				f.ambiguous = map[string]string{}
			}
			f.ambiguous[name] = first + " and " + path
			continue
		}
		f.nested[name] = path
		f.out[name] = vals
	}
}

// describePath names a nested claim by its members, for an error message:
// "a" → "b.c".
func describePath(segs []string) string {
	q := make([]string, len(segs))
	for i, s := range segs {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, " → ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
