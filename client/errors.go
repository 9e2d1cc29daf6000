package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Error is an error answer of the server: an RFC 9457 problem
// (application/problem+json). Code is stable and meant for branching:
//
//	bad_request, malformed_json, unknown_field, duplicate_key,
//	body_too_large, unsupported_media_type, unauthenticated (401),
//	forbidden (403), not_found, method_not_allowed, already_exists,
//	conflict, revision_not_ready (409), revision_pruned (410),
//	malformed (400), invalid (422), role_cycle, missing_reference (422),
//	in_use (409), timeout, unavailable (503), internal (500)
//
// and, for a subject token that does not verify (422, API.md §1):
//
//	token_expired, token_not_yet_valid, bad_signature,
//	algorithm_not_allowed, unknown_issuer, wrong_audience, unknown_key,
//	token_revoked, token_too_large, malformed_token
//
// The OAuth endpoints answer *OAuthError instead (RFC 6749 §5.2).
//
// An answer that is not a problem (a proxy's error page) becomes an Error
// with Status and, as Detail, the start of the body.
type Error struct {
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Type is the problem type URI, https://gatehouse.dev/problems/<code>.
	Type string `json:"type"`
	// Code is the stable, machine-readable code (the last segment of
	// Type).
	Code string `json:"code"`
	// Title is a short summary of the kind of problem.
	Title string `json:"title"`
	// Detail says what went wrong with this request, for a person.
	Detail string `json:"detail"`
	// Findings are positioned validation findings (a policy or object
	// body with errors).
	Findings []Finding `json:"findings,omitempty"`
	// Refs name the objects involved ("role/editor"): the edges of a role
	// cycle, the referrers of an object still in use.
	Refs []string `json:"refs,omitempty"`
	// RequestID names the request in the server's log.
	RequestID string `json:"request_id,omitempty"`

	// method and path of the request, for Error().
	method, path string
}

// Error implements error: "gatehouse: PUT /v1/...: 422 invalid: detail".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("gatehouse: ")
	if e.method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.method, e.path)
	}
	fmt.Fprintf(&b, "%d", e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	switch {
	case e.Detail != "":
		b.WriteString(": " + e.Detail)
	case e.Title != "":
		b.WriteString(": " + e.Title)
	}
	for i, f := range e.Findings {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more findings", len(e.Findings)-i)
			break
		}
		b.WriteString("; " + f.String())
	}
	return b.String()
}

// Finding is a positioned finding about a body the server read: an error
// (in an Error's Findings) or a warning (in a write's Warnings). Warnings
// about what a write does, such as the LoopBack trap
// ("directory.deny_overrides_role"), carry Refs instead of a position.
type Finding struct {
	// Severity is "error" or "warning"; empty on a write's warnings.
	Severity string `json:"severity,omitempty"`
	// Code is stable, e.g. "policy.unknown_operator".
	Code string `json:"code"`
	// File names the document, when the server gave it a name.
	File string `json:"file,omitempty"`
	// Line and Col are 1-based positions in the body sent.
	Line int `json:"line,omitempty"`
	Col  int `json:"col,omitempty"`
	// Pointer is the JSON pointer of the element ("/document/Statement/0").
	Pointer string `json:"pointer,omitempty"`
	// Message says what is wrong and what to do about it.
	Message string `json:"message"`
	// Refs name the objects a directory warning is about.
	Refs []string `json:"refs,omitempty"`
}

// String formats f as "line:col: message [code] (at pointer)".
func (f Finding) String() string {
	var b strings.Builder
	if f.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", f.Line, f.Col)
	}
	b.WriteString(f.Message)
	if f.Code != "" {
		fmt.Fprintf(&b, " [%s]", f.Code)
	}
	if f.Pointer != "" {
		fmt.Fprintf(&b, " (at %s)", f.Pointer)
	}
	return b.String()
}

// ErrorCode returns the problem code of err when it is (or wraps) an
// *Error, and "" otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsNotFound reports whether err is a 404 answer (an unknown store,
// object, key or decision).
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// errorFrom reads an error answer.
func errorFrom(method, path string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	return problemFrom(method, path, resp, b)
}

// problemFrom makes the *Error of an error answer whose body is b.
func problemFrom(method, path string, resp *http.Response, b []byte) *Error {
	e := &Error{method: method, path: path}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if (mt == "application/problem+json" || mt == "application/json") && json.Unmarshal(b, e) == nil && (e.Code != "" || e.Title != "") {
		e.method, e.path = method, path
		if e.Status == 0 {
			e.Status = resp.StatusCode
		}
		return e
	}
	*e = Error{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode), method: method, path: path}
	text := strings.TrimSpace(string(b))
	if len(text) > 512 {
		text = text[:512] + "…"
	}
	e.Detail = text
	return e
}
