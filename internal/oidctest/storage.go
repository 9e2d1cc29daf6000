package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage is the provider's state, all in memory: users, the client, auth
// requests and codes, issued access tokens and the signing keys. It
// implements op.Storage and nothing more; grants beyond the
// authorization code (refresh, token exchange, client credentials, JWT
// profile) are not offered.
type storage struct {
	client   *client
	lifetime time.Duration

	// users and bySubject are filled by Start and read-only afterwards.
	users     map[string]*User // by username
	bySubject map[string]*User

	mu       sync.Mutex
	requests map[string]*authRequest // by id
	codes    map[string]string       // code -> auth request id
	tokens   map[string]accessToken  // by token id
	current  *signingKey
	retired  []*signingKey // still published in the JWKS, newest first
}

// accessToken is what the provider remembers of an access token it issued.
type accessToken struct {
	subject  string
	clientID string
	scopes   []string
	expires  time.Time
}

var _ op.Storage = (*storage)(nil)

// notFoundError is returned for unknown auth requests, codes, clients,
// users and tokens; it implements op.StorageNotFoundError.
type notFoundError struct{ what string }

func (e notFoundError) Error() string { return "oidctest: " + e.what + " not found" }
func (notFoundError) IsNotFound()     {}

var errNotSupported = errors.New("oidctest: not supported by the test provider")

// errLogin is what the login page shows for any wrong username or password.
var errLogin = errors.New("invalid username or password")

func newID() string { return rand.Text() }

// checkLogin completes the auth request id when username and password are
// right. It does not say which of the two was wrong.
func (s *storage) checkLogin(id, username, password string) error {
	u, ok := s.users[username]
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return errLogin
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.requests[id]
	if !ok {
		return errors.New("the sign-in request has expired or is unknown; start again from the application")
	}
	req.subject = u.Subject
	req.authTime = time.Now().UTC()
	req.done = true
	return nil
}

// --- op.AuthStorage ---

func (s *storage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	a := &authRequest{id: newID(), req: *req}
	a.req.Scopes = slices.Clone(req.Scopes)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[a.id] = a
	c := *a
	return &c, nil
}

func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return nil, notFoundError{"auth request"}
	}
	c := *a
	return &c, nil
}

func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, notFoundError{"code"}
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *storage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.requests[id]; !ok {
		return notFoundError{"auth request"}
	}
	s.codes[code] = id
	return nil
}

// DeleteAuthRequest is called once the code is exchanged, which makes a
// code usable only once.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, reqID := range s.codes {
		if reqID == id {
			delete(s.codes, code)
		}
	}
	return nil
}

func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	t := accessToken{
		subject: req.GetSubject(),
		scopes:  slices.Clone(req.GetScopes()),
		expires: time.Now().UTC().Add(s.lifetime),
	}
	if r, ok := req.(interface{ GetClientID() string }); ok {
		t.clientID = r.GetClientID()
	}
	id := newID()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[id] = t
	return id, t.expires, nil
}

func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, fmt.Errorf("refresh tokens: %w", errNotSupported)
}

func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

func (s *storage) RevokeToken(_ context.Context, tokenOrID, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tokenOrID)
	return nil
}

func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return []jose.SignatureAlgorithm{s.current.alg}, nil
}

// KeySet is the JWKS: the current key, then the retired ones still published.
func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := []op.Key{publicKey{s.current}}
	for _, k := range s.retired {
		keys = append(keys, publicKey{k})
	}
	return keys, nil
}

// rotate makes k the signing key; the previous one stays in the JWKS.
func (s *storage) rotate(k *signingKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current != nil {
		s.retired = append([]*signingKey{s.current}, s.retired...)
	}
	s.current = k
}

// dropRetired removes every key but the current one from the JWKS.
func (s *storage) dropRetired() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.retired = nil
}

func (s *storage) currentKeyID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current.id
}

// --- op.OPStorage ---

func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.client.id {
		return nil, notFoundError{"client"}
	}
	return s.client, nil
}

func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.client.id || subtle.ConstantTimeCompare([]byte(secret), []byte(s.client.secret)) != 1 {
		return errors.New("oidctest: wrong client id or secret")
	}
	return nil
}

// SetUserinfoFromScopes fills the claims the ID token carries. Every
// registered user claim goes in whatever the scopes, as a test wants.
func (s *storage) SetUserinfoFromScopes(_ context.Context, ui *oidc.UserInfo, subject, _ string, _ []string) error {
	return s.setUserinfo(ui, subject)
}

func (s *storage) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, tokenID, _, _ string) error {
	t, err := s.token(tokenID)
	if err != nil {
		return err
	}
	return s.setUserinfo(ui, t.subject)
}

func (s *storage) SetIntrospectionFromToken(_ context.Context, resp *oidc.IntrospectionResponse, tokenID, _, clientID string) error {
	t, err := s.token(tokenID)
	if err != nil {
		return err
	}
	ui := new(oidc.UserInfo)
	if err := s.setUserinfo(ui, t.subject); err != nil {
		return err
	}
	resp.SetUserInfo(ui)
	resp.Active = true
	resp.ClientID = t.clientID
	resp.Scope = t.scopes
	resp.Expiration = oidc.FromTime(t.expires)
	resp.Audience = []string{clientID}
	return nil
}

// GetPrivateClaimsFromScopes gives the JWT access token the user's claims.
func (s *storage) GetPrivateClaimsFromScopes(_ context.Context, subject, _ string, _ []string) (map[string]any, error) {
	u, ok := s.bySubject[subject]
	if !ok {
		return nil, notFoundError{"user"}
	}
	return maps.Clone(u.Claims), nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, fmt.Errorf("JWT profile client keys: %w", errNotSupported)
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, fmt.Errorf("JWT profile grant: %w", errNotSupported)
}

func (s *storage) Health(context.Context) error { return nil }

func (s *storage) token(id string) (accessToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[id]
	if !ok || time.Now().After(t.expires) {
		return accessToken{}, notFoundError{"access token"}
	}
	return t, nil
}

func (s *storage) setUserinfo(ui *oidc.UserInfo, subject string) error {
	u, ok := s.bySubject[subject]
	if !ok {
		return notFoundError{"user"}
	}
	ui.Subject = u.Subject
	for k, v := range u.Claims {
		ui.AppendClaims(k, v)
	}
	return nil
}
