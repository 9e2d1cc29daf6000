package directory

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"gatehouse.dev/gatehouse/engine"
	"gatehouse.dev/gatehouse/policy"
)

// The kinds of identity (issue 4): trusted token issuers, assumed-role
// sessions, revoked tokens and local users' credentials. Issuers are
// written through the API like any object; the others are written by the
// server (assume-role, revoke, a user's password) and are never shown.
const (
	KindIssuer     = "issuer"
	KindSession    = "session"
	KindRevocation = "revocation"
	KindCredential = "credential"
)

// Issuer is a trusted token issuer of a store, as written: the server
// checks it further (keys, algorithms) with package token before storing
// it, and turns it into a token.Issuer to verify tokens.
type Issuer struct {
	Name            string          `json:"name"`
	Issuer          string          `json:"issuer"`
	Audiences       []string        `json:"audiences"`
	AudienceClaim   string          `json:"audience_claim,omitempty"`
	JWKSURI         string          `json:"jwks_uri,omitempty"`
	JWKS            json.RawMessage `json:"jwks,omitempty"`
	Algorithms      []string        `json:"algorithms,omitempty"`
	PrincipalClaim  string          `json:"principal_claim,omitempty"`
	AttributeClaims []string        `json:"attribute_claims,omitempty"`
}

// Session is one assumed-role session (assume-role): its role, the session
// policy that limits it, its tags (principal:<tag> attributes) and its
// end. A token issued for it names it ("gh:sid"); a check with that token
// is decided for the session principal.
type Session struct {
	ID   string `json:"id"`
	Role string `json:"role"`
	// Policy is the session policy as written (a JSON object), if any.
	Policy json.RawMessage `json:"session_policy,omitempty"`
	// Attributes are the session tags.
	Attributes map[string]any `json:"attributes,omitempty"`
	// Source is who assumed the role ("key:<id>", "admin", "user:<id>").
	Source    string    `json:"source"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`

	doc   *policy.Document
	attrs map[string]engine.Values
}

