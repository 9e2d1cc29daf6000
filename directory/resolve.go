package directory

import (
	"slices"
	"sort"
	"strings"

	"gatehouse.dev/gatehouse/engine"
)

// Dynamic roles: computed per request, never given by a mapping.
const (
	// RoleEveryone is held by every subject.
	RoleEveryone = "$everyone"
	// RoleAuthenticated is held by a user, app or session subject.
	RoleAuthenticated = "$authenticated"
	// RoleUnauthenticated is held by an anonymous subject.
	RoleUnauthenticated = "$unauthenticated"
	// RoleOwner is held when the resource attribute "owner" equals the
	// subject's id.
	RoleOwner = "$owner"
)

// smallSet is the size up to which a set is searched linearly rather than
// hashed.
const smallSet = 16

// Subject is whom a decision is about, as the server found it: a principal
// the caller named, or (next) a verified token.
type Subject struct {
	// Type is "user", "app", "session", or "" for an anonymous subject.
	Type string
	ID   string
	// Attributes are the caller's (or token's) attributes; stored
	// attributes fill the keys not given here.
	Attributes map[string]engine.Values
	// Groups are groups the caller or token gave, in addition to the
	// stored user's groups.
	Groups []string
	// Roles are roles asserted by the caller (the server checks that the
	// caller may: gatehouse:AssertRoles) or carried by a session.
	Roles []string
	// Claims are the verified token's claims, flattened
	// (engine.FlattenClaims); nil without a token.
	Claims map[string]engine.Values
	// Issuer is the name of the trusted issuer of the token, "" for none.
	Issuer string
}

// Resolution is every role a subject holds for one request, and why. It
// is read-only: its slices may be shared with the directory.
type Resolution struct {
	// Roles are the role names (principal:roles), sorted.
	Roles []string `json:"roles"`
	// Groups are the subject's groups (principal:groups): the stored
	// user's and the subject's own, sorted, without repeats.
	Groups []string `json:"groups"`
	// Resolved gives each role of Roles, in the same order, with the chain
	// that gave it.
	Resolved []ResolvedRole `json:"resolved"`
}

// ResolvedRole is one role with its provenance.
type ResolvedRole struct {
	Role string
	// Path is how the subject came to hold the role: Path[0] gives the
	// role itself, Path[1] the role Path[0] came from, and so on back to
	// the subject. One path is given: the shortest, first found (dynamic
	// roles, then asserted roles, then mappings of the user, the app, the
	// groups in order, then claim rules).
	Path []Grant
}

// GrantKind is how a role was given.
type GrantKind uint8

// Grant kinds.
const (
	// GrantMapping: a role mapping of the USER, one of its GROUPs, the
	// APP, or a ROLE held.
	GrantMapping GrantKind = iota + 1
	// GrantIncludes: a held role includes it.
	GrantIncludes
	// GrantClaimRule: a claim rule matched the token's claims.
	GrantClaimRule
	// GrantDynamic: $everyone, $authenticated, $unauthenticated, $owner.
	GrantDynamic
	// GrantAsserted: the caller asserted it (or the session carries it).
	GrantAsserted
)

// Grant is one step of a role's provenance.
type Grant struct {
	Kind GrantKind
	// Role is the role given.
	Role string
	// From is the role the grant starts from, for includes and ROLE
	// mappings; for a dynamic role, the subject ("user 1") or, for $owner,
	// its id.
	From string
	// Mapping is the role mapping, for GrantMapping.
	Mapping *RoleMapping
	// Rule is the claim rule, for GrantClaimRule.
	Rule *ClaimRule
	// GroupSource says where the subject's membership of a GROUP
	// mapping's group comes from: "stored" (the stored user's groups) or
	// "request".
	GroupSource string
}

// node is one role reached during resolution.
type node struct {
	grant  Grant
	parent int32 // index of the node it came from, -1 for a seed
}

// resolver holds one resolution.
type resolver struct {
	nodes []node
	index map[string]int32 // built once nodes outgrow smallSet
}

func (r *resolver) has(role string) bool {
	if r.index != nil {
		_, ok := r.index[role]
		return ok
	}
	for i := range r.nodes {
		if r.nodes[i].grant.Role == role {
			return true
		}
	}
	return false
}

func (r *resolver) add(g Grant, parent int32) {
	if g.Role == "" || r.has(g.Role) {
		return
	}
	r.nodes = append(r.nodes, node{grant: g, parent: parent})
	switch {
	case r.index != nil:
		r.index[g.Role] = int32(len(r.nodes) - 1)
	case len(r.nodes) > smallSet:
		r.index = make(map[string]int32, 2*len(r.nodes))
		for i := range r.nodes {
			r.index[r.nodes[i].grant.Role] = int32(i)
		}
	}
}

