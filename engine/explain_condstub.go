package engine

// TEMPORARY: the shape explain expects from condition.go (branch `cond`),
// so that explain compiles before the condition evaluator lands. Delete
// this file together with condition_stub.go when merging condition.go.

// CondTrace is the account of one condition of a statement.
type CondTrace struct {
	Operator      string   `json:"operator"`
	Key           string   `json:"key"`
	KeyPresent    bool     `json:"key_present"`
	RequestValues []string `json:"request_values"`
	PolicyValues  []string `json:"policy_values"`
	Matched       bool     `json:"matched"`
	Note          string   `json:"note,omitempty"`
}

func (c *condition) explain(r *Request) CondTrace {
	return CondTrace{Matched: c.eval(r), Note: "conditions are not implemented yet"}
}
