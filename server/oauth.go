package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/store"
	"gatehouse.dev/gatehouse/token"
	"gatehouse.dev/gatehouse/token/mint"
	"gatehouse.dev/gatehouse/token/password"
)

// The OAuth endpoints of a store (API.md §6) follow their RFCs rather than
// the JSON API's conventions: form-encoded bodies, OAuth error objects
// (RFC 6749 §5.2), and client authentication by API key — HTTP Basic with
// the key's id as client_id and the key itself (or its secret part) as
// client_secret, the same in the form (client_secret_post), or
// Authorization: Bearer <key>. The client must be allowed gatehouse:Check
// on the store: a key of another store gets no tokens here.

// Token types of RFC 8693 §3.
const (
	tokenTypeJWT         = "urn:ietf:params:oauth:token-type:jwt"
	tokenTypeIDToken     = "urn:ietf:params:oauth:token-type:id_token"
	tokenTypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"
)

// oauthError is an error response of RFC 6749 §5.2.
type oauthError struct {
	status      int
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	retryAfter  time.Duration
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

func oauthErr(status int, code, format string, args ...any) *oauthError {
	return &oauthError{status: status, Code: code, Description: fmt.Sprintf(format, args...)}
}

// writeOAuthError answers e; every other error is the JSON API's problem.
func writeOAuthError(w http.ResponseWriter, err error) error {
	var oe *oauthError
	if !errors.As(err, &oe) {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	if oe.status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Basic realm="gatehouse"`)
	}
	if oe.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((oe.retryAfter+time.Second-1)/time.Second)))
	}
	writeJSON(w, oe.status, oe)
	return nil
}

// oauthForm reads a form-encoded body: each parameter at most once (RFC
// 6749 §3.2).
func oauthForm(r *http.Request) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded)")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, oauthErr(http.StatusRequestEntityTooLarge, "invalid_request", "the body is larger than %d bytes", mbe.Limit)
		}
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "could not read the body")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "the body is not form-encoded: %v", err)
	}
	for k, vs := range form {
		if len(vs) > 1 {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "parameter %q is given %d times; give it once", k, len(vs))
		}
	}
	return form, nil
}

// oauthClient authenticates the client (see the top of this file) and
// checks it may use the store.
func (s *Server) oauthClient(r *http.Request, form url.Values, storeID string) (*caller, error) {
	var key string
	h := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(h, " ")
	switch {
	case h != "" && strings.EqualFold(scheme, "Basic"):
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
		id, secret, ok := strings.Cut(string(raw), ":")
		if err != nil || !ok {
			return nil, oauthErr(http.StatusUnauthorized, "invalid_client", "the Basic credentials are not base64 of client_id:client_secret")
		}
		// RFC 6749 §2.3.1: both are form-encoded before base64.
		if id, err = url.QueryUnescape(id); err == nil {
			secret, err = url.QueryUnescape(secret)
		}
		if err != nil {
			return nil, oauthErr(http.StatusUnauthorized, "invalid_client", "the Basic credentials are not form-encoded")
		}
		key = clientKey(id, secret)
	case h != "" && strings.EqualFold(scheme, "Bearer"):
		key = strings.TrimSpace(cred)
	case h != "":
		return nil, oauthErr(http.StatusUnauthorized, "invalid_client", "authenticate with HTTP Basic (client_id = the API key's id, client_secret = the key) or Bearer <key>")
	case form.Get("client_secret") != "":
		key = clientKey(form.Get("client_id"), form.Get("client_secret"))
	default:
		return nil, oauthErr(http.StatusUnauthorized, "invalid_client", "client authentication is required: HTTP Basic with client_id = the API key's id and client_secret = the key")
	}
	c, err := s.callerForKey(key, clientIP(r))
	if err != nil {
		return nil, oauthErr(http.StatusUnauthorized, "invalid_client", "the client credentials are not a valid API key")
	}
	if !s.allowed(c, actCheck, storeResource(storeID)) {
		return nil, oauthErr(http.StatusForbidden, "unauthorized_client", "this API key (%s) is not allowed gatehouse:Check on %s, so it gets no tokens there", c, storeResource(storeID))
	}
	return c, nil
}

// clientKey turns client credentials into an API key: the secret may be
// the whole key, or the part after the id.
func clientKey(id, secret string) string {
	if strings.HasPrefix(secret, keyPrefix) || id == "" || id == "admin" {
		return secret
	}
	return keyPrefix + id + "_" + secret
}

// oauthStore is the common start of the OAuth endpoints: the store and
// its current directory, the form and the client.
func (s *Server) oauthStore(r *http.Request) (string, *storeState, url.Values, *caller, error) {
	storeID := r.PathValue("store")
	st, err := s.storeState(r.Context(), storeID)
	if err != nil {
		return "", nil, nil, nil, err
	}
	form, err := oauthForm(r)
	if err != nil {
		return "", nil, nil, nil, err
	}
	c, err := s.oauthClient(r, form, storeID)
	if err != nil {
		return "", nil, nil, nil, err
	}
	return storeID, st, form, c, nil
}

// handleToken is POST /v1/stores/{store}/oauth2/token (RFC 6749 §3.2) with
// the grants token-exchange (RFC 8693), client_credentials and password.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) error {
	return writeOAuthError(w, func() error {
		storeID, st, form, c, err := s.oauthStore(r)
		if err != nil {
			return err
		}
		var resp tokenResponse
		switch grant := form.Get("grant_type"); grant {
		case mint.GrantTokenExchange:
			resp, err = s.tokenExchange(r.Context(), storeID, st.snapshot(), c, form)
		case mint.GrantClientCredentials:
			resp, err = s.clientCredentials(r.Context(), storeID, c)
		case mint.GrantPassword:
			resp, err = s.passwordGrant(r.Context(), storeID, st.snapshot(), c, form, clientIP(r))
		case "":
			err = oauthErr(http.StatusBadRequest, "invalid_request", "grant_type is required")
		default:
			err = oauthErr(http.StatusBadRequest, "unsupported_grant_type", "grant_type %q is not offered: use %s, %s or %s",
				grant, mint.GrantTokenExchange, mint.GrantClientCredentials, mint.GrantPassword)
		}
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		writeJSON(w, http.StatusOK, resp)
		return nil
	}())
}

// tokenExchange trades a token of one of the store's trusted issuers for
// a token of the store (RFC 8693): the subject "<issuer>:<principal>",
// the external token's claims carried over (so that jwt:<claim> keys and
// claim rules see them), for at most an hour and never past the external
// token's own expiry.
func (s *Server) tokenExchange(ctx context.Context, storeID string, d *directory.Directory, c *caller, form url.Values) (tokenResponse, error) {
	subject := form.Get("subject_token")
	if subject == "" {
		return tokenResponse{}, oauthErr(http.StatusBadRequest, "invalid_request", "subject_token is required")
	}
	switch form.Get("subject_token_type") {
	case tokenTypeJWT, tokenTypeIDToken, tokenTypeAccessToken:
	case "":
		return tokenResponse{}, oauthErr(http.StatusBadRequest, "invalid_request", "subject_token_type is required (%s)", tokenTypeIDToken)
	default:
		return tokenResponse{}, oauthErr(http.StatusBadRequest, "invalid_request", "subject_token_type %q is not offered: the subject token is a JWT (%s or %s)",
			form.Get("subject_token_type"), tokenTypeIDToken, tokenTypeJWT)
	}
	switch form.Get("requested_token_type") {
	case "", tokenTypeAccessToken, tokenTypeJWT:
	default:
		return tokenResponse{}, oauthErr(http.StatusBadRequest, "invalid_request", "requested_token_type %q is not offered: gatehouse issues %s", form.Get("requested_token_type"), tokenTypeAccessToken)
	}
	if form.Get("actor_token") != "" {
		return tokenResponse{}, oauthErr(http.StatusBadRequest, "invalid_request", "actor_token (delegation) is not supported")
	}
	external := d.Issuers()
	if len(external) == 0 {
		return tokenResponse{}, oauthErr(http.StatusBadRequest, "invalid_grant", "unknown_issuer: store %q trusts no token issuer; add one (PUT /v1/stores/%s/issuers/<name>)", storeID, storeID)
	}
	issuers := make([]token.Issuer, 0, len(external))
	for _, i := range external {
		issuers = append(issuers, tokenIssuer(i))
	}
	v, err := s.verify(ctx, storeID, d, subject, issuers)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusUnprocessableEntity {
			return tokenResponse{}, oauthErr(http.StatusBadRequest, "invalid_grant", "%s: %s", he.code, he.msg)
		}
		return tokenResponse{}, err
	}
	now := s.now()
	ttl := min(mint.DefaultTokenTTL, v.ExpiresAt.Sub(now))
	t, err := s.mintToken(ctx, storeID, mint.Claims{Subject: v.Subject, ClientID: c.clientID(), Kind: mint.KindUser,
		IdentityProvider: v.IssuerName, IdentityProviderSubject: externalSub(v), Extra: exchangedClaims(v)}, ttl)
	if err != nil {
		return tokenResponse{}, err
	}
	resp := newTokenResponse(t)
	resp.IssuedTokenType = tokenTypeAccessToken
	return resp, nil
}

// externalSub is the "sub" claim of a verified external token, as text.
func externalSub(v *token.Verified) string {
	switch sub := v.Claims["sub"].(type) {
	case string:
		return sub
	case json.Number:
		return sub.String()
	}
	return ""
}

// clientCredentials issues the calling app (its API key) a token naming
// it: an app principal whose id is the key's id.
func (s *Server) clientCredentials(ctx context.Context, storeID string, c *caller) (tokenResponse, error) {
	if c.admin {
		return tokenResponse{}, oauthErr(http.StatusBadRequest, "unauthorized_client", "the admin key is not an app: create an API key for the app (POST /v1/keys)")
	}
	t, err := s.mintToken(ctx, storeID, mint.Claims{Subject: c.keyID, ClientID: c.keyID, Kind: mint.KindApp}, mint.DefaultTokenTTL)
	if err != nil {
		return tokenResponse{}, err
	}
	return newTokenResponse(t), nil
}

// passwordGrant logs a local user in (RFC 6749 §4.3) and issues a token
// naming the user. Failed logins are throttled per user and per client
// address (in memory: a restart or another replica starts afresh); an
// unknown user costs as much time as a wrong password.
func (s *Server) passwordGrant(ctx context.Context, storeID string, d *directory.Directory, c *caller, form url.Values, addr string) (tokenResponse, error) {
	user, pw := form.Get("username"), form.Get("password")
	if user == "" || !form.Has("password") {
		return tokenResponse{}, oauthErr(http.StatusBadRequest, "invalid_request", "username and password are required")
	}
	now := s.now()
	throttleKey := storeID + "\x00" + user
	ok, wait := s.throttle.Check(throttleKey, addr, now)
	if !ok {
		e := oauthErr(http.StatusTooManyRequests, "invalid_grant", "too many failed logins for this user or from this address; retry in %s", wait.Round(time.Second))
		e.retryAfter = wait
		return tokenResponse{}, e
	}
	hash := d.Credential(user)
	var good bool
	if _, exists := d.Get(directory.KindUser, user); hash == "" || !exists {
		password.VerifyUnknownUser(pw)
	} else {
		var err error
		good, _, err = password.Verify(pw, hash)
		if err != nil && !errors.Is(err, password.ErrTooLong) {
			s.log.Error("a stored password hash does not read", "store", storeID, "user", user, "err", err)
		}
	}
	if !good {
		s.throttle.Failure(throttleKey, addr, now)
		return tokenResponse{}, oauthErr(http.StatusBadRequest, "invalid_grant", "wrong username or password")
	}
	s.throttle.Success(throttleKey, addr, now)
	t, err := s.mintToken(ctx, storeID, mint.Claims{Subject: user, ClientID: c.clientID(), Kind: mint.KindUser}, mint.DefaultTokenTTL)
	if err != nil {
		return tokenResponse{}, err
	}
	return newTokenResponse(t), nil
}

// handleIntrospect is POST /v1/stores/{store}/oauth2/introspect (RFC
// 7662): whether a token of this store is active, and its claims. A token
// that is not the store's, expired, revoked, or of a session that ended is
// {"active": false}.
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) error {
	return writeOAuthError(w, func() error {
		storeID, st, form, _, err := s.oauthStore(r)
		if err != nil {
			return err
		}
		raw := form.Get("token")
		if raw == "" {
			return oauthErr(http.StatusBadRequest, "invalid_request", "token is required")
		}
		w.Header().Set("Cache-Control", "no-store")
		d := st.snapshot()
		resp := map[string]any{"active": false}
		if claims, ok := s.ownToken(r.Context(), storeID, d, raw); ok {
			resp = map[string]any{"active": true, "token_type": "Bearer"}
			for k, v := range claims {
				resp[k] = v
			}
		}
		writeJSON(w, http.StatusOK, resp)
		return nil
	}())
}

// ownToken verifies a token of the store itself (its keys, not revoked, its
// session still there) and returns its claims.
func (s *Server) ownToken(ctx context.Context, storeID string, d *directory.Directory, raw string) (map[string]any, bool) {
	self, err := s.selfIssuer(ctx, storeID)
	if err != nil {
		return nil, false
	}
	v, err := s.verify(ctx, storeID, d, raw, []token.Issuer{self})
	if err != nil {
		return nil, false
	}
	if kind, _ := v.Claims[mint.ClaimKind].(string); mint.Kind(kind) == mint.KindSession {
		sid, _ := v.Claims[mint.ClaimSessionID].(string)
		if sess := d.Session(sid); sess == nil || !s.now().Before(sess.ExpiresAt) {
			return nil, false
		}
	}
	return v.Claims, true
}

// handleRevoke is POST /v1/stores/{store}/oauth2/revoke (RFC 7009): a token
// of this store is revoked until it would have expired — every check from
// then on refuses it (token_revoked). The answer is 200 whether or not the
// token was one (RFC 7009 §2.2).
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) error {
	return writeOAuthError(w, func() error {
		storeID, st, form, c, err := s.oauthStore(r)
		if err != nil {
			return err
		}
		raw := form.Get("token")
		if raw == "" {
			return oauthErr(http.StatusBadRequest, "invalid_request", "token is required")
		}
		claims, ok := s.ownToken(r.Context(), storeID, st.snapshot(), raw)
		if ok {
			// RFC 7009 §2.1: only the client the token was issued to
			// may revoke it (the admin key may revoke any).
			if owner, _ := claims[mint.ClaimClientID].(string); !c.admin && owner != c.clientID() {
				return oauthErr(http.StatusBadRequest, "unauthorized_client", "this token was issued to another client; only that client (or the admin key) may revoke it")
			}
			jti, _ := claims[mint.ClaimID].(string)
			exp, err := numericDate(claims[mint.ClaimExpiry])
			if jti == "" || err != nil {
				return fmt.Errorf("a token of store %q verified without jti or exp", storeID)
			}
			id := directory.RevocationID(jti)
			body, err := json.Marshal(directory.Revocation{ID: id, ExpiresAt: exp.UTC()})
			if err != nil {
				return err
			}
			if _, err := s.commit(r.Context(), st, []store.Change{{Kind: directory.KindRevocation, ID: id, Body: body}}, nil); err != nil {
				return err
			}
			s.log.Info("token revoked", "store", storeID, "jti", jti)
		}
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		return nil
	}())
}

// numericDate reads a JWT NumericDate (seconds since the epoch).
func numericDate(v any) (time.Time, error) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		if err != nil {
			return time.Time{}, err
		}
		return time.Unix(int64(f), 0), nil
	case float64:
		return time.Unix(int64(n), 0), nil
	}
	return time.Time{}, fmt.Errorf("not a NumericDate: %v", v)
}
