package engine

// Explanation is a decision with everything a person needs to see why.
type Explanation struct {
	Decision Decision `json:"-"`
	// Statements are every statement that took part in the decision: the
	// matching Denys for an explicit deny, the matching Allows otherwise.
	Statements []StatementRef `json:"statements"`
	// Fields holds the field decisions when fields were asked for.
	Fields []FieldDecision `json:"-"`
	// Trace is the readable account: statements considered, variables,
	// hints. Its JSON form is the "trace" of `gatehouse explain`.
	Trace *Trace `json:"trace"`
}

// Trace is the detailed account of a decision (filled in by explain).
type Trace struct{}

// Explain decides r like Decide and records why. fields, when non-empty,
// are decided too, as DecideFields does.
func (e *Engine) Explain(r *Request, fields []string) *Explanation {
	panic("engine.Explain: not implemented yet")
}

// Text renders the explanation for a terminal: the decision, the deciding
// statements, each considered statement with its matches, the variables
// and the near-miss hints.
func (x *Explanation) Text() string {
	panic("engine.Explanation.Text: not implemented yet")
}
