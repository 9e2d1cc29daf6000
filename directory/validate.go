package directory

import (
	"gatehouse.dev/gatehouse/policy"
	"gatehouse.dev/gatehouse/store"
)

// Validation is what a set of writes would do, when it is acceptable.
type Validation struct {
	// Objects are the decoded objects of the puts, in the order of the
	// changes (nil for a delete).
	Objects []Object
	// Findings are the warnings found in the written bodies; with several
	// changes, File is "<kind>/<id>".
	Findings policy.Findings
	// Warnings are the directory warnings the writes cause, such as the
	// LoopBack trap (CodeDenyOverridesRole).
	Warnings []Warning
}

// Validate checks a set of writes (puts when Body is non-nil, deletes
// otherwise) against d before the server commits them. d may be nil (an
// empty store). It decodes every put (as Decode) and refuses, with an
// *Error: an object that does not decode; a role cycle through includes or
// ROLE mappings (CodeRoleCycle, naming the cycle "editor → staff →
// editor"); a reference to a policy or role that would not exist
// (CodeMissingReference); a delete of an object still referenced
// (CodeInUse, listing the referrers) or absent (CodeNotFound). On success
// it returns the decoded objects and the warnings.
func (d *Directory) Validate(changes ...store.Change) (*Validation, error) {
	return nil, &Error{Code: CodeInvalid, Message: "directory: Validate not implemented yet", class: ErrInvalid}
}
