package client

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Token is a token the store issued: an OAuth 2.0 access token response
// (RFC 6749 §5.1), with gatehouse's additions for assume-role.
type Token struct {
	// AccessToken is the token (a JWT signed by the store's key), to send
	// as "token" in a check.
	AccessToken string `json:"access_token"`
	// IssuedTokenType is set by token exchange (RFC 8693 §2.2.1):
	// TokenTypeAccessToken.
	IssuedTokenType string `json:"issued_token_type,omitempty"`
	// TokenType is "Bearer".
	TokenType string `json:"token_type"`
	// ExpiresIn is the token's lifetime in seconds.
	ExpiresIn int64 `json:"expires_in"`
	// ExpiresAt is when the token (and its session) ends: assume-role
	// only.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// SessionID names the assumed-role session: assume-role only.
	SessionID string `json:"session_id,omitempty"`
	// Revision is the store's revision after the session was stored:
	// assume-role only.
	Revision int64 `json:"revision,omitempty"`
}

// AssumeRoleRequest asks for a session of a role (AWS STS AssumeRole
// without an AWS account): the role's policies limited by SessionPolicy,
// tagged with SessionTags, for DurationSeconds.
type AssumeRoleRequest struct {
	// Role is the role to assume. The caller needs gatehouse:AssumeRole on
	// gatehouse:store/<store>/role/<role>, and the role's trust policy
	// must allow its key (an App principal named by the key's id).
	Role string `json:"role"`
	// SessionPolicy, when set, is a policy document (sent as written):
	// the session may do only what both the role and it allow.
	SessionPolicy json.RawMessage `json:"-"`
	// DurationSeconds is the session's length: 900 (15 minutes) to the
	// role's maximum (at most 43,200); 0 lets the server choose.
	DurationSeconds int64 `json:"duration_seconds,omitempty"`
	// SessionTags become the session's attributes (principal:<tag>):
	// strings, numbers, booleans or lists of them.
	SessionTags map[string]any `json:"session_tags,omitempty"`
}

// AssumeRole starts a session of a role and returns a token for it (POST
// /v1/stores/{store}/assume-role). A check with the token decides for the
// session: the role's policies, intersected with the session policy, and
// the tags as principal: attributes. Revoking the token (Revoke) ends it
// before its time.
func (s *Store) AssumeRole(ctx context.Context, req AssumeRoleRequest) (*Token, error) {
	body, err := withDocuments(req, document{"session_policy", req.SessionPolicy})
	if err != nil {
		return nil, err
	}
	var out Token
	if _, err := s.c.do(ctx, http.MethodPost, s.path("assume-role"), body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// WhoamiRequest asks what a token proves in a store.
type WhoamiRequest struct {
	// Token is the subject token to inspect.
	Token string `json:"token"`
	// AtLeastRevision makes the server wait (up to 2 s) until it serves
	// this revision of the store.
	AtLeastRevision int64 `json:"at_least_revision,omitempty"`
}

// Whoami is the identity inspector's answer: what a token proves, whom it
// makes the principal, every role with where it came from, every variable
// a policy can use with its value (so that nobody has to guess what
// ${jwt:sub} will be), and what the principal may do.
type Whoami struct {
	Store    string `json:"store"`
	Revision int64  `json:"revision"`
	// Token is what verification found about the token (never the token
	// itself).
	Token TokenInfo `json:"token"`
	// Claims are the token's verified claims as it carries them.
	Claims map[string]any `json:"claims"`
	// Principal is the subject the token makes: "<issuer>:<claim>" for a
	// trusted issuer's token; the user, app or session a token of the
	// store names.
	Principal LoggedSubject `json:"principal"`
	// Roles are every role the principal holds, each with why.
	Roles  []HeldRole `json:"roles"`
	Groups []string   `json:"groups"`
	// Variables are the condition keys a policy can use (jwt:<claim>,
	// principal:<attr>, principal:roles, ...) with their values.
	Variables []Variable `json:"variables"`
	// Permissions is what the principal may do: each applicable Allow
	// after substitution, the limits that cut into it, the conditions
	// left open. Text says the same in words.
	Permissions *Permissions `json:"permissions"`
	Text        string       `json:"text"`
}

// Role returns the held role name, or nil when the principal does not
// hold it.
func (w *Whoami) Role(name string) *HeldRole {
	if w == nil {
		return nil
	}
	for i := range w.Roles {
		if w.Roles[i].Role == name {
			return &w.Roles[i]
		}
	}
	return nil
}

// Variable returns the variable key ("jwt:sub"), or nil when the token
// gives it no value.
func (w *Whoami) Variable(key string) *Variable {
	if w == nil {
		return nil
	}
	for i := range w.Variables {
		if w.Variables[i].Key == key {
			return &w.Variables[i]
		}
	}
	return nil
}

// TokenInfo is what verification found about a token.
type TokenInfo struct {
	// IssuerName is the trusted issuer that verified it; "gatehouse" for
	// the store's own tokens.
	IssuerName string `json:"issuer_name"`
	// Issuer is its "iss".
	Issuer string `json:"issuer"`
	// Subject is the subject id it makes ("idp:4fbf0c06…"; the store's
	// own tokens name their user, app or session without a prefix).
	Subject   string    `json:"subject"`
	KeyID     string    `json:"kid,omitempty"`
	ID        string    `json:"jti,omitempty"`
	IssuedAt  time.Time `json:"issued_at,omitzero"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Whoami verifies a token as a check would and says what it proves (POST
// /v1/stores/{store}/whoami). It needs gatehouse:Explain on the store. A
// token that does not verify is an *Error (422) with the code a check
// would give (token_expired, bad_signature, ...).
func (s *Store) Whoami(ctx context.Context, req WhoamiRequest) (*Whoami, error) {
	var out Whoami
	if _, err := s.c.do(ctx, http.MethodPost, s.path("whoami"), req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetUserPassword sets the local user id's password (PUT
// /v1/stores/{store}/users/{id}/password), so that it can log in with
// PasswordLogin. The server keeps an argon2id hash and never shows it. The
// user must exist (404 otherwise); a password the server finds too weak is
// an *Error (422, code invalid). It needs gatehouse:PutUser on the user.
func (s *Store) SetUserPassword(ctx context.Context, id, password string) (*WriteResult, error) {
	var out WriteResult
	status, err := s.c.do(ctx, http.MethodPut, s.objectPath("users", id)+"/password", struct {
		Password string `json:"password"`
	}{password}, &out)
	if err != nil {
		return nil, err
	}
	out.Created = status == http.StatusCreated
	return &out, nil
}

// DeleteUserPassword removes the local user id's password: it can no
// longer log in (DELETE /v1/stores/{store}/users/{id}/password).
func (s *Store) DeleteUserPassword(ctx context.Context, id string) (*WriteResult, error) {
	var out WriteResult
	if _, err := s.c.do(ctx, http.MethodDelete, s.objectPath("users", id)+"/password", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
