package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/store"
	"gatehouse.dev/gatehouse/token"
)

// problemBase is the prefix of every problem type URI (API.md §6).
const problemBase = "https://gatehouse.dev/problems/"

// Problem is an RFC 9457 problem detail, the body of every error answer
// (Content-Type application/problem+json).
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Code is stable and machine-readable: the last segment of Type.
	Code string `json:"code"`
	// Findings are positioned validation findings (400 and 422 answers
	// about an object's body).
	Findings any `json:"findings,omitempty"`
	// Refs names the objects involved ("role/editor"): the edges of a role
	// cycle, the referrers of an object still in use.
	Refs []string `json:"refs,omitempty"`
	// RequestID names the request in the server's log.
	RequestID string `json:"request_id,omitempty"`
}

// Problem codes. Each has a fixed title and, where the cause alone decides
// it, a status (httpError carries the status otherwise).
const (
	codeBadRequest       = "bad_request"
	codeMalformedJSON    = "malformed_json"
	codeUnknownField     = "unknown_field"
	codeDuplicateKey     = "duplicate_key"
	codeBodyTooLarge     = "body_too_large"
	codeUnsupportedMedia = "unsupported_media_type"
	codeUnauthenticated  = "unauthenticated"
	codeForbidden        = "forbidden"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeAlreadyExists    = "already_exists"
	codeConflict         = "conflict"
	codeRevisionNotReady = "revision_not_ready"
	codeRevisionPruned   = "revision_pruned"
	codeInvalid          = "invalid"
	codeReferenced       = "referenced"
	codeUnknownIssuer    = "unknown_issuer"
	codeMalformedObject  = "malformed"
	codeRoleCycle        = "role_cycle"
	codeMissingRef       = "missing_reference"
	codeInUse            = "in_use"
	codeMalformedToken   = "malformed_token"
	codeTokenTooLarge    = "token_too_large"
	codeTokenExpired     = token.CodeTokenExpired
	codeTokenNotYet      = token.CodeTokenNotYetValid
	codeBadSignature     = token.CodeBadSignature
	codeAlgNotAllowed    = token.CodeAlgorithmNotAllowed
	codeWrongAudience    = token.CodeWrongAudience
	codeUnknownKey       = token.CodeUnknownKey
	codeTokenRevoked     = token.CodeTokenRevoked
	codeTimeout          = "timeout"
	codeUnavailable      = "unavailable"
	codeInternal         = "internal"
)

var titles = map[string]string{
	codeBadRequest:       "Bad request",
	codeMalformedJSON:    "Malformed JSON",
	codeUnknownField:     "Unknown field",
	codeDuplicateKey:     "Duplicate key",
	codeBodyTooLarge:     "Request body too large",
	codeUnsupportedMedia: "Unsupported media type",
	codeUnauthenticated:  "Missing or invalid API key",
	codeForbidden:        "Not allowed",
	codeNotFound:         "Not found",
	codeMethodNotAllowed: "Method not allowed",
	codeAlreadyExists:    "Already exists",
	codeConflict:         "Conflict",
	codeRevisionNotReady: "Revision not ready",
	codeRevisionPruned:   "Revision no longer retained",
	codeInvalid:          "Invalid object",
	codeReferenced:       "Still referenced",
	codeUnknownIssuer:    "Unknown token issuer",
	codeMalformedObject:  "Malformed object",
	codeRoleCycle:        "Role cycle",
	codeMissingRef:       "Missing reference",
	codeInUse:            "Object in use",
	codeMalformedToken:   "Malformed token",
	codeTokenTooLarge:    "Token too large",
	codeTokenExpired:     "Token expired",
	codeTokenNotYet:      "Token not yet valid",
	codeBadSignature:     "Bad token signature",
	codeAlgNotAllowed:    "Token algorithm not allowed",
	codeWrongAudience:    "Token for another audience",
	codeUnknownKey:       "Unknown token key",
	codeTokenRevoked:     "Token revoked",
	codeTimeout:          "Request timed out",
	codeUnavailable:      "Service unavailable",
	codeInternal:         "Internal server error",
}

// httpError is an error the handlers return when they know what the client
// should see: a status, a stable code, a message for the client, and the
// cause for the log.
type httpError struct {
	status   int
	code     string
	msg      string
	findings any
	cause    error
}