// Resolve returns the roles s holds for a request on a resource with those
// attributes (they decide $owner): roles mapped to the user (by id), to
// each of its groups (stored and given), to the app, given by claim rules
// (on the subject's claims, for the rule's issuer), asserted, and the
// dynamic ones; then, transitively, the roles those include or are mapped
// to by ROLE mappings. There is no limit on groups or roles.
func (d *Directory) Resolve(s *Subject, resourceAttrs map[string]engine.Values) *Resolution {
	if s == nil {
		s = &Subject{}
	}
	if d == nil {
		d = &Directory{}
	}
	var r resolver
	r.nodes = make([]node, 0, 8)
	var user *User
	if s.Type == "user" {
		user = d.users[s.ID]
	}
	res := &Resolution{Groups: mergeGroups(user, s.Groups)}

	// Seeds, in a fixed order: the first way found to a role is its
	// provenance.
	r.add(Grant{Kind: GrantDynamic, Role: RoleEveryone}, -1)
	if s.Type == "" {
		r.add(Grant{Kind: GrantDynamic, Role: RoleUnauthenticated}, -1)
	} else {
		r.add(Grant{Kind: GrantDynamic, Role: RoleAuthenticated, From: s.Type + " " + s.ID}, -1)
		if s.ID != "" && ownerIs(resourceAttrs, s.ID) {
			r.add(Grant{Kind: GrantDynamic, Role: RoleOwner, From: s.ID}, -1)
		}
	}
	for _, role := range s.Roles {
		r.add(Grant{Kind: GrantAsserted, Role: role}, -1)
	}
	var direct []*RoleMapping
	switch s.Type {
	case "user":
		direct = d.userMappings[s.ID]
	case "app":
		direct = d.appMappings[s.ID]
	}
	for _, m := range direct {
		r.add(Grant{Kind: GrantMapping, Role: m.Role, Mapping: m}, -1)
	}
	if len(d.groupMappings) > 0 {
		for _, g := range res.Groups {
			for _, m := range d.groupMappings[g] {
				if r.has(m.Role) {
					continue
				}
				src := "request"
				if user.inGroup(g) {
					src = "stored"
				}
				r.add(Grant{Kind: GrantMapping, Role: m.Role, Mapping: m, GroupSource: src}, -1)
			}
		}
	}
	if s.Claims != nil {
		for _, claim := range d.claimNames {
			vals, ok := s.Claims[claim]
			if !ok {
				continue
			}
			for _, c := range d.claimRules[claim] {
				if (c.Issuer == "" || c.Issuer == s.Issuer) && c.matches(vals) {
					r.add(Grant{Kind: GrantClaimRule, Role: c.Role, Rule: c}, -1)
				}
			}
		}
	}
	// Everything the roles reached give, breadth first.
	for i := 0; i < len(r.nodes); i++ {
		from := r.nodes[i].grant.Role
		for _, e := range d.roleEdges[from] {
			g := Grant{Kind: GrantIncludes, Role: e.to, From: from}
			if e.mapping != nil {
				g.Kind, g.Mapping = GrantMapping, e.mapping
			}
			r.add(g, int32(i))
		}
	}
	r.finish(res)
	return res
}

// finish fills res from the nodes: roles sorted, each with its path.
func (r *resolver) finish(res *Resolution) {
	order := make([]int32, len(r.nodes))
	total := 0
	for i := range order {
		order[i] = int32(i)
		for j := int32(i); j >= 0; j = r.nodes[j].parent {
			total++
		}
	}
	sort.Slice(order, func(a, b int) bool { return r.nodes[order[a]].grant.Role < r.nodes[order[b]].grant.Role })
	res.Roles = make([]string, len(order))
	res.Resolved = make([]ResolvedRole, len(order))
	grants := make([]Grant, 0, total)
	for k, i := range order {
		res.Roles[k] = r.nodes[i].grant.Role
		start := len(grants)
		for j := i; j >= 0; j = r.nodes[j].parent {
			grants = append(grants, r.nodes[j].grant)
		}
		res.Resolved[k] = ResolvedRole{Role: res.Roles[k], Path: grants[start:len(grants):len(grants)]}
	}
}

// mergeGroups returns the stored user's groups and the given ones, sorted,
// without repeats; the user's sorted list itself when nothing is given.
func mergeGroups(u *User, given []string) []string {
	var stored []string
	if u != nil {
		stored = u.groups
	}
	if len(given) == 0 {
		return stored
	}
	out := make([]string, 0, len(stored)+len(given))
	out = append(out, stored...)
	out = append(out, given...)
	slices.Sort(out)
	return slices.Compact(out)
}

// inGroup reports whether the stored user is in group g.
func (u *User) inGroup(g string) bool {
	if u == nil {
		return false
	}
	if u.groupSet != nil {
		_, ok := u.groupSet[g]
		return ok
	}
	_, ok := slices.BinarySearch(u.groups, g)
	return ok
}

// ownerIs reports whether the resource attribute "owner" (found as the
// engine finds resource:owner: exactly, else ignoring case) has the value
// id.
func ownerIs(attrs map[string]engine.Values, id string) bool {
	if len(attrs) == 0 {
		return false
	}
	v, ok := attrs["owner"]
	if !ok {
		for k, vv := range attrs {
			if strings.EqualFold(k, "owner") {
				v, ok = vv, true
				break
			}
		}
	}
	return ok && slices.Contains(v, id)
}

// matches reports whether a claim's values pass the rule.
func (c *ClaimRule) matches(vals engine.Values) bool {
	switch c.Op {
	case ClaimPresent:
		return true
	case ClaimEquals:
		return len(vals) == 1 && vals[0] == c.Value
	case ClaimContains:
		return slices.Contains(vals, c.Value)
	}
	return false
}

// String returns "mapping", "includes", "claim_rule", "dynamic" or
// "asserted".
func (k GrantKind) String() string {
	switch k {
	case GrantMapping:
		return "mapping"
	case GrantIncludes:
		return "includes"
	case GrantClaimRule:
		return "claim_rule"
	case GrantDynamic:
		return "dynamic"
	case GrantAsserted:
		return "asserted"
	}
	return "unknown"
}

// MarshalText implements encoding.TextMarshaler.
func (k GrantKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }
