package directory

import (
	"encoding/json"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
)

// Object kinds, as stored in store.Object.Kind.
const (
	KindPolicy         = "policy"
	KindRole           = "role"
	KindRoleMapping    = "role_mapping"
	KindUser           = "user"
	KindGroup          = "group"
	KindApp            = "app"
	KindClaimRule      = "claim_rule"
	KindResourcePolicy = "resource_policy"
	KindBoundary       = "boundary"
)

// Kinds lists every object kind the directory knows, in the order Build
// reads them.
func Kinds() []string {
	return []string{KindPolicy, KindRole, KindRoleMapping, KindUser, KindGroup, KindApp,
		KindClaimRule, KindResourcePolicy, KindBoundary, KindIssuer, KindSession, KindRevocation, KindCredential}
}

// Object is one decoded directory object: a *Policy, *Role, *RoleMapping,
// *User, *Group, *App, *ClaimRule, *ResourcePolicy or *Boundary.
type Object interface {
	// Kind returns the object's kind (KindPolicy, ...).
	Kind() string
	// ObjectID returns the object's id (a role's name).
	ObjectID() string
}

// Policy is an identity policy, attached by id to roles, users, groups and
// apps.
type Policy struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	// Document is the policy document as written (a JSON object).
	Document json.RawMessage `json:"document"`

	doc *policy.Document
}

// Role is a named bundle of permissions.
type Role struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Policies are the ids of the identity policies attached to the role.
	Policies []string `json:"policies"`
	// Includes are roles that every holder of this role also holds.
	Includes []string `json:"includes"`
	// TrustPolicy, when set, is a trust policy document: who may assume
	// the role.
	TrustPolicy json.RawMessage `json:"trust_policy,omitempty"`
	// MaxSessionSeconds bounds sessions of the assumed role (0: the
	// server's default).
	MaxSessionSeconds int64 `json:"max_session_seconds,omitempty"`

	trust *policy.Document
}

// PrincipalType is who a role mapping or boundary applies to: USER, GROUP,
// APP or ROLE (LoopBack's spelling).
type PrincipalType string

// Principal types.
const (
	PrincipalUser  PrincipalType = "USER"
	PrincipalGroup PrincipalType = "GROUP"
	PrincipalApp   PrincipalType = "APP"
	PrincipalRole  PrincipalType = "ROLE"
)

// RoleMapping gives Role to a user, group, app, or to the holders of
// another role (LoopBack's RoleMapping). The JSON aliases principalType and
// principalId are accepted when decoding.
type RoleMapping struct {
	ID            string        `json:"id"`
	PrincipalType PrincipalType `json:"principal_type"`
	PrincipalID   string        `json:"principal_id"`
	Role          string        `json:"role"`
}

// User is a stored user: attributes (principal:<attr>), groups and attached
// policies. A user need not be stored to be checked.
type User struct {
	ID string `json:"id"`
	// Attributes are strings, numbers, booleans or lists of them.
	Attributes map[string]any `json:"attributes,omitempty"`
	Groups     []string       `json:"groups"`
	Policies   []string       `json:"policies"`

	attrs map[string]engine.Values
	// groups is Groups sorted, and groupSet indexes it when it is long.
	groups   []string
	groupSet map[string]struct{}
}

// Group is a stored group, to attach policies to its members.
type Group struct {
	ID          string   `json:"id"`
	Description string   `json:"description,omitempty"`
	Policies    []string `json:"policies"`
}

// App is a stored app (a service principal).
type App struct {
	ID          string         `json:"id"`
	Description string         `json:"description,omitempty"`
	Attributes  map[string]any `json:"attributes,omitempty"`
	Policies    []string       `json:"policies"`

	attrs map[string]engine.Values
}

// ClaimOp is a claim rule's test.
type ClaimOp string

// Claim rule operators. Comparisons are case-sensitive; a number or boolean
// claim compares as its JSON text.
const (
	// ClaimContains: the claim is a list holding Value, or a string equal
	// to it.
	ClaimContains ClaimOp = "contains"
	// ClaimEquals: the claim has exactly one value, equal to Value.
	ClaimEquals ClaimOp = "equals"
	// ClaimPresent: the token has the claim (Value must be empty).
	ClaimPresent ClaimOp = "present"
)

// ClaimRule gives Role to subjects whose token claims pass the test.
type ClaimRule struct {
	ID          string  `json:"id"`
	Description string  `json:"description,omitempty"`
	Claim       string  `json:"claim"`
	Op          ClaimOp `json:"op"`
	Value       string  `json:"value,omitempty"`
	Role        string  `json:"role"`
	// Issuer, when set, limits the rule to tokens of that trusted
	// issuer (by its name).
	Issuer string `json:"issuer,omitempty"`
}

// ResourcePolicy is a resource policy attached to a resource pattern.
type ResourcePolicy struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	// Resource is the pattern ("orders:acme/*") the policy is attached to.
	Resource string          `json:"resource"`
	Document json.RawMessage `json:"document"`

	doc *policy.Document
}

// Boundary is a permissions boundary set on a user or app. Several
// boundaries on one principal are one boundary made of their union.
type Boundary struct {
	ID            string          `json:"id"`
	Description   string          `json:"description,omitempty"`
	PrincipalType PrincipalType   `json:"principal_type"`
	PrincipalID   string          `json:"principal_id"`
	Document      json.RawMessage `json:"document"`

	doc *policy.Document
}

// Kind implements Object.
func (*Policy) Kind() string { return KindPolicy }

// Kind implements Object.
func (*Role) Kind() string { return KindRole }

// Kind implements Object.
func (*RoleMapping) Kind() string { return KindRoleMapping }

// Kind implements Object.
func (*User) Kind() string { return KindUser }

// Kind implements Object.
func (*Group) Kind() string { return KindGroup }

// Kind implements Object.
func (*App) Kind() string { return KindApp }

// Kind implements Object.
func (*ClaimRule) Kind() string { return KindClaimRule }

// Kind implements Object.
func (*ResourcePolicy) Kind() string { return KindResourcePolicy }

// Kind implements Object.
func (*Boundary) Kind() string { return KindBoundary }

// ObjectID implements Object.
func (p *Policy) ObjectID() string { return p.ID }

// ObjectID implements Object.
func (r *Role) ObjectID() string { return r.Name }

// ObjectID implements Object.
func (m *RoleMapping) ObjectID() string { return m.ID }

// ObjectID implements Object.
func (u *User) ObjectID() string { return u.ID }

// ObjectID implements Object.
func (g *Group) ObjectID() string { return g.ID }

// ObjectID implements Object.
func (a *App) ObjectID() string { return a.ID }

// ObjectID implements Object.
func (c *ClaimRule) ObjectID() string { return c.ID }

// ObjectID implements Object.
func (p *ResourcePolicy) ObjectID() string { return p.ID }

// ObjectID implements Object.
func (b *Boundary) ObjectID() string { return b.ID }

// Parsed returns the parsed policy document (nil if the object was not
// made by Decode).
func (p *Policy) Parsed() *policy.Document { return p.doc }

// Parsed returns the parsed policy document.
func (p *ResourcePolicy) Parsed() *policy.Document { return p.doc }

// Parsed returns the parsed policy document.
func (b *Boundary) Parsed() *policy.Document { return b.doc }

// Trust returns the parsed trust policy, or nil when the role has none.
func (r *Role) Trust() *policy.Document { return r.trust }

// Values returns the user's attributes as condition values.
func (u *User) Values() map[string]engine.Values { return u.attrs }

// Values returns the app's attributes as condition values.
func (a *App) Values() map[string]engine.Values { return a.attrs }
