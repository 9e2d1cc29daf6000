package token

// Error codes, stable and machine-readable: the problem codes of API.md §1
// for a subject token that fails verification (answered 422).
const (
	// CodeTokenExpired: "exp" is in the past, beyond the leeway.
	CodeTokenExpired = "token_expired"
	// CodeTokenNotYetValid: "nbf" or "iat" is in the future, beyond the
	// leeway.
	CodeTokenNotYetValid = "token_not_yet_valid"
	// CodeBadSignature: the signature does not verify with the issuer's key.
	CodeBadSignature = "bad_signature"
	// CodeAlgorithmNotAllowed: the "alg" header is not in the issuer's
	// allowlist ("none" and HMAC never are), or does not fit the key.
	CodeAlgorithmNotAllowed = "algorithm_not_allowed"
	// CodeUnknownIssuer: no trusted issuer of the store has the token's
	// "iss".
	CodeUnknownIssuer = "unknown_issuer"
	// CodeWrongAudience: the audience claim names none of the issuer's
	// audiences.
	CodeWrongAudience = "wrong_audience"
	// CodeUnknownKey: the issuer has no usable key for the token (unknown
	// "kid" after one refresh, a key too weak to use, or no keys could be
	// fetched).
	CodeUnknownKey = "unknown_key"
	// CodeTokenRevoked: the token verified but the revocation hook refused
	// it.
	CodeTokenRevoked = "token_revoked"
	// CodeTokenTooLarge: the token is longer than the size limit.
	CodeTokenTooLarge = "token_too_large"
	// CodeMalformedToken: the token is not a compact JWS with JSON header
	// and claims, or lacks a claim gatehouse needs ("exp", the principal
	// claim).
	CodeMalformedToken = "malformed_token"
)

// Error is a verification failure. Code is one of the Code constants;
// Detail says what was wrong and, where it helps, what to do about it. A
// server maps it to an RFC 9457 problem with status 422, the code as
// "code" and the detail as "detail". Neither field ever contains the token.
type Error struct {
	Code   string
	Detail string
	// cause is the underlying failure, for logs (a key fetch error).
	cause error
}

// Error returns "code: detail".
func (e *Error) Error() string { return e.Code + ": " + e.Detail }

// Unwrap returns the underlying cause, if any (a failed key fetch).
func (e *Error) Unwrap() error { return e.cause }

func fail(code, detail string) *Error { return &Error{Code: code, Detail: detail} }