// Revocation is a revoked token, kept until the token would have expired.
// Its object id is RevocationID of the token's id ("jti").
type Revocation struct {
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RevocationID is the object id of the revocation of the token whose
// "jti" is jti: "jti:<jti>" (a jti may start with a character an object
// id may not).
func RevocationID(jti string) string { return "jti:" + jti }

// Credential is a local user's password hash (argon2id, PHC form). It is
// never returned by the API.
type Credential struct {
	ID   string `json:"id"`
	Hash string `json:"password_hash"`
}

// Kind implements Object.
func (*Issuer) Kind() string { return KindIssuer }

// Kind implements Object.
func (*Session) Kind() string { return KindSession }

// Kind implements Object.
func (*Revocation) Kind() string { return KindRevocation }

// Kind implements Object.
func (*Credential) Kind() string { return KindCredential }

// ObjectID implements Object.
func (i *Issuer) ObjectID() string { return i.Name }

// ObjectID implements Object.
func (s *Session) ObjectID() string { return s.ID }

// ObjectID implements Object.
func (r *Revocation) ObjectID() string { return r.ID }

// ObjectID implements Object.
func (c *Credential) ObjectID() string { return c.ID }

// String hides the hash.
func (c *Credential) String() string { return "credential of " + quote(c.ID) }

// SessionAttributes returns the session tags as condition values.
func (s *Session) SessionAttributes() map[string]engine.Values { return s.attrs }

// Issuers returns the store's trusted issuers, by name.
func (d *Directory) Issuers() []*Issuer {
	var out []*Issuer
	d.each(KindIssuer, func(o Object) { out = append(out, o.(*Issuer)) })
	return out
}

// Session returns the session of an id, or nil.
func (d *Directory) Session(id string) *Session {
	s, _ := d.object(KindSession, id).(*Session)
	return s
}

// Revoked reports whether the token of an id (its "jti") is revoked.
func (d *Directory) Revoked(jti string) bool {
	return jti != "" && d.object(KindRevocation, RevocationID(jti)) != nil
}

// Credential returns a local user's password hash, or "".
func (d *Directory) Credential(user string) string {
	if c, _ := d.object(KindCredential, user).(*Credential); c != nil {
		return c.Hash
	}
	return ""
}

// allowedAlgorithms are the signature algorithms an issuer may allow
// (never "none", never HMAC: a public key is no secret).
var allowedAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

func (d *decoder) issuer() Object {
	i := &Issuer{Name: d.checkID("name", checkIssuerName), Issuer: d.str("issuer"), AudienceClaim: d.str("audience_claim"),
		JWKSURI: d.str("jwks_uri"), PrincipalClaim: d.str("principal_claim")}
	if err := checkIssuerURL(i.Issuer, false); err != nil {
		d.errorAt("issuer", CodeBadValue, "issuer: %v", err)
	}
	if i.JWKSURI != "" {
		if err := checkIssuerURL(i.JWKSURI, true); err != nil {
			d.errorAt("jwks_uri", CodeBadValue, "jwks_uri: %v", err)
		}
	}
	i.Audiences = d.list("audiences", "audience", checkClaimValue)
	if len(i.Audiences) == 0 {
		d.errorAt("audiences", CodeMissingField, "audiences is empty: name at least one audience (the client id your tokens are issued to)")
	}
	i.AttributeClaims = d.list("attribute_claims", "claim name", checkClaimValue)
	for _, c := range []string{"audience_claim", "principal_claim"} {
		if d.has(c) {
			if err := checkClaimValue(c, d.str(c)); err != nil {
				d.errorAt(c, CodeBadValue, "%v", err)
			}
		}
	}
	i.Algorithms = d.strs("algorithms")
	for k, alg := range i.Algorithms {
		if !slices.Contains(allowedAlgorithms, alg) {
			ep := fmt.Sprintf("%s/%d", d.ptr["algorithms"], k)
			msg := fmt.Sprintf("algorithm %s is not allowed: use %s", quote(alg), strings.Join(allowedAlgorithms, ", "))
			if strings.HasPrefix(strings.ToUpper(alg), "HS") || strings.EqualFold(alg, "none") {
				msg = fmt.Sprintf("algorithm %s is never accepted: a token signed with a shared secret or not signed at all proves nothing here; use %s",
					quote(alg), strings.Join(allowedAlgorithms, ", "))
			}
			d.s.errorf(d.s.at(ep), ep, CodeBadValue, "%s", msg)
		}
	}
	if p := d.ptr["jwks"]; p != "" {
		i.JWKS = append(json.RawMessage(nil), d.s.vals[p].raw...)
	}
	return i
}

func (d *decoder) session() Object {
	s := &Session{ID: d.checkID("id", checkName), Role: d.str("role"), Source: d.str("source")}
	if err := checkRoleName("role", s.Role); err != nil {
		d.errorAt("role", CodeBadValue, "%v", err)
	}
	if d.has("session_policy") {
		s.Policy, s.doc = d.document("session_policy", policy.KindSession)
	}
	s.Attributes, s.attrs = d.attributes()
	s.CreatedAt = d.instant("created_at")
	s.ExpiresAt = d.instant("expires_at")
	return s
}

func (d *decoder) revocation() Object {
	return &Revocation{ID: d.checkID("id", checkName), ExpiresAt: d.instant("expires_at")}
}

func (d *decoder) credential() Object {
	c := &Credential{ID: d.checkID("id", checkPrincipalID), Hash: d.str("password_hash")}
	if !strings.HasPrefix(c.Hash, "$argon2id$") {
		d.errorAt("password_hash", CodeBadValue, "password_hash is not an argon2id hash")
	}
	return c
}

// instant reads an RFC 3339 time field.
func (d *decoder) instant(name string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, d.str(name))
	if err != nil {
		d.errorAt(name, CodeBadValue, "%s must be an RFC 3339 time such as 2026-11-28T10:00:00Z", name)
	}
	return t
}

// checkClaimValue checks a claim name or audience: 1 to 256 bytes.
func checkClaimValue(what, s string) error {
	switch {
	case s == "":
		return fmt.Errorf("%s is empty", what)
	case len(s) > 256:
		return fmt.Errorf("%s is %d bytes long; at most 256 are allowed", what, len(s))
	}
	return nil
}

// checkIssuerName checks an issuer's name: a slug (lower-case letters,
// digits, - and _, at most 64 bytes), since it prefixes the ids of its
// tokens' subjects ("<name>:<sub>", API.md §2) and a ':' in it would make
// them ambiguous. "gatehouse" names the store itself as an issuer.
func checkIssuerName(what, s string) error {
	if s == "" || len(s) > 64 {
		return fmt.Errorf("%s must be 1 to 64 characters", what)
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%s %s may hold only lower-case letters, digits, - and _ (it prefixes subject ids: \"<name>:<sub>\")", what, quote(s))
		}
	}
	if s == SelfIssuer {
		return fmt.Errorf("%s %s is reserved for the tokens this store issues itself", what, quote(s))
	}
	return nil
}

// SelfIssuer is the issuer name of the tokens a store issues (API.md §6):
// a check names their subjects without it.
const SelfIssuer = "gatehouse"

// checkIssuerURL checks an issuer or JWKS URL: absolute https, or http on
// a loopback host (API.md §6, for tests and development). A query is
// allowed on a JWKS URL only.
func checkIssuerURL(s string, query bool) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%s is not an absolute https URL", quote(s))
	}
	if u.User != nil || u.Fragment != "" || (u.RawQuery != "" && !query) {
		return fmt.Errorf("%s carries user info, a query or a fragment: give the plain URL", quote(s))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%s is http: issuers must be https, except on loopback addresses (127.0.0.1, ::1, localhost)", quote(s))
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
