package policy

// Validate checks a parsed document as a policy of the given kind and
// returns what IAM would reject (errors) and what is legal but almost
// certainly a mistake (warnings). It does not repeat Parse's findings.
func Validate(d *Document, kind Kind) Findings {
	panic("policy.Validate: not implemented yet")
}
