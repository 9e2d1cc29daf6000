package client

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Each store is an issuer of its own: its iss is <public url>/v1/stores/
// <store>, and it publishes its metadata and public keys, so that anyone
// can verify its tokens (API.md §6).

// ProviderMetadata is a store's issuer metadata (RFC 8414), as served at
// /v1/stores/{store}/.well-known/openid-configuration.
type ProviderMetadata struct {
	Issuer                                    string   `json:"issuer"`
	JWKSURI                                   string   `json:"jwks_uri"`
	TokenEndpoint                             string   `json:"token_endpoint"`
	IntrospectionEndpoint                     string   `json:"introspection_endpoint"`
	RevocationEndpoint                        string   `json:"revocation_endpoint"`
	GrantTypesSupported                       []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported         []string `json:"token_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	ResponseTypesSupported                    []string `json:"response_types_supported"`
	SubjectTypesSupported                     []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported          []string `json:"id_token_signing_alg_values_supported"`
}

// Discovery reads the store's issuer metadata. It is public: no key is
// sent.
func (s *Store) Discovery(ctx context.Context) (*ProviderMetadata, error) {
	var out ProviderMetadata
	if err := s.c.public(ctx, s.path(".well-known/openid-configuration"), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// JSONWebKeySet is a JWK Set (RFC 7517 §5).
type JSONWebKeySet struct {
	Keys []JSONWebKey `json:"keys"`
}

// JSONWebKey is a public key of a JWK Set, its common members read; Raw
// holds the key as served.
type JSONWebKey struct {
	KeyType   string `json:"kty"`
	KeyID     string `json:"kid,omitempty"`
	Algorithm string `json:"alg,omitempty"`
	Use       string `json:"use,omitempty"`
	// Curve, X and Y are an EC or OKP key's; N and E an RSA key's.
	Curve string `json:"crv,omitempty"`
	X     string `json:"x,omitempty"`
	Y     string `json:"y,omitempty"`
	N     string `json:"n,omitempty"`
	E     string `json:"e,omitempty"`
	// Raw is the key as served, every member included.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON reads a key and keeps it whole in Raw.
func (k *JSONWebKey) UnmarshalJSON(b []byte) error {
	type plain JSONWebKey
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*k = JSONWebKey(p)
	k.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON writes the key as served.
func (k JSONWebKey) MarshalJSON() ([]byte, error) {
	if len(k.Raw) > 0 {
		return k.Raw, nil
	}
	type plain JSONWebKey
	return json.Marshal(plain(k))
}

// JWKS reads the store's public keys: every signing key that still
// verifies, the active one and the retired ones whose tokens may not have
// expired yet. It is public: no key is sent.
func (s *Store) JWKS(ctx context.Context) (*JSONWebKeySet, error) {
	var out JSONWebKeySet
	if err := s.c.public(ctx, s.path(".well-known/jwks.json"), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SigningKey describes one of the store's signing keys (never its private
// part).
type SigningKey struct {
	// ID is the key's kid (its RFC 7638 thumbprint).
	ID string `json:"kid"`
	// Algorithm is "EdDSA" or "ES256".
	Algorithm string    `json:"alg"`
	CreatedAt time.Time `json:"created_at"`
	// RetiredAt is when the key stopped signing; zero for the active key.
	RetiredAt time.Time `json:"retired_at,omitzero"`
	// VerifiesUntil is when a retired key stops verifying (its last tokens
	// have expired); zero for the active key.
	VerifiesUntil time.Time `json:"verifies_until,omitzero"`
}

// Active reports whether the key is the one that signs.
func (k SigningKey) Active() bool { return k.RetiredAt.IsZero() }

// SigningKeys are a store's signing keys.
type SigningKeys struct {
	// Issuer is the store's issuer URL, the iss of its tokens.
	Issuer string       `json:"issuer"`
	Keys   []SigningKey `json:"keys"`
}

// Signing key algorithms.
const (
	// AlgorithmEdDSA is Ed25519, the default.
	AlgorithmEdDSA = "EdDSA"
	// AlgorithmES256 is ECDSA on P-256.
	AlgorithmES256 = "ES256"
)

// ListSigningKeys lists the store's signing keys (GET
// /v1/stores/{store}/signing-keys). It needs gatehouse:ReadIssuer on
// gatehouse:store/<store>/issuer/gatehouse.
func (s *Store) ListSigningKeys(ctx context.Context) (*SigningKeys, error) {
	var out SigningKeys
	if _, err := s.c.do(ctx, http.MethodGet, s.path("signing-keys"), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RotateSigningKeys gives the store a new active signing key of algorithm
// (AlgorithmEdDSA when empty, or AlgorithmES256) and returns it (POST
// /v1/stores/{store}/signing-keys/rotate). The old key stops signing but
// keeps verifying until its tokens have expired. It needs
// gatehouse:PutIssuer on gatehouse:store/<store>/issuer/gatehouse.
func (s *Store) RotateSigningKeys(ctx context.Context, algorithm string) (*SigningKey, error) {
	var body any
	if algorithm != "" {
		body = struct {
			Algorithm string `json:"algorithm"`
		}{algorithm}
	}
	var out struct {
		Active SigningKey `json:"active"`
	}
	if _, err := s.c.do(ctx, http.MethodPost, s.path("signing-keys/rotate"), body, &out); err != nil {
		return nil, err
	}
	return &out.Active, nil
}

// public GETs path without a key and decodes the answer into out.
func (c *Client) public(ctx context.Context, path string, out any) error {
	resp, err := c.roundTrip(ctx, http.MethodGet, path, nil, "", "")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return errorFrom(http.MethodGet, path, resp)
	}
	return decodeAnswer(http.MethodGet, path, resp, out)
}
