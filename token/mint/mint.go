package mint

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// TokenType is the JWS "typ" header of every token Mint signs (RFC 9068 §2.1),
// which keeps an access token from being taken for an ID token.
const TokenType = "at+jwt"

// Kind says what a token's subject is; it is the gh:kind claim.
type Kind string

// The kinds of subject a gatehouse token names.
const (
	// KindUser is a person: a local user (password grant) or one
	// authenticated by a trusted issuer (token exchange).
	KindUser Kind = "user"
	// KindApp is an application holding an API key (client_credentials).
	KindApp Kind = "app"
	// KindSession is an assume-role session kept server-side; the token's
	// gh:sid names it.
	KindSession Kind = "session"
)

// Names of the claims Mint sets itself; Claims.Extra may not use them.
const (
	ClaimIssuer    = "iss"
	ClaimSubject   = "sub"
	ClaimAudience  = "aud"
	ClaimExpiry    = "exp"
	ClaimNotBefore = "nbf"
	ClaimIssuedAt  = "iat"
	ClaimID        = "jti"
	ClaimClientID  = "client_id"
	ClaimKind      = "gh:kind"
	ClaimSessionID = "gh:sid"
	ClaimIdP       = "gh:idp"
	ClaimIdPSub    = "gh:sub"

	// ReservedPrefix marks gatehouse's own claims; no Extra claim may start
	// with it, so a future gatehouse claim cannot clash with one a caller
	// already set.
	ReservedPrefix = "gh:"
)

// Limits on what Mint signs.
const (
	// MaxTokenBytes bounds a minted token; Mint refuses a larger one
	// (Extra is the only part that can grow) rather than hand out a token
	// that verifiers with a size limit would refuse.
	MaxTokenBytes = 8 << 10

	// IDBytes is the number of random bytes in a jti: 128 bits, so ids can
	// be neither guessed nor repeated.
	IDBytes = 16
)

// ErrClaims reports claims Mint refuses to sign; the message says which.
var ErrClaims = errors.New("mint: claims")

// Claims are what a minted token says. Mint adds iat, nbf, exp and jti.
type Claims struct {
	// Issuer is iss: the store's issuer URL, <public url>/v1/stores/<store>.
	Issuer string
	// Subject is sub: the subject's id as API.md §2 names it.
	Subject string
	// Audience is aud: who the token is for. One value is written as a
	// string, several as an array.
	Audience []string
	// ClientID is client_id: the API key (client) the token was issued to.
	ClientID string
	// Kind is gh:kind: user, app or session.
	Kind Kind
	// SessionID is gh:sid: the assume-role session; set for KindSession
	// only.
	SessionID string
	// IdentityProvider is gh:idp: the name of the trusted issuer whose
	// token was exchanged for this one (token exchange only).
	IdentityProvider string
	// IdentityProviderSubject is gh:sub: the "sub" of the exchanged token
	// (Subject is the namespaced principal id), so that a check can show
	// jwt:sub as the provider wrote it.
	IdentityProviderSubject string
	// Extra are further claims. They may not use the names Mint sets nor
	// start with ReservedPrefix, and must marshal to JSON.
	Extra map[string]any
}

// Token is a minted access token and what a caller needs to record about it.
// Its Value is a bearer credential: String, Format and LogValue leave it out.
type Token struct {
	// Value is the compact JWS to hand to the client.
	Value string
	// ID is the jti, for revocation and introspection.
	ID string
	// KeyID is the kid of the key that signed it.
	KeyID string
	// IssuedAt is iat (and nbf), ExpiresAt is exp; both whole seconds.
	IssuedAt, ExpiresAt time.Time
}

// String describes the token without its value.
func (t Token) String() string {
	return fmt.Sprintf("mint.Token{jti: %s, kid: %s, exp: %s, value: redacted}", t.ID, t.KeyID, t.ExpiresAt.Format(time.RFC3339))
}

// Format prints String for every verb, so fmt never prints the value.
func (t Token) Format(f fmt.State, _ rune) { io.WriteString(f, t.String()) }

// LogValue gives slog the token's id, key and expiry, never its value.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("jti", t.ID),
		slog.String("kid", t.KeyID),
		slog.Time("exp", t.ExpiresAt),
	)
}

