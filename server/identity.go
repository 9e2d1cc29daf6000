package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/store"
	"gatehouse.dev/gatehouse/token"
	"gatehouse.dev/gatehouse/token/mint"
)

// Each store is an issuer of its own (API.md §6). Its signing keys live in
// the system scope, as an object of kind "signing_keys" named after the
// store, never in the store itself: nothing an application writes or reads
// through its store reaches them. The key set is created on first use and
// rotated on command (POST /v1/stores/{store}/signing-keys/rotate).
const kindSigningKeys = "signing_keys"

// issuerURL is the "iss" of a store's tokens: <public url>/v1/stores/<store>.
func (s *Server) issuerURL(storeID string) string {
	return s.cfg.PublicURL + "/v1/stores/" + storeID
}

// keySet returns a store's signing keys, creating them on first use. Two
// servers creating them at once agree: the second sees the first's commit
// (a conflict) and takes its keys.
func (s *Server) keySet(ctx context.Context, storeID string) (*mint.KeySet, error) {
	if ks := s.system.Load().signers[storeID]; ks != nil {
		return ks, nil
	}
	s.sysMu.Lock()
	defer s.sysMu.Unlock()
	for attempt := 1; ; attempt++ {
		if err := s.reloadSystemLocked(ctx); err != nil {
			return nil, err
		}
		cur := s.system.Load()
		if ks := cur.signers[storeID]; ks != nil {
			return ks, nil
		}
		ks, err := mint.NewKeySet(mint.DefaultAlgorithm, s.now(), nil)
		if err != nil {
			return nil, fmt.Errorf("creating the signing keys of store %q: %w", storeID, err)
		}
		body, err := ks.Marshal()
		if err != nil {
			return nil, err
		}
		_, err = s.store.Commit(ctx, store.SystemScope, cur.rev, []store.Change{{Kind: kindSigningKeys, ID: storeID, Body: body}})
		if err == nil {
			s.log.Info("signing keys created", "store", storeID, "kid", ks.Active().ID)
			continue // reload and return what was stored
		}
		if !isConflict(err) || attempt >= maxCommitAttempts {
			return nil, err
		}
	}
}

// rotateKeys gives a store a new signing key; the old one keeps verifying
// until the tokens it signed have expired (token/mint).
func (s *Server) rotateKeys(ctx context.Context, storeID string, alg mint.Algorithm) (mint.KeyInfo, error) {
	if _, err := s.keySet(ctx, storeID); err != nil {
		return mint.KeyInfo{}, err
	}
	s.sysMu.Lock()
	defer s.sysMu.Unlock()
	for attempt := 1; ; attempt++ {
		cur := s.system.Load()
		body, err := cur.signers[storeID].Marshal()
		if err != nil {
			return mint.KeyInfo{}, err
		}
		ks, err := mint.UnmarshalKeySet(body, nil)
		if err != nil {
			return mint.KeyInfo{}, err
		}
		info, err := ks.Rotate(alg, s.now())
		if err != nil {
			return mint.KeyInfo{}, errorf(http.StatusUnprocessableEntity, codeInvalid, "%v", err)
		}
		if body, err = ks.Marshal(); err != nil {
			return mint.KeyInfo{}, err
		}
		_, err = s.store.Commit(ctx, store.SystemScope, cur.rev, []store.Change{{Kind: kindSigningKeys, ID: storeID, Body: body}})
		if err == nil {
			if err := s.reloadSystemLocked(ctx); err != nil {
				return mint.KeyInfo{}, err
			}
			s.log.Info("signing key rotated", "store", storeID, "kid", info.ID)
			return info, nil
		}
		if !isConflict(err) || attempt >= maxCommitAttempts {
			return mint.KeyInfo{}, err
		}
		if err := s.reloadSystemLocked(ctx); err != nil {
			return mint.KeyInfo{}, err
		}
	}
}