func (e *httpError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}

func (e *httpError) Unwrap() error { return e.cause }

// errorf returns an httpError with a formatted client message.
func errorf(status int, code, format string, args ...any) *httpError {
	return &httpError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// badRequest is a 400 with code bad_request.
func badRequest(format string, args ...any) *httpError {
	return errorf(http.StatusBadRequest, codeBadRequest, format, args...)
}

// notFound is a 404.
func notFound(format string, args ...any) *httpError {
	return errorf(http.StatusNotFound, codeNotFound, format, args...)
}

// forbidden is a 403.
func forbidden(format string, args ...any) *httpError {
	return errorf(http.StatusForbidden, codeForbidden, format, args...)
}

// invalid is a 422 carrying findings.
func invalid(findings any, format string, args ...any) *httpError {
	e := errorf(http.StatusUnprocessableEntity, codeInvalid, format, args...)
	e.findings = findings
	return e
}

// problemFor is the one place that maps an error to what the client sees.
// It returns the problem and whether the error is the server's fault (to be
// logged with its cause at error level). Store sentinels map to their
// statuses; anything unrecognised is a 500 whose detail points to the log,
// never the cause itself.
func problemFor(err error) (p Problem, serverFault bool) {
	status, code, detail := http.StatusInternalServerError, codeInternal, ""
	var he *httpError
	var mbe *http.MaxBytesError
	var de *directory.Error
	switch {
	case errors.As(err, &he):
		status, code, detail = he.status, he.code, he.msg
		p.Findings = he.findings
	case errors.As(err, &de):
		status, code, detail = directoryStatus(de), strings.TrimPrefix(de.Code, "directory."), de.Message
		if code == "" || code == "invalid" {
			code = codeInvalid
		}
		if code == "malformed" {
			code = codeMalformedObject
		}
		if len(de.Findings) > 0 {
			p.Findings = de.Findings
		}
		p.Refs = de.Refs
	case errors.As(err, &mbe):
		status, code = http.StatusRequestEntityTooLarge, codeBodyTooLarge
		detail = fmt.Sprintf("the request body is larger than the limit of %d bytes", mbe.Limit)
	case errors.Is(err, store.ErrNotFound):
		status, code, detail = http.StatusNotFound, codeNotFound, "not found"
	case errors.Is(err, store.ErrExists):
		status, code, detail = http.StatusConflict, codeAlreadyExists, "already exists"
	case errors.Is(err, store.ErrConflict):
		status, code, detail = http.StatusConflict, codeConflict, "the store changed concurrently too often; retry the request"
	case errors.Is(err, store.ErrPruned):
		status, code, detail = http.StatusGone, codeRevisionPruned, "that revision is older than the retention period keeps"
	case errors.Is(err, context.DeadlineExceeded):
		status, code, detail = http.StatusServiceUnavailable, codeTimeout, "the request did not finish within its deadline"
	case errors.Is(err, context.Canceled):
		status, code, detail = http.StatusServiceUnavailable, codeUnavailable, "the request was canceled"
	}
	if status == http.StatusInternalServerError && code == codeInternal && detail == "" {
		detail = "an internal error occurred; the server log has the cause under this request id"
	}
	p.Type = problemBase + code
	p.Title = titles[code]
	if p.Title == "" {
		p.Title = http.StatusText(status)
	}
	p.Status = status
	p.Code = code
	p.Detail = detail
	return p, status >= 500
}

// directoryStatus is the status of a directory error by its class.
func directoryStatus(e *directory.Error) int {
	switch {
	case errors.Is(e, directory.ErrMalformed):
		return http.StatusBadRequest
	case errors.Is(e, directory.ErrInUse):
		return http.StatusConflict
	case errors.Is(e, directory.ErrNotFound):
		return http.StatusNotFound
	}
	return http.StatusUnprocessableEntity
}

// writeProblem answers with p as application/problem+json.
func writeProblem(w http.ResponseWriter, p Problem) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="gatehouse"`)
	}
	w.WriteHeader(p.Status)
	b, err := json.Marshal(p)
	if err != nil {
		b = []byte(`{"type":"` + problemBase + codeInternal + `","title":"Internal server error","status":500,"code":"internal"}`)
	}
	_, _ = w.Write(append(b, '\n'))
}
