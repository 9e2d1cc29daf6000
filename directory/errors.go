package directory

import (
	"errors"
	"fmt"
	"strings"

	"gatehouse.dev/gatehouse/policy"
)

// Error classes. Every error of Decode and Validate is an *Error that wraps
// one of them; the server maps them to HTTP statuses with errors.Is.
var (
	// ErrMalformed: the body is not the JSON the kind expects (syntax,
	// duplicate key, unknown field, wrong type). HTTP 400.
	ErrMalformed = errors.New("malformed object")
	// ErrInvalid: well-formed but not acceptable (bad id, bad value, a
	// policy document with errors, a role cycle, a reference to something
	// that does not exist). HTTP 422.
	ErrInvalid = errors.New("invalid object")
	// ErrInUse: a delete refused because other objects still reference
	// the object. HTTP 409.
	ErrInUse = errors.New("object in use")
	// ErrNotFound: a delete of an object that does not exist. HTTP 404.
	ErrNotFound = errors.New("object not found")
)

// Error codes: stable and machine-readable. Finding codes (in
// Error.Findings) add the policy.* codes of policy documents.
const (
	// Codes of errors.
	CodeMalformed        = "directory.malformed"         // ErrMalformed
	CodeInvalid          = "directory.invalid"           // ErrInvalid: see Findings
	CodeRoleCycle        = "directory.role_cycle"        // ErrInvalid
	CodeMissingReference = "directory.missing_reference" // ErrInvalid
	CodeInUse            = "directory.in_use"            // ErrInUse
	CodeNotFound         = "directory.not_found"         // ErrNotFound
	CodeUnknownKind      = "directory.unknown_kind"      // ErrInvalid

	// Codes of findings (each positioned in the body).
	CodeSyntax            = "directory.syntax"
	CodeDuplicateKey      = "directory.duplicate_key"
	CodeUnknownField      = "directory.unknown_field"
	CodeWrongType         = "directory.wrong_type"
	CodeMissingField      = "directory.missing_field"
	CodeBadID             = "directory.bad_id"
	CodeIDMismatch        = "directory.id_mismatch"
	CodeBadValue          = "directory.bad_value"
	CodeDynamicRole       = "directory.dynamic_role"
	CodeReservedAttribute = "directory.reserved_attribute"
	CodeDuplicate         = "directory.duplicate"

	// Codes of warnings.
	CodeDenyOverridesRole = "directory.deny_overrides_role"
	CodeDanglingReference = "directory.dangling_reference"
	CodeSkippedObject     = "directory.skipped_object"
	CodeDuplicateMapping  = "directory.duplicate_mapping"
)

// Error is why an object or a write was refused.
type Error struct {
	// Code is stable: CodeMalformed, CodeInvalid, CodeRoleCycle, ...
	Code string
	// Kind and ID name the object concerned.
	Kind, ID string
	// Message says what is wrong and what to do about it.
	Message string
	// Findings are the positioned problems in the object's body (the
	// errors first; warnings are dropped from a refused object).
	Findings policy.Findings
	// Refs lists the objects involved: the referrers of an object in use,
	// the edges of a cycle ("role/editor", "role_mapping/4").
	Refs []string

	class error
}

// Error returns the message, followed by the findings one per line.
func (e *Error) Error() string {
	if len(e.Findings) == 0 {
		return e.Message
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Findings {
		b.WriteString("\n  ")
		b.WriteString(f.String())
	}
	return b.String()
}

// Unwrap returns the error's class (ErrMalformed, ErrInvalid, ErrInUse,
// ErrNotFound).
func (e *Error) Unwrap() error { return e.class }

// objectErr builds an *Error for a refused object from its findings.
func objectErr(kind, id string, fs policy.Findings) *Error {
	errs := fs.Errors()
	class, code := ErrInvalid, CodeInvalid
	for _, f := range errs {
		switch f.Code {
		case CodeSyntax, CodeDuplicateKey, CodeUnknownField, CodeWrongType:
			class, code = ErrMalformed, CodeMalformed
		}
	}
	msg := fmt.Sprintf("%s %q is not valid", kindNoun(kind), id)
	if len(errs) > 0 {
		msg += ": " + errs[0].Message
		if len(errs) > 1 {
			msg += fmt.Sprintf(" (and %d more problem%s)", len(errs)-1, plural(len(errs)-1))
		}
	}
	return &Error{Code: code, Kind: kind, ID: id, Message: msg, Findings: errs, class: class}
}

// Warning is a problem that does not block a write or a build, but that a
// person should hear about.
type Warning struct {
	// Code is stable: CodeDenyOverridesRole, CodeDanglingReference, ...
	Code string `json:"code"`
	// Message says what happens and what to do.
	Message string `json:"message"`
	// Refs names the objects involved ("policy/deny-all",
	// "role/admin"), sorted.
	Refs []string `json:"refs,omitempty"`
}

// String formats the warning as "message [code]".
func (w Warning) String() string { return w.Message + " [" + w.Code + "]" }

// ref names an object as "kind/id".
func ref(kind, id string) string { return kind + "/" + id }

// kindNoun is how messages name a kind.
func kindNoun(kind string) string {
	switch kind {
	case KindRoleMapping:
		return "role mapping"
	case KindClaimRule:
		return "claim rule"
	case KindResourcePolicy:
		return "resource policy"
	}
	return kind
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