// selfIssuer is the store itself as a trusted issuer of its own tokens:
// its URL, its public keys inline, its own URL as the audience (made when
// the system scope loads: see buildSystem).
func (s *Server) selfIssuer(ctx context.Context, storeID string) (token.Issuer, error) {
	if _, err := s.keySet(ctx, storeID); err != nil {
		return token.Issuer{}, err
	}
	if i, ok := s.system.Load().selfIssuers[storeID]; ok {
		return i, nil
	}
	return token.Issuer{}, fmt.Errorf("the signing keys of store %q do not read (see the log)", storeID)
}

// trustedIssuers returns the issuers a store's checks accept: its own
// first, then the ones it trusts.
func (s *Server) trustedIssuers(ctx context.Context, storeID string, d *directory.Directory) ([]token.Issuer, error) {
	self, err := s.selfIssuer(ctx, storeID)
	if err != nil {
		return nil, err
	}
	out := make([]token.Issuer, 0, 4)
	out = append(out, self)
	for _, i := range d.Issuers() {
		out = append(out, tokenIssuer(i))
	}
	return out, nil
}

func tokenIssuer(i *directory.Issuer) token.Issuer {
	return token.Issuer{Name: i.Name, Issuer: i.Issuer, Audiences: i.Audiences, AudienceClaim: i.AudienceClaim,
		JWKSURI: i.JWKSURI, JWKS: i.JWKS, Algorithms: i.Algorithms, PrincipalClaim: i.PrincipalClaim,
		AttributeClaims: i.AttributeClaims}
}

// ctxDirectory carries the directory a token is verified against, for the
// verifier's revocation hook.
type ctxDirectoryKey struct{}

// revoked is the verifier's revocation hook: a token is revoked when its
// store (the directory in ctx) lists its id, or, for a session token, when
// the session is gone.
func revoked(ctx context.Context, v *token.Verified) bool {
	d, _ := ctx.Value(ctxDirectoryKey{}).(*directory.Directory)
	if d == nil {
		return false
	}
	return d.Revoked(v.ID)
}

// verify verifies a subject token against a store's issuers at d. A
// failure is a 422 problem with the verifier's code (API.md §1).
func (s *Server) verify(ctx context.Context, storeID string, d *directory.Directory, raw string, issuers []token.Issuer) (*token.Verified, error) {
	if issuers == nil {
		var err error
		if issuers, err = s.trustedIssuers(ctx, storeID, d); err != nil {
			return nil, err
		}
	}
	v, err := s.verifier.Verify(context.WithValue(ctx, ctxDirectoryKey{}, d), raw, issuers, s.now())
	var te *token.Error
	switch {
	case errors.As(err, &te):
		return nil, errorf(http.StatusUnprocessableEntity, te.Code, "%s", te.Detail)
	case err != nil:
		return nil, err
	}
	return v, nil
}

