package offline

import (
	"fmt"
	"strconv"

	"gatehouse.dev/gatehouse/engine"
)

// Result is the JSON output of `gatehouse eval` and `gatehouse explain`
// (API.md §4).
type Result struct {
	Decision string `json:"decision"` // "allow" or "deny"
	Reason   string `json:"reason"`   // "allowed", "explicit_deny" or "implicit_deny"
	// Statements are the statements that took part in the decision: the
	// matching Denys for an explicit deny, the matching Allows for an
	// allow, none for an implicit deny.
	Statements []Statement `json:"statements"`
	// Fields maps each field asked for to "allow" or "deny"; present only
	// when the request asked for fields.
	Fields map[string]string `json:"fields,omitempty"`
	// Trace is the explanation's trace; present only for explain.
	Trace *engine.Trace `json:"trace,omitempty"`
}

// Statement names one statement of one policy file.
type Statement struct {
	File   string `json:"file"`
	Index  int    `json:"index"`
	Sid    string `json:"sid"`
	Effect string `json:"effect"`
}

// StatementOf converts the engine's reference to a statement.
func StatementOf(r *engine.StatementRef) Statement {
	return Statement{File: r.Policy, Index: r.Index, Sid: r.Sid, Effect: r.Effect.String()}
}

// String names the statement as `file#index "Sid"` (the Sid when it has one).
func (s Statement) String() string {
	out := s.File + "#" + strconv.Itoa(s.Index)
	if s.Sid != "" {
		out += " " + strconv.Quote(s.Sid)
	}
	return out
}

// NewResult builds the result of x for a request that asked for fields;
// trace says whether to include the trace.
func NewResult(x *engine.Explanation, fields []string, trace bool) *Result {
	res := &Result{
		Decision:   x.Decision.String(),
		Reason:     x.Decision.Reason.String(),
		Statements: make([]Statement, 0, len(x.Statements)),
	}
	for i := range x.Statements {
		res.Statements = append(res.Statements, StatementOf(&x.Statements[i]))
	}
	if len(fields) > 0 {
		res.Fields = FieldMap(x.Fields)
	}
	if trace {
		res.Trace = x.Trace
	}
	return res
}

// FieldMap maps each field asked for to "allow" or "deny".
func FieldMap(decided []engine.FieldDecision) map[string]string {
	out := make(map[string]string, len(decided))
	for _, fd := range decided {
		out[fd.Field] = fd.Decision.String()
	}
	return out
}

// Describe summarizes a decision in one line: `allow (allowed) by
// policy.json#0 "AdminAll"`, or `deny (implicit_deny)`.
func Describe(d engine.Decision) string {
	s := fmt.Sprintf("%s (%s)", d, d.Reason)
	if d.By != nil {
		s += " by " + StatementOf(d.By).String()
	}
	return s
}
