package engine

import "strings"

// keySource says where in a Request a condition key's value comes from.
type keySource uint8

const (
	srcContext keySource = iota
	srcPrincipalID
	srcPrincipalType
	srcPrincipalRoles
	srcPrincipalGroups
	srcPrincipalAttr
	srcJWT
	srcResourceName
	srcResourceType
	srcResourceAttr
)

// keyRef is a condition key or policy variable name resolved at compile time
// to where its value lives in a request.
type keyRef struct {
	src keySource
	// name is the attribute, claim or context key to look up: the part
	// after the prefix for attributes and claims, the whole key otherwise.
	name string
	// full is the key as written in the policy.
	full string
}

// compileKey resolves a key name. Prefixes are case-insensitive; claim names
// keep their case (API.md §3).
func compileKey(k string) keyRef {
	ref := keyRef{src: srcContext, name: k, full: k}
	prefix, rest, ok := strings.Cut(k, ":")
	if !ok || rest == "" {
		return ref
	}
	switch strings.ToLower(prefix) {
	case "principal":
		switch strings.ToLower(rest) {
		case "id":
			ref.src = srcPrincipalID
		case "type":
			ref.src = srcPrincipalType
		case "roles":
			ref.src = srcPrincipalRoles
		case "groups":
			ref.src = srcPrincipalGroups
		default:
			ref.src, ref.name = srcPrincipalAttr, rest
		}
	case "jwt":
		ref.src, ref.name = srcJWT, rest
	case "resource":
		switch strings.ToLower(rest) {
		case "name":
			ref.src = srcResourceName
		case "type":
			ref.src = srcResourceType
		default:
			ref.src, ref.name = srcResourceAttr, rest
		}
	}
	return ref
}

// vals is a key's value as found in a request: one string or a list. It is
// returned by value so that single structural fields (principal:id) need no
// allocation.
type vals struct {
	one   string
	many  Values
	isOne bool
}

// Len returns the number of values.
func (v vals) Len() int {
	if v.isOne {
		return 1
	}
	return len(v.many)
}

// At returns the i'th value.
func (v vals) At(i int) string {
	if v.isOne {
		return v.one
	}
	return v.many[i]
}

func oneVal(s string) vals  { return vals{one: s, isOne: true} }
func manyVal(v Values) vals { return vals{many: v} }

// lookup returns the value of k in r and whether the key is present. A
// reserved key whose structured source is empty falls back to r.Context,
// so offline requests can simulate what the server fills.
func (r *Request) lookup(k *keyRef) (vals, bool) {
	switch k.src {
	case srcPrincipalID:
		if r.Principal.ID != "" {
			return oneVal(r.Principal.ID), true
		}
	case srcPrincipalType:
		if r.Principal.Type != "" {
			return oneVal(r.Principal.Type), true
		}
	case srcPrincipalRoles:
		if r.Principal.Roles != nil {
			return manyVal(r.Principal.Roles), true
		}
	case srcPrincipalGroups:
		if r.Principal.Groups != nil {
			return manyVal(r.Principal.Groups), true
		}
	case srcPrincipalAttr:
		if v, ok := lookupFold(r.Principal.Attributes, k.name); ok {
			return manyVal(v), true
		}
	case srcJWT:
		// Claim names are case-sensitive.
		if v, ok := r.Claims[k.name]; ok {
			return manyVal(v), true
		}
	case srcResourceName:
		if r.Resource.Name != "" {
			return oneVal(r.Resource.Name), true
		}
	case srcResourceType:
		if r.Resource.Type != "" {
			return oneVal(r.Resource.Type), true
		}
	case srcResourceAttr:
		if v, ok := lookupFold(r.Resource.Attributes, k.name); ok {
			return manyVal(v), true
		}
	}
	if v, ok := lookupFold(r.Context, k.full); ok {
		return manyVal(v), true
	}
	return vals{}, false
}

// lookupSingle returns the key's value for use as a policy variable: present
// only when it has exactly one value (IAM does not substitute multi-valued
// keys).
func (r *Request) lookupSingle(k *keyRef) (string, bool) {
	v, ok := r.lookup(k)
	if !ok || v.Len() != 1 {
		return "", false
	}
	return v.At(0), true
}
