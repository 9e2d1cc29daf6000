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
