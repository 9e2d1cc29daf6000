package engine

// RequestVariables returns every condition key and policy variable r makes
// available, with its values, sorted by key: what explain lists, for an
// identity inspector (whoami) that shows what ${jwt:sub} and the other
// variables will be before any policy uses them.
func RequestVariables(r *Request) []Variable {
	vs := requestVariables(r)
	if vs == nil {
		vs = []Variable{}
	}
	return vs
}
