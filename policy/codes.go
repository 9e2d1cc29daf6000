package policy

// Finding codes reported by Parse. They are stable: tools and the HTTP API
// may branch on them.
const (
	// CodeSyntax is a JSON or YAML syntax error, or input that is not
	// valid UTF-8.
	CodeSyntax = "policy.syntax"
	// CodeDuplicateKey is a key given twice in one object.
	CodeDuplicateKey = "policy.duplicate_key"
	// CodeTooLarge is a document over MaxDocumentBytes, or YAML aliases
	// that expand too far.
	CodeTooLarge = "policy.too_large"
	// CodeTooManyStatements is a document with more than MaxStatements
	// statements.
	CodeTooManyStatements = "policy.too_many_statements"
	// CodeTooDeep is a value nested more than MaxNestingDepth levels.
	CodeTooDeep = "policy.too_deep"
	// CodeTooManyElements is a list or object with more than
	// MaxElementsPerList entries.
	CodeTooManyElements = "policy.too_many_elements"
	// CodeWrongType is an element of the wrong JSON type, such as a
	// number where IAM expects a string, or a non-string YAML key.
	CodeWrongType = "policy.wrong_type"
	// CodeUnknownElement is a key that is not part of the IAM grammar at
	// its place.
	CodeUnknownElement = "policy.unknown_element"
	// CodeMissingElement is a required element left out (Statement, or a
	// statement's Effect).
	CodeMissingElement = "policy.missing_element"
	// CodeBadEffect is an Effect other than exactly "Allow" or "Deny".
	CodeBadEffect = "policy.bad_effect"
	// CodeBadPrincipal is a Principal or NotPrincipal string other than "*".
	CodeBadPrincipal = "policy.bad_principal"
	// CodeUnknownOperator is a condition operator IAM does not define.
	CodeUnknownOperator = "policy.unknown_operator"
	// CodeEmptyValue is an empty string where IAM requires text (an
	// action, a resource, a principal id, a condition key).
	CodeEmptyValue = "policy.empty_value"
	// CodeTooManyFindings marks where Parse stopped reporting, after a
	// thousand findings in one document.
	CodeTooManyFindings = "policy.too_many_findings"
)
