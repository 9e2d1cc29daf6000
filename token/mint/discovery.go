package mint

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// Paths under a store's issuer URL (API.md §6).
const (
	DiscoveryPath     = "/.well-known/openid-configuration"
	JWKSPath          = "/.well-known/jwks.json"
	TokenPath         = "/oauth2/token"
	IntrospectionPath = "/oauth2/introspect"
	RevocationPath    = "/oauth2/revoke"
)

// Grant types the token endpoint serves (issue 4).
const (
	GrantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange" // RFC 8693
	GrantClientCredentials = "client_credentials"                              // RFC 6749 §4.4
	GrantPassword          = "password"                                        // RFC 6749 §4.3
)

// ErrIssuerURL reports an issuer URL Discovery cannot derive endpoints from.
var ErrIssuerURL = errors.New("mint: issuer URL")

// PublicJWKS returns the public half of every key that still verifies, the
// active one first, each with kid, alg and use "sig". It is what
// /.well-known/jwks.json serves (RFC 7517 §5) and what a go-jose verifier of
// this store's tokens is given.
func (s *KeySet) PublicJWKS() jose.JSONWebKeySet {
	s.mu.RLock()
	defer s.mu.RUnlock()
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(s.keys))}
	for i := len(s.keys) - 1; i >= 0; i-- {
		k := s.keys[i]
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key:       k.priv.Public(),
			KeyID:     k.info.ID,
			Algorithm: string(k.info.Algorithm),
			Use:       "sig",
		})
	}
	return set
}

// PublicJWKSJSON is PublicJWKS as the JSON document to serve.
func (s *KeySet) PublicJWKSJSON() ([]byte, error) {
	return json.Marshal(s.PublicJWKS())
}

// Algorithms lists the algorithms of the keys that still verify, sorted.
func (s *KeySet) Algorithms() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	var out []string
	for _, k := range s.keys {
		if a := string(k.info.Algorithm); !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// Metadata is a store's authorization server metadata (RFC 8414), served as
// its OpenID Connect discovery document. gatehouse has no authorization
// endpoint and issues no ID tokens: the fields OpenID Connect Discovery
// requires anyway are filled with what is true (no response types, public
// subjects, the algorithms its access tokens are signed with), so generic
// OIDC clients can still find the keys.
type Metadata struct {
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

// clientAuthMethods are the client authentication methods the metadata
// announces for the OAuth endpoints (RFC 7591 §2): the API key's id and
// secret in HTTP Basic, or in the form body.
func clientAuthMethods() []string { return []string{"client_secret_basic", "client_secret_post"} }

// Discovery returns the metadata of the issuer at issuerURL (the store's
// <public url>/v1/stores/<store>), every endpoint derived from it, and the
// signing algorithms of the keys that still verify. The OAuth endpoints are
// announced with client authentication client_secret_basic and
// client_secret_post (the API key's id and secret in HTTP Basic or in the
// form body); a server that accepts something else changes those fields. issuerURL must be an
// absolute http or https URL without query, fragment or user info (RFC 8414
// §2); it is kept verbatim as issuer (it must equal the tokens' iss), and a
// trailing slash is not doubled in the endpoints. Whether plain http is
// acceptable is the server's rule (API.md §6), not checked here.
func (s *KeySet) Discovery(issuerURL string) (Metadata, error) {
	u, err := url.Parse(issuerURL)
	if err != nil {
		return Metadata{}, fmt.Errorf("%w: %q does not parse: %v", ErrIssuerURL, issuerURL, err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return Metadata{}, fmt.Errorf("%w: %q must be an absolute http(s) URL", ErrIssuerURL, issuerURL)
	case u.Host == "":
		return Metadata{}, fmt.Errorf("%w: %q has no host", ErrIssuerURL, issuerURL)
	case u.User != nil:
		return Metadata{}, fmt.Errorf("%w: %q may not carry user info", ErrIssuerURL, issuerURL)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(issuerURL, "?#"):
		return Metadata{}, fmt.Errorf("%w: %q may not have a query or fragment (RFC 8414 §2)", ErrIssuerURL, issuerURL)
	}
	base := strings.TrimSuffix(issuerURL, "/")
	algs := s.Algorithms()
	return Metadata{
		Issuer:                            issuerURL,
		JWKSURI:                           base + JWKSPath,
		TokenEndpoint:                     base + TokenPath,
		IntrospectionEndpoint:             base + IntrospectionPath,
		RevocationEndpoint:                base + RevocationPath,
		GrantTypesSupported:               []string{GrantTokenExchange, GrantClientCredentials, GrantPassword},
		TokenEndpointAuthMethodsSupported: clientAuthMethods(),
		IntrospectionEndpointAuthMethodsSupported: clientAuthMethods(),
		RevocationEndpointAuthMethodsSupported:    clientAuthMethods(),
		ResponseTypesSupported:                    []string{},
		SubjectTypesSupported:                     []string{"public"},
		IDTokenSigningAlgValuesSupported:          algs,
	}, nil
}
