package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The OAuth endpoints of a store (/v1/stores/{store}/oauth2/...) follow
// their RFCs rather than the JSON API's conventions: form-encoded bodies,
// OAuth error objects (RFC 6749 §5.2) answered as *OAuthError, and client
// authentication by the client's API key, sent as HTTP Basic (RFC 6749
// §2.3.1) with client_id the key's id (the <id> of "ghk_<id>_<secret>",
// "admin" for the bootstrap admin key) and client_secret the whole key.
// The key must be allowed gatehouse:Check on the store; a key of another
// store is refused (403, unauthorized_client).

// Grant types of the token endpoint.
const (
	// GrantTokenExchange trades a trusted issuer's token for one of the
	// store (RFC 8693).
	GrantTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"
	// GrantClientCredentials issues the calling app (its API key) a token
	// (RFC 6749 §4.4).
	GrantClientCredentials = "client_credentials"
	// GrantPassword logs a local user in (RFC 6749 §4.3).
	GrantPassword = "password"
)

// Token types of RFC 8693 §3.
const (
	TokenTypeIDToken     = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeJWT         = "urn:ietf:params:oauth:token-type:jwt"
	TokenTypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"
)

// OAuthError is an error answer of an OAuth endpoint (RFC 6749 §5.2).
// Code is one of RFC 6749's: invalid_request, invalid_client,
// invalid_grant, unauthorized_client, unsupported_grant_type,
// invalid_scope. An answer that is not an OAuth error object (an unknown
// store: 404) is an *Error instead.
type OAuthError struct {
	// Status is the HTTP status code: 400, 401 (invalid_client), 403
	// (unauthorized_client: the key may not use this store), 429 (too many
	// failed logins).
	Status int `json:"-"`
	// Code is the "error" member.
	Code string `json:"error"`
	// Description is "error_description": what went wrong, for a person.
	// A refused subject token starts with the verification code
	// ("invalid_grant", "token_expired: the token expired at ...").
	Description string `json:"error_description,omitempty"`
	// URI is "error_uri", when the server gives one.
	URI string `json:"error_uri,omitempty"`
	// RetryAfter is the Retry-After header: how long to wait before
	// trying again (a throttled login); 0 when absent.
	RetryAfter time.Duration `json:"-"`

	method, path string
}

