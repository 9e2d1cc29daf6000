package engine

import "gatehouse.dev/gatehouse/policy"

// Policy is one document given to Compile, with its name and kind.
type Policy struct {
	// Name identifies the policy in decisions and traces (a file name or a
	// stored policy id).
	Name string
	Kind policy.Kind
	Doc  *policy.Document
}

// Engine is a compiled, immutable policy set. It is safe for concurrent use.
type Engine struct {
	// filled in by compile.go
}

// Compile builds an engine from a policy set. It fails only on documents
// that Validate would reject; it never panics on any parsed document.
func Compile(policies []Policy) (*Engine, error) {
	panic("engine.Compile: not implemented yet")
}

// Decide decides r. It allocates nothing in the common case.
func (e *Engine) Decide(r *Request) Decision {
	panic("engine.Decide: not implemented yet")
}

// DecideFields decides the object and each field ("<name>#<field>") of r's
// resource with r's action, appending the field decisions to out.
func (e *Engine) DecideFields(r *Request, fields []string, out []FieldDecision) (Decision, []FieldDecision) {
	panic("engine.DecideFields: not implemented yet")
}
