package engine

import "strings"

// Values is the value of a condition key: one string, or several for a
// multi-valued key. Numbers and booleans are held as their JSON text, so a
// String operator compares "10" and a Numeric operator parses it.
type Values []string

// Request is one question put to the engine: may Principal do Action on
// Resource, given Claims and Context?
//
// Condition keys are looked up case-insensitively; gatehouse fills the
// reserved prefixes from the structured fields:
//
//	principal:id, principal:type, principal:roles, principal:groups,
//	principal:<attr>           from Principal
//	jwt:<claim>                from Claims (claim names are case-sensitive)
//	resource:name, resource:type, resource:<attr>  from Resource
//
// Any other key, and a reserved key whose structured source is empty, is
// read from Context. The caller builds a Request once; the engine only reads
// it.
type Request struct {
	Principal Principal
	Action    string
	Resource  Resource
	// Claims are the verified token's claims, flattened by FlattenClaims.
	Claims map[string]Values
	// Context holds every other key (aws:SourceIp, s3:prefix,
	// request:time, ...). Keys match case-insensitively.
	Context map[string]Values
}

// Principal is who is asking.
type Principal struct {
	Type       string // "user", "app", "session", or "" when anonymous
	ID         string
	Roles      []string
	Groups     []string
	Attributes map[string]Values
}

// Resource is what is acted on: a name (an ARN or a gatehouse name such as
// "orders:acme/17", a field as "name#field") and optional attributes.
type Resource struct {
	Name       string
	Type       string
	Attributes map[string]Values
}

// lookupFold finds key in m: first exactly, then ignoring case. It does not
// allocate.
func lookupFold(m map[string]Values, key string) (Values, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}
