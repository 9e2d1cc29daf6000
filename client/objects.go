package client

import (
	"encoding/json"
	"time"
)

// Stored is what the server adds to an object it returns: the revision
// that last wrote it, and when. Put methods never send it.
type Stored struct {
	Revision  int64     `json:"revision,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Policy is an identity policy, attached by id to roles, users, groups and
// apps.
type Policy struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	// Document is the policy document, JSON in the AWS IAM grammar.
	Document json.RawMessage `json:"document"`
	Stored
}

// Role is a named bundle of permissions. The dynamic roles $everyone,
// $authenticated, $unauthenticated and $owner may be stored to attach
// policies to them.
type Role struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Policies are ids of identity policies attached to the role.
	Policies []string `json:"policies"`
	// Includes are roles every holder of this role also holds. A cycle,
	// through includes or ROLE mappings, is refused (code role_cycle).
	Includes []string `json:"includes"`
	// TrustPolicy, when set, says who may assume the role.
	TrustPolicy json.RawMessage `json:"trust_policy,omitempty"`
	// MaxSessionSeconds bounds sessions of the assumed role (0: the
	// server's default).
	MaxSessionSeconds int64 `json:"max_session_seconds,omitempty"`
	Stored
}

// Principal types of role mappings and boundaries (LoopBack's spelling).
const (
	PrincipalUser  = "USER"
	PrincipalGroup = "GROUP"
	PrincipalApp   = "APP"
	PrincipalRole  = "ROLE"
)

// RoleMapping gives Role to a user, group or app, or to the holders of
// another role (PrincipalType ROLE), as LoopBack's RoleMapping does. The
// server chooses its ID.
type RoleMapping struct {
	ID            string `json:"id,omitempty"`
	PrincipalType string `json:"principal_type"`
	PrincipalID   string `json:"principal_id"`
	Role          string `json:"role"`
	Stored
}

// RoleMappingFilter selects role mappings in a list; empty fields match
// everything.
type RoleMappingFilter struct {
	PrincipalType string
	PrincipalID   string
	Role          string
}

// Claim rule operators.
const (
	// ClaimContains: the claim is a list holding Value, or a string equal
	// to it.
	ClaimContains = "contains"
	// ClaimEquals: the claim has exactly one value, equal to Value.
	ClaimEquals = "equals"
	// ClaimPresent: the token has the claim.
	ClaimPresent = "present"
)

// ClaimRule gives Role to subjects whose token claims pass a test
// (case-sensitive).
type ClaimRule struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	Claim       string `json:"claim"`
	Op          string `json:"op"`
	Value       string `json:"value,omitempty"`
	Role        string `json:"role"`
	// Issuer, when set, limits the rule to tokens of that trusted issuer.
	Issuer string `json:"issuer,omitempty"`
	Stored
}

// User is a stored user. A user need not be stored to be checked; storing
// one gives it attributes (principal:<attr>), groups and policies.
type User struct {
	ID string `json:"id"`
	// Attributes are strings, numbers, booleans or lists of them.
	Attributes map[string]any `json:"attributes,omitempty"`
	Groups     []string       `json:"groups"`
	Policies   []string       `json:"policies"`
	Stored
}

// Group is a stored group, to attach policies to its members.
type Group struct {
	ID          string   `json:"id"`
	Description string   `json:"description,omitempty"`
	Policies    []string `json:"policies"`
	Stored
}

// App is a stored app (a service principal).
type App struct {
	ID          string         `json:"id"`
	Description string         `json:"description,omitempty"`
	Attributes  map[string]any `json:"attributes,omitempty"`
	Policies    []string       `json:"policies"`
	Stored
}

// ResourcePolicy is a resource policy attached to a resource pattern.
type ResourcePolicy struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	// Resource is the pattern the policy is attached to ("orders:acme/*").
	Resource string          `json:"resource"`
	Document json.RawMessage `json:"document"`
	Stored
}

// Boundary is a permissions boundary on a user or app (PrincipalType
// USER or APP).
type Boundary struct {
	ID            string          `json:"id"`
	Description   string          `json:"description,omitempty"`
	PrincipalType string          `json:"principal_type"`
	PrincipalID   string          `json:"principal_id"`
	Document      json.RawMessage `json:"document"`
	Stored
}

// The bodies Put methods send: an object's writable fields, without the
// id (the URL names it), without Stored, and without policy documents,
// which withDocuments adds as written.

type policyBody struct {
	Description string `json:"description,omitempty"`
}

type roleBody struct {
	Description       string   `json:"description,omitempty"`
	Policies          []string `json:"policies,omitempty"`
	Includes          []string `json:"includes,omitempty"`
	MaxSessionSeconds int64    `json:"max_session_seconds,omitempty"`
}

type mappingBody struct {
	PrincipalType string `json:"principal_type"`
	PrincipalID   string `json:"principal_id"`
	Role          string `json:"role"`
}

type claimRuleBody struct {
	Description string `json:"description,omitempty"`
	Claim       string `json:"claim"`
	Op          string `json:"op"`
	Value       string `json:"value,omitempty"`
	Role        string `json:"role"`
	Issuer      string `json:"issuer,omitempty"`
}

type userBody struct {
	Attributes map[string]any `json:"attributes,omitempty"`
	Groups     []string       `json:"groups,omitempty"`
	Policies   []string       `json:"policies,omitempty"`
}

type groupBody struct {
	Description string   `json:"description,omitempty"`
	Policies    []string `json:"policies,omitempty"`
}

type appBody struct {
	Description string         `json:"description,omitempty"`
	Attributes  map[string]any `json:"attributes,omitempty"`
	Policies    []string       `json:"policies,omitempty"`
}

type resourcePolicyBody struct {
	Description string `json:"description,omitempty"`
	Resource    string `json:"resource"`
}

type boundaryBody struct {
	Description   string `json:"description,omitempty"`
	PrincipalType string `json:"principal_type"`
	PrincipalID   string `json:"principal_id"`
}

// WriteResult answers a write.
type WriteResult struct {
	// ID is the id the server chose (role mappings).
	ID string `json:"id,omitempty"`
	// Revision is the store's revision after the write. A check with
	// AtLeastRevision set to it sees the write on any server.
	Revision int64 `json:"revision"`
	// Warnings are findings that did not stop the write: policy lint
	// warnings (positioned) and directory warnings such as the LoopBack
	// trap (code directory.deny_overrides_role, with Refs).
	Warnings []Finding `json:"warnings,omitempty"`
	// Created is whether a PUT created the object (201) rather than
	// replaced it (200); true for a created role mapping.
	Created bool `json:"-"`
}
