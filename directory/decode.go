package directory

import (
	"gatehouse.dev/gatehouse/policy"
)

// Decode reads one object of a kind from its JSON body, strictly (unknown
// fields, duplicate keys and wrong types are errors), and validates it: its
// id (given by the URL; a body "id", or "name" for a role, must agree), its
// fields, and its policy documents with policy.Load for the right kind.
//
// Findings are positioned in body (line, column, JSON pointer such as
// "/document/Statement/0/Effect"). On success they are the warnings; on
// failure err is an *Error (ErrMalformed or ErrInvalid) holding the errors.
// It never panics.
func Decode(kind, id string, body []byte) (Object, policy.Findings, error) {
	return nil, nil, &Error{Code: CodeInvalid, Kind: kind, ID: id, Message: "directory: Decode not implemented yet", class: ErrInvalid}
}
