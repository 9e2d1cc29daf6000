package engine

import (
	"strings"

	"gatehouse.dev/gatehouse/policy"
)

// principalMatcher is a compiled Principal or NotPrincipal element
// (API.md §2): "*", or typed lists of ids. User and App entries match a
// principal of that type by id; Role and Group entries match a principal
// holding the role or in the group; AWS entries match the id as a string,
// whatever the type (for imported AWS policies).
type principalMatcher struct {
	any                        bool
	users, apps, roles, groups []*pattern
	aws                        []*pattern
}

// compilePrincipal compiles the ids with wildcards but without policy
// variables: IAM substitutes variables only in Resource and Condition
// ("Where you can use policy variables").
func compilePrincipal(p *policy.Principal) *principalMatcher {
	m := &principalMatcher{any: p.Any}
	for _, e := range p.Entries {
		ids := make([]*pattern, len(e.IDs))
		for i, id := range e.IDs {
			ids[i] = compilePattern(id.Value, true, false, false)
		}
		switch strings.ToLower(e.Type.Value) {
		case "user":
			m.users = append(m.users, ids...)
		case "app":
			m.apps = append(m.apps, ids...)
		case "role":
			m.roles = append(m.roles, ids...)
		case "group":
			m.groups = append(m.groups, ids...)
		case "aws":
			for _, id := range ids {
				if id.isAny() {
					// {"AWS": "*"} is the same as "*".
					m.any = true
				}
			}
			m.aws = append(m.aws, ids...)
		}
	}
	return m
}

// match reports whether the request's principal is named, and whether it is
// named directly: by its exact id in a User, App or AWS entry (not through
// a wildcard, a role or a group). As in AWS, a resource policy that names
// the principal directly is not limited by a permissions boundary or a
// session policy.
func (m *principalMatcher) match(r *Request) (ok, direct bool) {
	id := r.Principal.ID
	switch r.Principal.Type {
	case "user":
		if ok, direct = matchIDs(m.users, id, r); ok && direct {
			return true, true
		}
	case "app":
		if ok, direct = matchIDs(m.apps, id, r); ok && direct {
			return true, true
		}
	}
	if id != "" {
		if ok2, direct2 := matchIDs(m.aws, id, r); ok2 {
			if direct2 {
				return true, true
			}
			ok = true
		}
	}
	if ok || m.any {
		return true, false
	}
	for _, role := range r.Principal.Roles {
		if ok, _ := matchIDs(m.roles, role, r); ok {
			return true, false
		}
	}
	for _, g := range r.Principal.Groups {
		if ok, _ := matchIDs(m.groups, g, r); ok {
			return true, false
		}
	}
	return false, false
}

// matchIDs reports whether id matches one of the patterns, and whether one
// of the matching patterns is the exact id (no wildcard or variable).
func matchIDs(pats []*pattern, id string, r *Request) (ok, direct bool) {
	if id == "" {
		return false, false
	}
	for _, p := range pats {
		if p.match(id, r) {
			if p.exact {
				return true, true
			}
			ok = true
		}
	}
	return ok, false
}