// Error implements error: "gatehouse: POST /v1/...: 400 invalid_grant:
// description".
func (e *OAuthError) Error() string {
	var b strings.Builder
	b.WriteString("gatehouse: ")
	if e.method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.method, e.path)
	}
	fmt.Fprintf(&b, "%d %s", e.Status, e.Code)
	if e.Description != "" {
		b.WriteString(": " + e.Description)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// TokenExchange is an RFC 8693 token exchange: a token of one of the
// store's trusted issuers traded for a token of the store.
type TokenExchange struct {
	// SubjectToken is the external token (an ID token, or a JWT access
	// token).
	SubjectToken string
	// SubjectTokenType is TokenTypeIDToken (the default when empty) or
	// TokenTypeJWT.
	SubjectTokenType string
	// RequestedTokenType is empty or TokenTypeAccessToken.
	RequestedTokenType string
}

// ExchangeToken trades a trusted issuer's token for a token of the store
// (grant_type token-exchange, RFC 8693). The token names the subject the
// external token makes ("<issuer>:<principal claim>") and carries its
// other claims, so jwt:<claim> keys and claim rules keep working; it lasts
// at most an hour and never past the external token. A token that does
// not verify is an *OAuthError invalid_grant whose Description starts with
// the verification code.
func (s *Store) ExchangeToken(ctx context.Context, req TokenExchange) (*Token, error) {
	typ := req.SubjectTokenType
	if typ == "" {
		typ = TokenTypeIDToken
	}
	form := url.Values{"grant_type": {GrantTokenExchange}, "subject_token": {req.SubjectToken}, "subject_token_type": {typ}}
	if req.RequestedTokenType != "" {
		form.Set("requested_token_type", req.RequestedTokenType)
	}
	return s.tokenGrant(ctx, form)
}

// ClientCredentials issues the client's own API key a token naming it: an
// app principal whose id is the key's id (grant_type client_credentials).
// The admin key is not an app and gets none.
func (s *Store) ClientCredentials(ctx context.Context) (*Token, error) {
	return s.tokenGrant(ctx, url.Values{"grant_type": {GrantClientCredentials}})
}

// PasswordLogin logs the local user username in with its password
// (grant_type password) and returns a token naming the user; its roles are
// resolved at every check, so a role mapping removed later takes effect at
// once. A wrong username or password is an *OAuthError invalid_grant;
// repeated failures are throttled (429, with RetryAfter).
func (s *Store) PasswordLogin(ctx context.Context, username, password string) (*Token, error) {
	return s.tokenGrant(ctx, url.Values{"grant_type": {GrantPassword}, "username": {username}, "password": {password}})
}

func (s *Store) tokenGrant(ctx context.Context, form url.Values) (*Token, error) {
	var out Token
	if err := s.oauth(ctx, "oauth2/token", form, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Introspection is the answer of token introspection (RFC 7662 §2.2). A
// token that is not the store's, or is expired, revoked, or of a session
// that ended, is just Active false.
type Introspection struct {
	Active    bool
	TokenType string
	// Subject is "sub": the user, app or session the token names.
	Subject  string
	ClientID string
	Issuer   string
	Audience []string
	// ID is the token's "jti".
	ID                             string
	ExpiresAt, IssuedAt, NotBefore time.Time
	// Claims are every member of the answer, the ones above included, as
	// JSON values (numbers as json.Number).
	Claims map[string]any
}

// UnmarshalJSON reads an introspection answer.
func (in *Introspection) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return err
	}
	*in = Introspection{Claims: m}
	str := func(k string) string { s, _ := m[k].(string); return s }
	date := func(k string) time.Time {
		if n, ok := m[k].(json.Number); ok {
			if f, err := n.Float64(); err == nil {
				return time.Unix(int64(f), 0).UTC()
			}
		}
		return time.Time{}
	}
	in.Active, _ = m["active"].(bool)
	in.TokenType, in.Subject, in.ClientID, in.Issuer, in.ID = str("token_type"), str("sub"), str("client_id"), str("iss"), str("jti")
	in.ExpiresAt, in.IssuedAt, in.NotBefore = date("exp"), date("iat"), date("nbf")
	switch aud := m["aud"].(type) {
	case string:
		in.Audience = []string{aud}
	case []any:
		for _, a := range aud {
			if s, ok := a.(string); ok {
				in.Audience = append(in.Audience, s)
			}
		}
	}
	return nil
}

// Introspect asks whether a token of the store is active, and its claims
// (RFC 7662).
func (s *Store) Introspect(ctx context.Context, token string) (*Introspection, error) {
	var out Introspection
	if err := s.oauth(ctx, "oauth2/introspect", url.Values{"token": {token}}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Revoke revokes a token of the store (RFC 7009): every check refuses it
// from then on (token_revoked); a session token's session ends. A token
// that is not the store's (or already invalid) is not an error (RFC 7009
// §2.2).
func (s *Store) Revoke(ctx context.Context, token string) error {
	return s.oauth(ctx, "oauth2/revoke", url.Values{"token": {token}}, nil)
}

// oauth posts form to an OAuth endpoint of the store with the client's
// key as HTTP Basic client credentials.
func (s *Store) oauth(ctx context.Context, endpoint string, form url.Values, out any) error {
	path := s.path(endpoint)
	auth := ""
	if s.c.key != "" {
		id, secret := clientCredentials(s.c.key)
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
	}
	resp, err := s.c.roundTrip(ctx, http.MethodPost, path, []byte(form.Encode()), "application/x-www-form-urlencoded", auth)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return oauthErrorFrom(http.MethodPost, path, resp)
	}
	return decodeAnswer(http.MethodPost, path, resp, out)
}

// clientCredentials are the client_id and client_secret of an API key:
// its id and the whole key ("admin" for a key not of the "ghk_" form).
func clientCredentials(key string) (id, secret string) {
	if rest, ok := strings.CutPrefix(key, "ghk_"); ok {
		if id, _, ok := strings.Cut(rest, "_"); ok && id != "" {
			return id, key
		}
	}
	return "admin", key
}

// oauthErrorFrom reads an error answer of an OAuth endpoint: an
// *OAuthError when it is an OAuth error object, an *Error otherwise.
func oauthErrorFrom(method, path string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBytes))
	var oe OAuthError
	if json.Unmarshal(b, &oe) == nil && oe.Code != "" {
		oe.Status, oe.method, oe.path = resp.StatusCode, method, path
		oe.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		return &oe
	}
	return problemFrom(method, path, resp, b)
}

// retryAfter reads a Retry-After header (RFC 9110 §10.2.3): seconds, or
// an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(h); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
