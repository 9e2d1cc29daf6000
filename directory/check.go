package directory

import (
	"time"

	"gatehouse.dev/gatehouse/engine"
)

// CheckInput is one check as the server received it.
type CheckInput struct {
	Subject  Subject
	Action   string
	Resource engine.Resource
	// Context holds the other condition keys, as given (no reserved
	// prefix: see CheckInput.Validate).
	Context map[string]engine.Values
	// Fields, when set, are decided too.
	Fields []string
	// Now is the request time (request:time, RFC 3339); the zero time
	// leaves the key unset.
	Now time.Time
	// IP is the end user's address (request:ip); "" leaves it unset.
	IP string
}

// Validate reports what the server must refuse (400) in a check: a context
// key with a reserved prefix (principal:, jwt:, resource:) and a subject
// attribute that the structured keys would hide (id, type, roles, groups).
func (in *CheckInput) Validate() error {
	return nil
}

// CheckResult is a decision and everything the decision log needs.
type CheckResult struct {
	Decision engine.Decision
	// Fields are the field decisions, when fields were asked for.
	Fields []engine.FieldDecision
	// Resolution is the subject's roles with their provenance.
	Resolution *Resolution
	// Request is the exact request the engine decided.
	Request *engine.Request
	// Revision is the store revision of the directory that decided.
	Revision int64
}

// ExplainResult is a decision with its explanation.
type ExplainResult struct {
	// Explanation is the engine's: statements, trace, hints.
	Explanation *engine.Explanation
	// Resolution is every role with its provenance.
	Resolution *Resolution
	// Warnings are the directory warnings about this decision, such as a
	// LoopBack trap that decided it.
	Warnings []Warning
	Request  *engine.Request
	Revision int64
}

// Check decides in against the directory.
func (d *Directory) Check(in *CheckInput) *CheckResult {
	return &CheckResult{Resolution: &Resolution{}, Request: &engine.Request{}}
}

// Explain decides in like Check and explains the decision.
func (d *Directory) Explain(in *CheckInput) *ExplainResult {
	return &ExplainResult{Resolution: &Resolution{}, Request: &engine.Request{}}
}
