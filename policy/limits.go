package policy

// Limits on untrusted policy input. Exceeding one is a clear error
// (code policy.too_large, policy.too_many_statements, policy.too_deep),
// never a crash or a hang.
const (
	// MaxDocumentBytes is the largest policy document accepted. AWS's
	// largest (a managed policy) is 6,144 characters; we allow far more
	// for generated policies but keep parsing bounded.
	MaxDocumentBytes = 1 << 20

	// MaxStatements is the most statements one document may hold.
	MaxStatements = 10_000

	// MaxNestingDepth bounds how deeply JSON/YAML values may nest. A valid
	// policy needs 5 levels (document, Statement list, statement,
	// Condition, operator block) plus one for a value list.
	MaxNestingDepth = 32

	// MaxElementsPerList bounds any one array (actions, resources,
	// condition values).
	MaxElementsPerList = 10_000
)
