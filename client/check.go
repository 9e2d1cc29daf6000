package client

import (
	"context"
	"encoding/json"
	"net/http"
)

// Decisions and reasons.
const (
	Allow = "allow"
	Deny  = "deny"

	ReasonAllowed      = "allowed"
	ReasonExplicitDeny = "explicit_deny"
	ReasonImplicitDeny = "implicit_deny"
)

// CheckRequest asks whether a subject may do Action on Resource. The
// subject is Principal or Token, exactly one of them (both, or neither, is
// a 400).
type CheckRequest struct {
	// Principal is the subject as the caller asserts it.
	Principal *Principal `json:"principal,omitempty"`
	// Token is a subject token (a JWT) for gatehouse to verify.
	Token string `json:"token,omitempty"`
	// Action is "service:Action", e.g. "orders:Read".
	Action   string   `json:"action"`
	Resource Resource `json:"resource"`
	// Context holds other condition keys ("aws:SourceIp",
	// "dynamodb:LeadingKeys"): strings, numbers, booleans or lists of
	// them. The prefixes principal:, jwt: and resource: are gatehouse's.
	Context map[string]any `json:"context,omitempty"`
	// Request carries the end user's address (request:ip).
	Request *RequestInfo `json:"request,omitempty"`
	// Fields, when set, are decided too, each as the same action on
	// "<resource name>#<field>".
	Fields []string `json:"fields,omitempty"`
	// AtLeastRevision makes the server wait (up to 2 s) until it serves
	// this revision of the store (409 revision_not_ready otherwise).
	AtLeastRevision int64 `json:"at_least_revision,omitempty"`
}

// Principal is a caller-asserted subject.
type Principal struct {
	// Type is "user", "app", or "anonymous" (no ID; holds
	// $unauthenticated).
	Type string `json:"type"`
	ID   string `json:"id,omitempty"`
	// Attributes (principal:<attr>) are used as sent; the stored user's or
	// app's fill the keys not sent.
	Attributes map[string]any `json:"attributes,omitempty"`
	// Roles are asserted roles; they need gatehouse:AssertRoles.
	Roles []string `json:"roles,omitempty"`
}

// Resource is what the action is on.
type Resource struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	// Attributes are resource:<attr>; "owner" gives $owner to the subject
	// it names.
	Attributes map[string]any `json:"attributes,omitempty"`
}

// RequestInfo is what the caller knows of the end user's request.
type RequestInfo struct {
	// IP is the end user's address, request:ip.
	IP string `json:"ip,omitempty"`
}

// CheckResult is a decision.
type CheckResult struct {
	// Decision is Allow or Deny.
	Decision string `json:"decision"`
	// Reason is ReasonAllowed, ReasonExplicitDeny or ReasonImplicitDeny.
	Reason string `json:"reason"`
	// Revision is the store revision that decided.
	Revision int64 `json:"revision"`
	// DecisionID names the decision in the decision log.
	DecisionID string `json:"decision_id"`
	// Fields are the field decisions ("allow" or "deny"), when asked.
	Fields map[string]string `json:"fields,omitempty"`
}

// Allowed reports whether the decision is allow.
func (r *CheckResult) Allowed() bool { return r != nil && r.Decision == Allow }

// Check decides one request (POST /v1/stores/{store}/check).
func (s *Store) Check(ctx context.Context, req CheckRequest) (*CheckResult, error) {
	var out CheckResult
	if _, err := s.c.do(ctx, http.MethodPost, s.path("check"), req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// BatchRequest is up to 1,000 checks decided against one snapshot of the
// store.
type BatchRequest struct {
	Checks []CheckRequest `json:"checks"`
	// AtLeastRevision applies to the whole batch (as does the largest of
	// the items').
	AtLeastRevision int64 `json:"at_least_revision,omitempty"`
}

// BatchResult holds the results of a batch, in the order of its checks.
type BatchResult struct {
	Results []BatchItem `json:"results"`
	// Revision is the store revision that decided every item.
	Revision int64 `json:"revision"`
}

// BatchItem is one result of a batch: a decision, or Error when the item
// could not be decided (its Detail starts "checks[i]: ").
type BatchItem struct {
	CheckResult
	Error *Error `json:"error,omitempty"`
}

// CheckBatch decides up to 1,000 checks at once (POST
// /v1/stores/{store}/check/batch). A body that is not a batch at all is
// an *Error; an item that cannot be decided carries its own Error.
func (s *Store) CheckBatch(ctx context.Context, req BatchRequest) (*BatchResult, error) {
	if req.Checks == nil {
		req.Checks = []CheckRequest{}
	}
	var out BatchResult
	if _, err := s.c.do(ctx, http.MethodPost, s.path("check/batch"), req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Explanation is a decision with what explains it.
type Explanation struct {
	Decision   string            `json:"decision"`
	Reason     string            `json:"reason"`
	Revision   int64             `json:"revision"`
	DecisionID string            `json:"decision_id,omitempty"`
	Fields     map[string]string `json:"fields,omitempty"`
	// Statements are the deciding statements.
	Statements []Statement `json:"statements"`
	// Subject is whom the decision is about, as resolved: for a token,
	// its issuer, namespaced id and every claim (the jwt: keys).
	Subject *LoggedSubject `json:"subject,omitempty"`
	// Roles are every role the subject holds, each with why.
	Roles []HeldRole `json:"roles"`
	// Groups are the subject's groups.
	Groups []string `json:"groups"`
	// Warnings are directory warnings about this decision, such as the
	// LoopBack trap that decided it.
	Warnings []Finding `json:"warnings"`
	// Trace is the engine's account of every statement that could apply.
	Trace *Trace `json:"trace,omitempty"`
}

// Allowed reports whether the decision is allow.
func (x *Explanation) Allowed() bool { return x != nil && x.Decision == Allow }

// Role returns the held role name, or nil when the subject does not hold
// it.
func (x *Explanation) Role(name string) *HeldRole {
	if x == nil {
		return nil
	}
	for i := range x.Roles {
		if x.Roles[i].Role == name {
			return &x.Roles[i]
		}
	}
	return nil
}

// Statement names one policy statement.
type Statement struct {
	// Policy is the policy's id ("file" on the wire, as offline).
	Policy string `json:"file"`
	// Kind is "identity", "resource", "boundary", "session" or "trust".
	Kind  string `json:"kind"`
	Index int    `json:"index"`
	Sid   string `json:"sid,omitempty"`
	// Effect is "Allow" or "Deny".
	Effect string `json:"effect"`
	// Attached is whom the policy is attached to ("role:admin").
	Attached string `json:"attached,omitempty"`
}

// HeldRole is one role of the subject and why it holds it.
type HeldRole struct {
	Role string `json:"role"`
	// Via says why in words: "admin via role mapping 7: USER 1 → admin".
	Via string `json:"via"`
	// Path are the steps, from the subject to the role.
	Path []Grant `json:"path"`
}

// Grant is one step of a role's provenance.
type Grant struct {
	// Kind is the step: "mapping", "includes", "claim_rule", "dynamic"
	// or "asserted".
	Kind string `json:"kind"`
	Role string `json:"role"`
	// From is the role the step starts from (includes, ROLE mappings).
	From string `json:"from,omitempty"`
	// Mapping is the role mapping of a mapping step.
	Mapping *RoleMapping `json:"mapping,omitempty"`
	// ClaimRule is the rule of a claim rule step.
	ClaimRule *ClaimRule `json:"claim_rule,omitempty"`
	// GroupSource says where a group came from.
	GroupSource string `json:"group_source,omitempty"`
	// Text is the step in words.
	Text string `json:"text"`
}

// Trace is the engine's account of a decision. The per-statement detail
// (Statements, Limits, Fields) is kept as the server sent it.
type Trace struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	// Summary is one sentence saying what decided and why.
	Summary   string     `json:"summary"`
	Action    string     `json:"action"`
	Resource  string     `json:"resource"`
	DecidedBy *Statement `json:"decided_by,omitempty"`
	// Hints are near misses, most useful first.
	Hints []Hint `json:"hints"`
	// Variables are the condition keys the request had, with values.
	Variables  []Variable      `json:"variables"`
	Statements json.RawMessage `json:"statements,omitempty"`
	Limits     json.RawMessage `json:"limits,omitempty"`
	Fields     json.RawMessage `json:"fields,omitempty"`
	Problems   []string        `json:"problems,omitempty"`
}

// Hint is a near miss: what, changed a little, would have changed the
// outcome.
type Hint struct {
	// Code is stable: hint.arn_segment, hint.case, hint.missing_key, ...
	Code      string     `json:"code"`
	Message   string     `json:"message"`
	Statement *Statement `json:"statement,omitempty"`
}

// Variable is a condition key available to the request.
type Variable struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
	// Source is "principal", "claims", "resource" or "context".
	Source string `json:"source"`
	Note   string `json:"note,omitempty"`
}

// Explain decides a request and explains it (POST
// /v1/stores/{store}/explain). It is logged like a check.
func (s *Store) Explain(ctx context.Context, req CheckRequest) (*Explanation, error) {
	var out Explanation
	if _, err := s.c.do(ctx, http.MethodPost, s.path("explain"), req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
