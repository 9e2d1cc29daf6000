package directory

import (
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

// Resolution is every role a subject holds for one request, and why.
type Resolution struct {
	// Roles are the role names (principal:roles), sorted.
	Roles []string
	// Groups are the subject's groups (principal:groups): the stored
	// user's and the subject's own, sorted, without repeats.
	Groups []string
	// Resolved gives each role of Roles, in the same order, with the chain
	// that gave it.
	Resolved []ResolvedRole
}

// ResolvedRole is one role with its provenance.
type ResolvedRole struct {
	Role string
	// Path is how the subject came to hold the role: Path[0] gives the
	// role itself, Path[1] the role Path[0] came from, and so on back to
	// the subject. One path is given (the shortest, first found).
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
	// mappings.
	From string
	// Mapping is the role mapping, for GrantMapping.
	Mapping *RoleMapping
	// Rule is the claim rule, for GrantClaimRule.
	Rule *ClaimRule
	// GroupSource says where the subject's membership of a GROUP
	// mapping's group comes from: "stored" or "request".
	GroupSource string
}

// Resolve returns the roles s holds for a request on a resource with those
// attributes (they decide $owner).
func (d *Directory) Resolve(s *Subject, resourceAttrs map[string]engine.Values) *Resolution {
	return &Resolution{}
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
