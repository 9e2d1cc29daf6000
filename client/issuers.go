package client

import (
	"context"
	"encoding/json"
)

// Issuer is a trusted token issuer of a store: tokens it signs are
// accepted as subject tokens ("token" in a check) and in token exchange.
// Subjects of its tokens get the id "<Name>:<principal claim>".
type Issuer struct {
	// Name is the issuer's name in the store (a slug without ':'), the
	// prefix of its subjects' ids.
	Name string `json:"name"`
	// Issuer is the issuer URL, compared exactly with a token's "iss"
	// (a trailing slash matters). https://, or http:// on loopback.
	Issuer string `json:"issuer"`
	// Audiences are the values a token's audience claim must name (one of
	// them).
	Audiences []string `json:"audiences"`
	// AudienceClaim is the claim holding the audience: "aud" when empty;
	// "client_id" for Cognito access tokens.
	AudienceClaim string `json:"audience_claim,omitempty"`
	// JWKSURI is where the keys are; when empty, and JWKS too, the
	// issuer's discovery document says.
	JWKSURI string `json:"jwks_uri,omitempty"`
	// JWKS is an inline JWK Set, the only key source when given. An RSA
	// key under 2048 bits, a symmetric or a private key is refused (422).
	JWKS json.RawMessage `json:"jwks,omitempty"`
	// Algorithms are the signature algorithms allowed; RS256, ES256 and
	// EdDSA when empty. none and HS* never are.
	Algorithms []string `json:"algorithms,omitempty"`
	// PrincipalClaim names the subject: "sub" when empty (e.g.
	// "cognito:username").
	PrincipalClaim string `json:"principal_claim,omitempty"`
	// AttributeClaims are claims copied into the subject's attributes
	// (principal:<claim>).
	AttributeClaims []string `json:"attribute_claims,omitempty"`
	Stored
}

// issuerBody is what PutIssuer sends: the writable fields but the name
// (the URL's) and the inline key set (sent as written).
type issuerBody struct {
	Issuer          string   `json:"issuer"`
	Audiences       []string `json:"audiences"`
	AudienceClaim   string   `json:"audience_claim,omitempty"`
	JWKSURI         string   `json:"jwks_uri,omitempty"`
	Algorithms      []string `json:"algorithms,omitempty"`
	PrincipalClaim  string   `json:"principal_claim,omitempty"`
	AttributeClaims []string `json:"attribute_claims,omitempty"`
}

// PutIssuer creates or replaces the trusted issuer name (PUT
// /v1/stores/{store}/issuers/{name}). An issuer with errors (a bad URL, a
// weak or private key in JWKS, an algorithm never allowed) is an *Error
// (422, code invalid) whose Findings say where.
func (s *Store) PutIssuer(ctx context.Context, name string, i Issuer) (*WriteResult, error) {
	body, err := withDocuments(issuerBody{Issuer: i.Issuer, Audiences: i.Audiences, AudienceClaim: i.AudienceClaim,
		JWKSURI: i.JWKSURI, Algorithms: i.Algorithms, PrincipalClaim: i.PrincipalClaim, AttributeClaims: i.AttributeClaims},
		document{"jwks", i.JWKS})
	if err != nil {
		return nil, err
	}
	return s.put(ctx, "issuers", name, body)
}

// GetIssuer reads the trusted issuer name.
func (s *Store) GetIssuer(ctx context.Context, name string) (*Issuer, error) {
	return get[Issuer](ctx, s, "issuers", name)
}

// DeleteIssuer deletes the trusted issuer name: its tokens are refused
// from then on (unknown_issuer).
func (s *Store) DeleteIssuer(ctx context.Context, name string) (*WriteResult, error) {
	return s.del(ctx, "issuers", name)
}

// ListIssuers lists trusted issuers by name.
func (s *Store) ListIssuers(ctx context.Context, opts ListOptions) (*Page[Issuer], error) {
	return list[Issuer](ctx, s, "issuers", opts, nil)
}