// Mint signs an access token with the active key: claims as given, iat and
// nbf at now (whole seconds), exp at now+ttl, a fresh random jti, and the
// header {"alg", "kid", "typ": "at+jwt"}. ttl must be positive and at most
// MaxTokenLifetime. Errors wrap ErrClaims for claims it refuses.
func (s *KeySet) Mint(c Claims, now time.Time, ttl time.Duration) (Token, error) {
	if ttl <= 0 || ttl > MaxTokenLifetime {
		return Token{}, fmt.Errorf("%w: ttl %s is outside (0, %s]", ErrClaims, ttl, MaxTokenLifetime)
	}
	payload, err := c.payload()
	if err != nil {
		return Token{}, err
	}
	var idb [IDBytes]byte

	s.mu.RLock()
	k := s.keys[len(s.keys)-1]
	s.randMu.Lock() // a caller's reader need not be safe for concurrent use
	_, err = io.ReadFull(s.rand, idb[:])
	s.randMu.Unlock()
	s.mu.RUnlock()
	if err != nil {
		return Token{}, fmt.Errorf("mint: reading random token id: %w", err)
	}

	iat := now.Unix()
	exp := now.Add(ttl).Unix()
	jti := base64.RawURLEncoding.EncodeToString(idb[:])
	payload[ClaimIssuedAt] = iat
	payload[ClaimNotBefore] = iat
	payload[ClaimExpiry] = exp
	payload[ClaimID] = jti
	body, err := json.Marshal(payload)
	if err != nil {
		return Token{}, fmt.Errorf("%w: extra claims do not marshal to JSON: %v", ErrClaims, err)
	}
	jws, err := k.signer.Sign(body)
	if err != nil {
		return Token{}, fmt.Errorf("mint: signing with %s: %w", k.info.ID, err)
	}
	value, err := jws.CompactSerialize()
	if err != nil {
		return Token{}, fmt.Errorf("mint: serializing: %w", err)
	}
	if len(value) > MaxTokenBytes {
		return Token{}, fmt.Errorf("%w: the token would be %d bytes, more than %d: keep extra claims small", ErrClaims, len(value), MaxTokenBytes)
	}
	return Token{
		Value:     value,
		ID:        jti,
		KeyID:     k.info.ID,
		IssuedAt:  time.Unix(iat, 0).UTC(),
		ExpiresAt: time.Unix(exp, 0).UTC(),
	}, nil
}

// payload checks the claims and returns them as a JSON object without the
// time claims and jti.
func (c Claims) payload() (map[string]any, error) {
	var missing []string
	if c.Issuer == "" {
		missing = append(missing, "Issuer (iss)")
	}
	if c.Subject == "" {
		missing = append(missing, "Subject (sub)")
	}
	if len(c.Audience) == 0 {
		missing = append(missing, "Audience (aud)")
	}
	if c.ClientID == "" {
		missing = append(missing, "ClientID (client_id)")
	}
	if c.Kind == "" {
		missing = append(missing, "Kind (gh:kind)")
	}
	if missing != nil {
		return nil, fmt.Errorf("%w: missing %s", ErrClaims, strings.Join(missing, ", "))
	}
	for _, a := range c.Audience {
		if a == "" {
			return nil, fmt.Errorf("%w: an empty audience", ErrClaims)
		}
	}
	switch c.Kind {
	case KindUser, KindApp:
		if c.SessionID != "" {
			return nil, fmt.Errorf("%w: SessionID (gh:sid) is only for kind %q, not %q", ErrClaims, KindSession, c.Kind)
		}
	case KindSession:
		if c.SessionID == "" {
			return nil, fmt.Errorf("%w: kind %q needs SessionID (gh:sid)", ErrClaims, KindSession)
		}
	default:
		return nil, fmt.Errorf("%w: kind %q, want %q, %q or %q", ErrClaims, c.Kind, KindUser, KindApp, KindSession)
	}

	p := make(map[string]any, 10+len(c.Extra))
	for name, v := range c.Extra {
		if reserved(name) {
			return nil, fmt.Errorf("%w: extra claim %q is set by Mint or reserved for gatehouse", ErrClaims, name)
		}
		p[name] = v
	}
	p[ClaimIssuer] = c.Issuer
	p[ClaimSubject] = c.Subject
	if len(c.Audience) == 1 {
		p[ClaimAudience] = c.Audience[0]
	} else {
		p[ClaimAudience] = c.Audience
	}
	p[ClaimClientID] = c.ClientID
	p[ClaimKind] = string(c.Kind)
	if c.SessionID != "" {
		p[ClaimSessionID] = c.SessionID
	}
	if c.IdentityProvider != "" {
		p[ClaimIdP] = c.IdentityProvider
	}
	if c.IdentityProviderSubject != "" {
		p[ClaimIdPSub] = c.IdentityProviderSubject
	}
	return p, nil
}

// reserved reports whether Extra may not set a claim name.
func reserved(name string) bool {
	switch name {
	case ClaimIssuer, ClaimSubject, ClaimAudience, ClaimExpiry, ClaimNotBefore,
		ClaimIssuedAt, ClaimID, ClaimClientID, "":
		return true
	}
	return strings.HasPrefix(name, ReservedPrefix)
}
