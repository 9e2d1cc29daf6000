package engine

import "gatehouse.dev/gatehouse/policy"

// Reason says why a decision came out as it did.
type Reason uint8

// Reasons.
const (
	// ImplicitDeny: nothing allowed the request (deny by default).
	ImplicitDeny Reason = iota
	// ExplicitDeny: a Deny statement matched.
	ExplicitDeny
	// Allowed: an Allow matched and every boundary and session policy
	// allowed it too, and no Deny matched.
	Allowed
)

// String returns "implicit_deny", "explicit_deny" or "allowed".
func (r Reason) String() string {
	switch r {
	case ExplicitDeny:
		return "explicit_deny"
	case Allowed:
		return "allowed"
	}
	return "implicit_deny"
}

// MarshalText implements encoding.TextMarshaler.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Decision is the engine's answer.
type Decision struct {
	Reason Reason
	// By is the statement that decided: the first matching Deny for an
	// explicit deny, the first matching Allow for an allow, nil for an
	// implicit deny. It points into the compiled engine; do not modify it.
	By *StatementRef
}

// Allowed reports whether the request is allowed.
func (d Decision) Allowed() bool { return d.Reason == Allowed }

// String returns "allow" or "deny".
func (d Decision) String() string {
	if d.Allowed() {
		return "allow"
	}
	return "deny"
}

// StatementRef names one statement of one compiled policy.
type StatementRef struct {
	// Policy is the policy's name as given to Compile (a file name or a
	// stored policy id).
	Policy string        `json:"file"`
	Kind   policy.Kind   `json:"kind"`
	Index  int           `json:"index"`
	Sid    string        `json:"sid,omitempty"`
	Effect policy.Effect `json:"effect"`
	// Attached is whom the policy is attached to ("role:admin",
	// "user:1", "group:eng", "app:billing"), or "" when it applies to
	// every request.
	Attached string `json:"attached,omitempty"`
}

// FieldDecision is the decision for one field of a resource.
type FieldDecision struct {
	Field    string
	Decision Decision
}
