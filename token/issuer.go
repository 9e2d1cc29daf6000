package token

import (
	"bytes"
	"encoding/json"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// Issuer is one trusted token issuer of a store, as stored and as written
// in the body of PUT /v1/stores/{store}/issuers/{name}. Empty optional
// fields take their defaults (see [Issuer.WithDefaults]).
type Issuer struct {
	// Name names the issuer in its store; it comes from the URL path and
	// prefixes the ids of the subjects of its tokens ("<name>:<principal>",
	// API.md §2). A slug: see [Issuer.Validate].
	Name string `json:"name"`
	// Issuer is the issuer URL, compared exactly with the token's "iss"
	// (trailing slash included). https, or http on a loopback host.
	Issuer string `json:"issuer"`
	// Audiences lists the values of which the token's audience claim must
	// name at least one (for Cognito, the app client id).
	Audiences []string `json:"audiences"`
	// AudienceClaim is the claim holding the audience: "aud" by default;
	// "client_id" for Cognito access tokens, which carry no "aud".
	AudienceClaim string `json:"audience_claim,omitempty"`
	// JWKSURI is where the issuer's public keys are published. Empty: from
	// the issuer's discovery document.
	JWKSURI string `json:"jwks_uri,omitempty"`
	// JWKS is an inline JWK Set ({"keys": [...]}); when given, it is the
	// only source of keys and is never refreshed.
	JWKS json.RawMessage `json:"jwks,omitempty"`
	// Algorithms is the allowlist of "alg" values: by default RS256, ES256
	// and EdDSA; at most RS256/384/512, PS256/384/512, ES256/384/512 and
	// EdDSA ("none" and HMAC never).
	Algorithms []string `json:"algorithms,omitempty"`
	// PrincipalClaim names the claim whose value identifies the subject:
	// "sub" by default; e.g. "cognito:username".
	PrincipalClaim string `json:"principal_claim,omitempty"`
	// AttributeClaims lists claims copied into [Verified.Attributes].
	AttributeClaims []string `json:"attribute_claims,omitempty"`
}

// Defaults of the optional Issuer fields.
const (
	DefaultAudienceClaim  = "aud"
	DefaultPrincipalClaim = "sub"
)

// DefaultAlgorithms is the allowlist of an issuer that names none.
func DefaultAlgorithms() []string { return []string{"RS256", "ES256", "EdDSA"} }

// allowedAlgorithms are the only signature algorithms any issuer may allow:
// public-key signatures only, so a token can never be "signed" with a key
// the verifier publishes (no HMAC) or not at all ("none").
var allowedAlgorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
	jose.EdDSA,
}

// AllowedAlgorithms lists every algorithm an issuer's allowlist may hold.
func AllowedAlgorithms() []string {
	out := make([]string, len(allowedAlgorithms))
	for i, a := range allowedAlgorithms {
		out[i] = string(a)
	}
	return out
}

func isAllowedAlgorithm(alg string) bool {
	return slices.Contains(allowedAlgorithms, jose.SignatureAlgorithm(alg))
}

// WithDefaults returns a copy of i with the defaults of the optional fields
// filled in (audience_claim "aud", principal_claim "sub", algorithms RS256,
// ES256, EdDSA). The slices of the copy are its own.
func (i Issuer) WithDefaults() Issuer {
	i = i.clone()
	if i.AudienceClaim == "" {
		i.AudienceClaim = DefaultAudienceClaim
	}
	if i.PrincipalClaim == "" {
		i.PrincipalClaim = DefaultPrincipalClaim
	}
	if len(i.Algorithms) == 0 {
		i.Algorithms = DefaultAlgorithms()
	}
	return i
}

// clone returns a copy of i whose slices are its own.
func (i *Issuer) clone() Issuer {
	c := *i
	c.Audiences = slices.Clone(i.Audiences)
	c.AttributeClaims = slices.Clone(i.AttributeClaims)
	c.Algorithms = slices.Clone(i.Algorithms)
	c.JWKS = bytes.Clone(i.JWKS)
	return c
}

// audienceClaim, principalClaim and allows read i with its defaults,
// without copying it.
func (i *Issuer) audienceClaim() string {
	if i.AudienceClaim == "" {
		return DefaultAudienceClaim
	}
	return i.AudienceClaim
}

func (i *Issuer) principalClaim() string {
	if i.PrincipalClaim == "" {
		return DefaultPrincipalClaim
	}
	return i.PrincipalClaim
}

// allows reports whether i's allowlist holds alg; an algorithm outside the
// global allowed set is never allowed, whatever the list says.
func (i *Issuer) allows(alg string) bool {
	if !isAllowedAlgorithm(alg) {
		return false
	}
	if len(i.Algorithms) == 0 {
		return alg == "RS256" || alg == "ES256" || alg == "EdDSA"
	}
	return slices.Contains(i.Algorithms, alg)
}

// algorithms returns i's allowlist (with the default), in its order.
func (i *Issuer) algorithms() []string {
	if len(i.Algorithms) == 0 {
		return DefaultAlgorithms()
	}
	return i.Algorithms
}

// sameConfig reports whether a and b are the same configuration, field by
// field: a cached verification stays valid only while its issuer is
// unchanged.
func sameConfig(a, b *Issuer) bool {
	return a.Name == b.Name && a.Issuer == b.Issuer &&
		a.AudienceClaim == b.AudienceClaim && a.JWKSURI == b.JWKSURI &&
		a.PrincipalClaim == b.PrincipalClaim &&
		slices.Equal(a.Audiences, b.Audiences) && slices.Equal(a.Algorithms, b.Algorithms) &&
		slices.Equal(a.AttributeClaims, b.AttributeClaims) && bytes.Equal(a.JWKS, b.JWKS)
}