// verifyToken turns a subject token into the subject of a decision:
//   - a token of a trusted issuer names a user "<issuer>:<principal claim>"
//     (API.md §2), its claims the jwt: keys, its attribute_claims
//     principal attributes;
//   - a token the store issued names the user, app or session it was
//     issued to (roles are resolved again at every check: the token names
//     the subject, not its roles).
func (s *Server) verifyToken(ctx context.Context, storeID string, d *directory.Directory, raw string) (directory.Subject, *token.Verified, error) {
	v, err := s.verify(ctx, storeID, d, raw, nil)
	if err != nil {
		return directory.Subject{}, nil, err
	}
	claims, err := engine.FlattenClaims(v.Claims)
	if err != nil {
		return directory.Subject{}, nil, errorf(http.StatusUnprocessableEntity, codeMalformedToken, "the token's claims cannot be used as condition keys: %v", err)
	}
	if v.IssuerName != directory.SelfIssuer {
		subj := directory.Subject{Type: "user", ID: v.Subject, Claims: claims, Issuer: v.IssuerName}
		if len(v.Attributes) > 0 {
			attrs, err := conditionValues("token attribute claims", v.Attributes)
			if err != nil {
				return directory.Subject{}, nil, errorf(http.StatusUnprocessableEntity, codeMalformedToken, "%v", err)
			}
			subj.Attributes = attrs
		}
		return subj, v, nil
	}
	kind, _ := v.Claims[mint.ClaimKind].(string)
	idp, _ := v.Claims[mint.ClaimIdP].(string)
	switch mint.Kind(kind) {
	case mint.KindUser:
		if sub, ok := v.Claims[mint.ClaimIdPSub].(string); ok && idp != "" {
			// An exchanged token: jwt:sub is the provider's sub, as
			// with the provider's own token (the principal id stays
			// "<issuer>:<principal claim>").
			claims["sub"] = engine.Values{sub}
		}
		return directory.Subject{Type: "user", ID: v.PrincipalValue, Claims: claims, Issuer: idp}, v, nil
	case mint.KindApp:
		return directory.Subject{Type: "app", ID: v.PrincipalValue, Claims: claims}, v, nil
	case mint.KindSession:
		sid, _ := v.Claims[mint.ClaimSessionID].(string)
		sess := d.Session(sid)
		if sess == nil || !s.now().Before(sess.ExpiresAt) {
			return directory.Subject{}, nil, errorf(http.StatusUnprocessableEntity, codeTokenRevoked,
				"the session %q of this token has ended or was removed: assume the role again", sid)
		}
		return directory.Subject{Type: "session", ID: sid, Claims: claims}, v, nil
	}
	return directory.Subject{}, nil, errorf(http.StatusUnprocessableEntity, codeMalformedToken, "the token names no kind of subject (%s)", mint.ClaimKind)
}

// mintToken issues a token of a store.
func (s *Server) mintToken(ctx context.Context, storeID string, c mint.Claims, ttl time.Duration) (mint.Token, error) {
	ks, err := s.keySet(ctx, storeID)
	if err != nil {
		return mint.Token{}, err
	}
	c.Issuer = s.issuerURL(storeID)
	c.Audience = []string{c.Issuer}
	return ks.Mint(c, s.now(), ttl)
}

// registeredClaims are the claims of an exchanged token that are not
// copied into the token gatehouse issues for it (RFC 7519 §4.1, OIDC
// Core's ID token claims, and gatehouse's own).
var registeredClaims = map[string]bool{"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true,
	"jti": true, "azp": true, "nonce": true, "at_hash": true, "c_hash": true, "auth_time": true, "acr": true, "amr": true,
	"sid": true, "client_id": true, "scope": true, "token_use": true, "typ": true, "cnf": true}

// exchangedClaims are the claims of a verified external token carried into
// the token gatehouse issues for it, so that jwt:<claim> keys and claim
// rules see them.
func exchangedClaims(v *token.Verified) map[string]any {
	out := map[string]any{}
	for k, val := range v.Claims {
		if registeredClaims[k] || len(k) >= len(mint.ReservedPrefix) && k[:len(mint.ReservedPrefix)] == mint.ReservedPrefix {
			continue
		}
		out[k] = val
	}
	return out
}

// tokenResponse is an OAuth 2.0 access token response (RFC 6749 §5.1;
// RFC 8693 §2.2.1 adds issued_token_type).
type tokenResponse struct {
	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type,omitempty"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int64  `json:"expires_in"`
	// ExpiresAt, SessionID and Revision are gatehouse's additions for
	// assume-role.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	SessionID string    `json:"session_id,omitempty"`
	Revision  int64     `json:"revision,omitempty"`
}

func newTokenResponse(t mint.Token) tokenResponse {
	return tokenResponse{AccessToken: t.Value, TokenType: "Bearer", ExpiresIn: int64(t.ExpiresAt.Sub(t.IssuedAt) / time.Second)}
}
