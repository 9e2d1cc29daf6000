package policy

import "fmt"

// Kind is the role a policy document plays, which decides what it may
// contain (a Principal only in resource and trust policies, for instance).
type Kind uint8

// Policy kinds.
const (
	// KindIdentity is attached to a role, user, group or app.
	KindIdentity Kind = iota
	// KindResource is attached to a resource pattern and names principals.
	KindResource
	// KindBoundary is a permissions boundary: the most an identity policy
	// can grant.
	KindBoundary
	// KindSession is carried by a session: it intersects the role's
	// permissions.
	KindSession
	// KindTrust is a role's trust policy: who may assume the role.
	KindTrust
)

var kindNames = [...]string{"identity", "resource", "boundary", "session", "trust"}

// String returns the kind's lower-case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// ParseKind parses a kind name as used by `gatehouse validate --kind`.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown policy kind %q: use identity, resource, boundary, session or trust", s)
}
