package directory

import (
	"slices"
	"strings"
	"sync"

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
const smallSet = 32

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

// ResolvedRole is one role with its provenance: the step that gave it,
// and the role that step came from, whose own entry says how it came. A
// role's whole chain back to the subject is Resolution.Path.
type ResolvedRole struct {
	Role string
	// Grant is how the role was given. Of the ways to a role, the shortest
	// is given, the first found on ties (dynamic roles, then asserted
	// roles, then mappings of the user, the app, the groups in order, then
	// claim rules).
	Grant Grant
	// From is the index in Resolution.Resolved of the role the grant
	// started from (includes and ROLE mappings), -1 for a grant from the
	// subject itself.
	From int
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
	// GrantAsserted: the caller asserted it.
	GrantAsserted
	// GrantSession: the role assumed in the subject's session
	// (assume-role).
	GrantSession
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

// node is one role reached during resolution; finish turns it into a
// Grant (kept small: a resolution is made for every check).
type node struct {
	role    string
	mapping *RoleMapping
	rule    *ClaimRule
	parent  int32 // index of the node it came from, -1 for a seed
	kind    GrantKind
}

// resolver holds one resolution's scratch space. Resolvers are pooled:
// a check allocates only what it returns.
type resolver struct {
	nodes      []node
	index      map[string]int32 // built once nodes outgrow smallSet
	order, pos []int32
}

var resolvers = sync.Pool{New: func() any { return &resolver{nodes: make([]node, 0, smallSet)} }}

// release returns r to the pool, dropping what would keep objects alive
// or what grew too large.
func (r *resolver) release() {
	if cap(r.nodes) > 4*smallSet {
		return
	}
	clear(r.nodes)
	r.nodes, r.index, r.order, r.pos = r.nodes[:0], nil, r.order[:0], r.pos[:0]
	resolvers.Put(r)
}

func (r *resolver) has(role string) bool {
	if r.index != nil {
		_, ok := r.index[role]
		return ok
	}
	for i := range r.nodes {
		if r.nodes[i].role == role {
			return true
		}
	}
	return false
}

func (r *resolver) add(n node) {
	if n.role == "" || r.has(n.role) {
		return
	}
	r.nodes = append(r.nodes, n)
	switch {
	case r.index != nil:
		r.index[n.role] = int32(len(r.nodes) - 1)
	case len(r.nodes) > smallSet:
		r.index = make(map[string]int32, 2*len(r.nodes))
		for i := range r.nodes {
			r.index[r.nodes[i].role] = int32(i)
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
	r := resolvers.Get().(*resolver)
	defer r.release()
	var user *User
	if s.Type == "user" {
		user = d.users[s.ID]
	}
	res := &Resolution{Groups: mergeGroups(user, s.Groups)}

	// Seeds, in a fixed order: the first way found to a role is its
	// provenance.
	r.add(node{kind: GrantDynamic, role: RoleEveryone, parent: -1})
	if s.Type == "" {
		r.add(node{kind: GrantDynamic, role: RoleUnauthenticated, parent: -1})
	} else {
		r.add(node{kind: GrantDynamic, role: RoleAuthenticated, parent: -1})
		if s.ID != "" && ownerIs(resourceAttrs, s.ID) {
			r.add(node{kind: GrantDynamic, role: RoleOwner, parent: -1})
		}
	}
	for _, role := range s.Roles {
		r.add(node{kind: GrantAsserted, role: role, parent: -1})
	}
	if s.Type == "session" {
		// A session holds the role it assumed (and what that role
		// reaches), nothing its creator holds.
		if sess := d.Session(s.ID); sess != nil {
			r.add(node{kind: GrantSession, role: sess.Role, parent: -1})
		}
	}
	var direct []*RoleMapping
	switch s.Type {
	case "user":
		direct = d.userMappings[s.ID]
	case "app":
		direct = d.appMappings[s.ID]
	}
	for _, m := range direct {
		r.add(node{kind: GrantMapping, role: m.Role, mapping: m, parent: -1})
	}
	if len(d.groupMappings) > 0 {
		for _, g := range res.Groups {
			for _, m := range d.groupMappings[g] {
				r.add(node{kind: GrantMapping, role: m.Role, mapping: m, parent: -1})
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
					r.add(node{kind: GrantClaimRule, role: c.Role, rule: c, parent: -1})
				}
			}
		}
	}
	// Everything the roles reached give, breadth first.
	for i := 0; i < len(r.nodes); i++ {
		for _, e := range d.roleEdges[r.nodes[i].role] {
			n := node{kind: GrantIncludes, role: e.to, parent: int32(i)}
			if e.mapping != nil {
				n.kind, n.mapping = GrantMapping, e.mapping
			}
			r.add(n)
		}
	}
	r.finish(res, s, user)
	return res
}

// finish fills res from the nodes: roles sorted, each with its grant and
// the index of the role it came from.
func (r *resolver) finish(res *Resolution, s *Subject, user *User) {
	order := r.order[:0]
	for i := range r.nodes {
		order = append(order, int32(i))
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(r.nodes[a].role, r.nodes[b].role) })
	pos := slices.Grow(r.pos[:0], len(r.nodes))[:len(r.nodes)] // node index → index in Resolved
	for k, i := range order {
		pos[i] = int32(k)
	}
	r.order, r.pos = order, pos
	res.Roles = make([]string, len(order))
	res.Resolved = make([]ResolvedRole, len(order))
	for k, i := range order {
		n := &r.nodes[i]
		res.Roles[k] = n.role
		g := Grant{Kind: n.kind, Role: n.role, Mapping: n.mapping, Rule: n.rule}
		from := -1
		if n.parent >= 0 {
			from = int(pos[n.parent])
			if n.kind == GrantIncludes || n.mapping != nil {
				g.From = r.nodes[n.parent].role
			}
		}
		switch {
		case n.role == RoleAuthenticated && n.kind == GrantDynamic:
			g.From = s.Type + " " + s.ID
		case n.role == RoleOwner && n.kind == GrantDynamic:
			g.From = s.ID
		case n.kind == GrantSession:
			g.From = s.ID
		case n.mapping != nil && n.mapping.PrincipalType == PrincipalGroup:
			g.GroupSource = "request"
			if user.inGroup(n.mapping.PrincipalID) {
				g.GroupSource = "stored"
			}
		}
		res.Resolved[k] = ResolvedRole{Role: n.role, Grant: g, From: from}
	}
}

// Path returns how the subject came to hold role: the grant of the role
// itself first, then the grant of the role it came from, and so on back to
// the subject; nil when the subject does not hold it.
func (res *Resolution) Path(role string) []Grant {
	i, ok := slices.BinarySearch(res.Roles, role)
	if !ok || i >= len(res.Resolved) {
		return nil
	}
	var out []Grant
	for steps := 0; i >= 0 && steps <= len(res.Resolved); steps++ {
		out = append(out, res.Resolved[i].Grant)
		i = res.Resolved[i].From
	}
	return out
}

// Why renders Path(role) for a person, its steps joined by "; ":
// "staff via role editor includes staff; editor via role mapping 3: USER 1
// → editor". It is "" when the subject does not hold the role.
func (res *Resolution) Why(role string) string {
	path := res.Path(role)
	parts := make([]string, len(path))
	for i, g := range path {
		parts[i] = g.String()
	}
	return strings.Join(parts, "; ")
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
	case GrantSession:
		return "session"
	}
	return "unknown"
}

// MarshalText implements encoding.TextMarshaler.
func (k GrantKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }
