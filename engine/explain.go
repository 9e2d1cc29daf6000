package engine

import "fmt"

// Explanation is a decision with everything a person needs to see why.
type Explanation struct {
	// Decision is exactly what Decide returns for the same request.
	Decision Decision `json:"-"`
	// Statements are every statement that took part in the decision, in
	// input order: the matching Denys for an explicit deny; for an allow,
	// the matching identity and resource Allows and the boundary and
	// session Allows that let the request through; none for an implicit
	// deny.
	Statements []StatementRef `json:"statements"`
	// Fields holds the field decisions when fields were asked for, as
	// DecideFields returns them.
	Fields []FieldDecision `json:"-"`
	// Trace is the readable account: statements considered, variables,
	// hints. Its JSON form is the "trace" of `gatehouse explain`.
	Trace *Trace `json:"trace"`
}

// Trace is the detailed account of a decision. Its JSON form uses
// snake_case names and is deterministic: statements in input order,
// variables sorted by key, hints most useful first.
type Trace struct {
	// Decision is "allow" or "deny"; Reason says which kind.
	Decision string `json:"decision"`
	Reason   Reason `json:"reason"`
	// Summary is one sentence saying what decided and why.
	Summary string `json:"summary"`
	// Action and Resource are the request's, as the statements saw them.
	Action   string `json:"action"`
	Resource string `json:"resource"`
	// DecidedBy is the statement Decide reports (nil for an implicit deny).
	DecidedBy *StatementRef `json:"decided_by,omitempty"`
	// Hints are near misses: what, changed a little, would have changed
	// the outcome. Most useful first.
	Hints []Hint `json:"hints"`
	// Statements are every statement that could apply: each whose action
	// matches, and each that a hint names. In input order.
	Statements []StatementTrace `json:"statements"`
	// Limits says, for a permissions boundary and session policies that
	// are present, whether they allow the request and whether that
	// changed the result.
	Limits []LimitTrace `json:"limits,omitempty"`
	// Variables are every condition key and policy variable available to
	// the request, with its values, sorted by key.
	Variables []Variable `json:"variables"`
	// Fields are the per-field decisions when fields were asked for.
	Fields []FieldTrace `json:"fields,omitempty"`
	// Problems records anything explain could not account for (it should
	// stay empty; a non-empty list is a bug worth reporting).
	Problems []string `json:"problems,omitempty"`

	// headline is the first line of the text form; why the "Why:" line
	// when there are no hints.
	headline, why string
}

// StatementTrace is how one statement fared against the request.
type StatementTrace struct {
	StatementRef
	// Line and Column locate the statement in its source, when known.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`

	Action    ElementTrace    `json:"action"`
	Resource  ElementTrace    `json:"resource"`
	Principal *PrincipalTrace `json:"principal,omitempty"`
	// Conditions are every condition of the statement, in source order.
	Conditions []CondTrace `json:"conditions"`
	// Matched is whether the whole statement applies to the request.
	Matched bool `json:"matched"`
	// Decided is whether the statement is one of Explanation.Statements.
	Decided bool `json:"decided"`
	// Note says what a matching statement did not do, e.g. an Allow held
	// back by the permissions boundary.
	Note string `json:"note,omitempty"`
}

// ElementTrace is the Action/NotAction or Resource/NotResource of a
// statement against the request's value.
type ElementTrace struct {
	// Element is "Action", "NotAction", "Resource" or "NotResource", or ""
	// when a resource or trust policy statement has no Resource (it then
	// applies to the resource the policy is attached to).
	Element string `json:"element"`
	// Matched is whether the element applies: for NotAction and
	// NotResource, that the value matches none of the patterns.
	Matched bool `json:"matched"`
	// Patterns are the element's patterns after policy variable
	// substitution; a variable with no value stays as written.
	Patterns []string `json:"patterns"`
	// Written are the patterns as written, when substitution changed one.
	Written []string `json:"written,omitempty"`
	// Unresolved are the policy variables that have no value in this
	// request (a pattern holding one matches nothing).
	Unresolved []string `json:"unresolved,omitempty"`
	// Value is the request's action or resource name.
	Value string `json:"value"`
}

// PrincipalTrace is the Principal/NotPrincipal of a resource or trust
// policy statement against the request's principal.
type PrincipalTrace struct {
	// Element is "Principal" or "NotPrincipal".
	Element string `json:"element"`
	Matched bool   `json:"matched"`
	// Direct is whether the principal is named by its exact id (then a
	// permissions boundary and session policy do not limit the statement).
	Direct bool `json:"direct"`
	// Patterns are the entries as "Type:id" ("User:alice", "Role:admin"),
	// or "*".
	Patterns []string `json:"patterns"`
	// Value describes the request's principal.
	Value string `json:"value"`
}

// LimitTrace is a permissions boundary or the session policies.
type LimitTrace struct {
	// Kind is "boundary" or "session".
	Kind string `json:"kind"`
	// Statements is how many statements the kind has.
	Statements int `json:"statements"`
	// Allows is whether one of its Allow statements matches the request.
	Allows bool `json:"allows"`
	// Limited is whether it is why the request was not allowed: an
	// identity or resource Allow matched, but this kind did not allow.
	Limited bool `json:"limited"`
	// Bypassed is whether the request was allowed anyway, by a resource
	// policy that names the principal directly.
	Bypassed bool `json:"bypassed,omitempty"`
}

// Variable is one condition key or policy variable available to the
// request.
type Variable struct {
	// Key is the name as a policy writes it ("jwt:sub", "principal:roles").
	Key string `json:"key"`
	// Values are its values; a single-valued key has one.
	Values []string `json:"values"`
	// Source is where the value comes from: "principal", "claims",
	// "resource" or "context".
	Source string `json:"source"`
	// Note flags a value that is not used as it may seem: a context key
	// shadowed by a structured field, a key with no values.
	Note string `json:"note,omitempty"`
}

// Hint is a near miss: something that, changed a little, would have
// changed the outcome.
type Hint struct {
	// Code is stable: hint.arn_segment, hint.case, hint.trailing_slash,
	// hint.missing_key, hint.similar_action, hint.deny_overrides,
	// hint.literal_variable.
	Code    string `json:"code"`
	Message string `json:"message"`
	// Statement is the statement the hint is about.
	Statement *StatementRef `json:"statement,omitempty"`
}

// FieldTrace is the decision for one field, with its own deciding
// statement.
type FieldTrace struct {
	Field    string        `json:"field"`
	Resource string        `json:"resource"`
	Decision string        `json:"decision"`
	Reason   Reason        `json:"reason"`
	By       *StatementRef `json:"decided_by,omitempty"`
	Summary  string        `json:"summary"`
	Hints    []Hint        `json:"hints,omitempty"`
}

// Explain decides r like Decide and records why. fields, when non-empty,
// are decided too, as DecideFields does. It is meant for people, not the
// hot path: it checks every statement of the engine, not just those the
// index would visit. It never panics; a nil r is an empty request and a nil
// engine has no policies.
func (e *Engine) Explain(r *Request, fields []string) *Explanation {
	if r == nil {
		r = &Request{}
	}
	if e == nil {
		e = &Engine{}
	}
	x := &Explanation{Decision: e.Decide(r)}
	if len(fields) > 0 {
		_, x.Fields = e.DecideFields(r, fields, nil)
	}
	x.Trace = &Trace{Decision: x.Decision.String(), Reason: x.Decision.Reason, DecidedBy: x.Decision.By,
		Action: r.Action, Resource: r.Resource.Name}
	func() {
		defer func() {
			if v := recover(); v != nil {
				x.Trace.Problems = append(x.Trace.Problems,
					fmt.Sprintf("explain failed: %v", v))
			}
		}()
		ev := e.evaluate(r)
		x.Statements = ev.took()
		ev.fill(x.Trace, x.Decision)
		for _, fd := range x.Fields {
			x.Trace.Fields = append(x.Trace.Fields, e.explainField(r, fd))
		}
	}()
	if x.Statements == nil {
		x.Statements = []StatementRef{}
	}
	normalize(x.Trace)
	return x
}

// explainField explains one field decision (without its own statement
// list: the field's summary and hints say what matters).
func (e *Engine) explainField(r *Request, fd FieldDecision) FieldTrace {
	fr := *r
	fr.Resource.Name = FieldResource(r.Resource.Name, fd.Field)
	ft := FieldTrace{Field: fd.Field, Resource: fr.Resource.Name, Decision: fd.Decision.String(),
		Reason: fd.Decision.Reason, By: fd.Decision.By}
	var t Trace
	ev := e.evaluate(&fr)
	ev.fill(&t, fd.Decision)
	ft.Summary, ft.Hints = t.Summary, t.Hints
	return ft
}

// normalize makes empty lists marshal as [] rather than null.
func normalize(t *Trace) {
	if t.Hints == nil {
		t.Hints = []Hint{}
	}
	if t.Statements == nil {
		t.Statements = []StatementTrace{}
	}
	if t.Variables == nil {
		t.Variables = []Variable{}
	}
}
