package client

// Permissions is what one principal may do, read off the policies rather
// than decided for one request (the "what may I do" part of Whoami): every
// Allow that applies to it with its patterns after policy variable
// substitution, its conditions sorted into those that hold, fail or are
// left open, and the Denies, permissions boundary and session policy that
// cut into it.
type Permissions struct {
	// Principal describes who: "user alice (roles: member; groups: eng)".
	Principal string `json:"principal"`
	// Allows are the Allow statements that apply to the principal, in
	// input order, including those that grant it nothing (Grants false).
	Allows []PermissionGrant `json:"allows"`
	// Boundary and Session are the permissions boundary and the session
	// policy that apply to the principal, nil when none does.
	Boundary *PermissionLimit `json:"boundary,omitempty"`
	Session  *PermissionLimit `json:"session,omitempty"`
	// Problems is what the server could not account for (empty unless
	// something is wrong on its side).
	Problems []string `json:"problems,omitempty"`
}

// PermissionGrant is one Allow that applies to the principal, with what
// limits it.
type PermissionGrant struct {
	StatementSummary
	// Grants is false when the Allow can give the principal nothing (a
	// condition fails for it, every Resource pattern holds a variable it
	// has no value for, or a boundary or session policy leaves it
	// nothing); Why then says why.
	Grants bool   `json:"grants"`
	Why    string `json:"why,omitempty"`
	// Denies are the Deny statements that apply to the principal and
	// overlap this Allow: an explicit deny wins wherever one matches.
	Denies []StatementSummary `json:"denies"`
	// Boundary and Session, when set, say which Allows of the permissions
	// boundary or session policy the Allow must also match.
	Boundary *GrantLimit `json:"boundary,omitempty"`
	Session  *GrantLimit `json:"session,omitempty"`
}

// GrantLimit is how a permissions boundary or a session policy limits one
// Allow.
type GrantLimit struct {
	// Bypassed: a resource policy naming the principal by its exact id is
	// not limited (as in AWS).
	Bypassed bool `json:"bypassed,omitempty"`
	// Allows are the limit's Allows overlapping the Allow: it counts only
	// within their union. Empty (and not bypassed): nothing is left.
	Allows []StatementSummary `json:"allows"`
}

// PermissionLimit is a permissions boundary or the session policy as it
// applies to the principal.
type PermissionLimit struct {
	// Statements is how many of its statements apply.
	Statements int                `json:"statements"`
	Allows     []StatementSummary `json:"allows"`
}

// Statement applicabilities (StatementSummary.Status).
const (
	// StatementApplies: every condition holds, or there is none.
	StatementApplies = "applies"
	// StatementConditional: no condition fails but some are open (their
	// values come with each request).
	StatementConditional = "conditional"
	// StatementNever: a condition fails for the principal, or every
	// Resource pattern holds a variable it has no value for.
	StatementNever = "never"
)

// StatementSummary is one statement as it reads for the principal.
type StatementSummary struct {
	Statement
	// Line and Column locate the statement in its policy, when known.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// Scope is the resource pattern a resource policy is attached to.
	Scope string `json:"scope,omitempty"`
	// Actions and Resources are its Action/NotAction and
	// Resource/NotResource, after substitution.
	Actions   ElementSummary `json:"actions"`
	Resources ElementSummary `json:"resources"`
	// Principal is how a resource or trust policy statement's Principal
	// matched the principal.
	Principal *PrincipalMatch `json:"principal,omitempty"`
	// Conditions are every condition, in source order.
	Conditions []ConditionSummary `json:"conditions"`
	// Status is StatementApplies, StatementConditional or StatementNever.
	Status string `json:"status"`
}

// ElementSummary is an Action, NotAction, Resource or NotResource element.
type ElementSummary struct {
	// Element is "Action", "NotAction", "Resource" or "NotResource"; ""
	// for a resource policy statement without Resource (it applies to the
	// resource the policy is attached to).
	Element  string           `json:"element"`
	Patterns []PatternSummary `json:"patterns"`
}

// PatternSummary is one pattern after substitution of the variables the
// principal fixes.
type PatternSummary struct {
	// Pattern is the pattern with the principal's values in it
	// ("orders:acme/*"); open variables stay as written.
	Pattern string `json:"pattern"`
	// Written is the pattern as written, when it holds variables
	// ("orders:${jwt:custom:companyId}/*").
	Written string `json:"written,omitempty"`
	// NoValue are variables the principal has no single value for: the
	// pattern then matches nothing, as in IAM.
	NoValue []string `json:"no_value,omitempty"`
	// Open are variables whose values come with each request.
	Open []string `json:"open,omitempty"`
}

// Condition outcomes (ConditionSummary.Outcome).
const (
	ConditionHolds = "holds"
	ConditionFails = "fails"
	ConditionOpen  = "open"
)

// ConditionSummary is one condition of a statement, sorted by what the
// principal alone decides.
type ConditionSummary struct {
	Operator string `json:"operator"`
	Key      string `json:"key"`
	// Values are the policy's values with the principal's variables
	// substituted.
	Values []string `json:"values"`
	// Outcome is ConditionHolds, ConditionFails or ConditionOpen.
	Outcome string `json:"outcome"`
	// Open are the keys of an open condition whose values come with each
	// request.
	Open []string `json:"open,omitempty"`
	// KeyPresent and PrincipalValues are the key's values as the principal
	// has them, for a condition that holds or fails.
	KeyPresent      bool     `json:"key_present,omitempty"`
	PrincipalValues []string `json:"principal_values,omitempty"`
	Note            string   `json:"note,omitempty"`
}

// PrincipalMatch is how a Principal or NotPrincipal element matched.
type PrincipalMatch struct {
	// Element is "Principal" or "NotPrincipal".
	Element string `json:"element"`
	Matched bool   `json:"matched"`
	// Direct: the principal is named by its exact id.
	Direct bool `json:"direct"`
	// Patterns are the entries as "Type:id" ("User:alice"), or "*".
	Patterns []string `json:"patterns"`
	// Value describes the principal.
	Value string `json:"value"`
}
