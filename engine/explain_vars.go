package engine

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// requestVariables lists every condition key and policy variable r
// carries, as a policy would name it, sorted by key. It follows
// Request.lookup: structured fields fill the reserved prefixes, and a
// context key with a reserved prefix is used only when its structured
// source is empty.
func requestVariables(r *Request) []Variable {
	var out []Variable
	add := func(key, source string, vs []string) {
		v := Variable{Key: key, Source: source, Values: append([]string{}, vs...)}
		switch ref := compileKey(key); {
		case source != "context" && !reaches(r, &ref, source):
			v.Note = "not reachable: the key names a structured field instead"
		case source == "context" && ref.src != srcContext && shadowed(r, &ref):
			v.Note = "not used: the request's structured field of the same name wins"
		case len(vs) == 0:
			v.Note = "present with no values: conditions count it as absent"
		}
		out = append(out, v)
	}
	p := &r.Principal
	if p.ID != "" {
		add("principal:id", "principal", []string{p.ID})
	}
	if p.Type != "" {
		add("principal:type", "principal", []string{p.Type})
	}
	if p.Roles != nil {
		add("principal:roles", "principal", p.Roles)
	}
	if p.Groups != nil {
		add("principal:groups", "principal", p.Groups)
	}
	for k, v := range p.Attributes {
		add("principal:"+k, "principal", v)
	}
	for k, v := range r.Claims {
		add("jwt:"+k, "claims", v)
	}
	if r.Resource.Name != "" {
		add("resource:name", "resource", []string{r.Resource.Name})
	}
	if r.Resource.Type != "" {
		add("resource:type", "resource", []string{r.Resource.Type})
	}
	for k, v := range r.Resource.Attributes {
		add("resource:"+k, "resource", v)
	}
	for k, v := range r.Context {
		add(k, "context", v)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := strings.ToLower(out[i].Key), strings.ToLower(out[j].Key)
		if a != b {
			return a < b
		}
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Source < out[j].Source
	})
	return out
}

// reaches reports whether looking up ref finds the structured value named
// by source (an attribute called "id" is hidden by principal:id).
func reaches(r *Request, ref *keyRef, source string) bool {
	switch source {
	case "principal":
		switch ref.src {
		case srcPrincipalID, srcPrincipalType, srcPrincipalRoles, srcPrincipalGroups, srcPrincipalAttr:
			return ref.src != srcPrincipalAttr || hasAttrKey(r.Principal.Attributes, ref.name)
		}
	case "claims":
		return ref.src == srcJWT
	case "resource":
		switch ref.src {
		case srcResourceName, srcResourceType, srcResourceAttr:
			return ref.src != srcResourceAttr || hasAttrKey(r.Resource.Attributes, ref.name)
		}
	}
	return false
}

func hasAttrKey(m map[string]Values, k string) bool {
	_, ok := lookupFold(m, k)
	return ok
}

// shadowed reports whether a reserved key is filled from the request's
// structured fields, so that a context key of that name is not used.
func shadowed(r *Request, ref *keyRef) bool {
	rr := *r
	rr.Context = nil
	_, ok := rr.lookup(ref)
	return ok
}

// lookupVar returns what the request carries under key, for hints.
func lookupVar(vars []Variable, key string) (Variable, bool) {
	for _, v := range vars {
		if v.Key == key {
			return v, true
		}
	}
	return Variable{}, false
}

// showValues renders values for a sentence: one as "x", several as
// ["x", "y"].
func showValues(vs []string) string {
	if len(vs) == 1 {
		return fmt.Sprintf("%q", clip(vs[0]))
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("%q", clip(v))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// maxShownValue bounds a value quoted inside a hint or table, so that one
// huge claim does not bury the rest.
const maxShownValue = 200

func clip(s string) string {
	if len(s) <= maxShownValue {
		return s
	}
	i := maxShownValue
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
