package mint

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestDiscovery(t *testing.T) {
	s := newSet(t, EdDSA)
	md, err := s.Discovery(issuer)
	if err != nil {
		t.Fatal(err)
	}
	// API.md §6: discovery and keys under the store's path; RFC 8414 §2 fields.
	want := map[string]any{
		"issuer":                 issuer,
		"jwks_uri":               issuer + "/.well-known/jwks.json",
		"token_endpoint":         issuer + "/oauth2/token",
		"introspection_endpoint": issuer + "/oauth2/introspect",
		"revocation_endpoint":    issuer + "/oauth2/revoke",
		"grant_types_supported": []any{"urn:ietf:params:oauth:grant-type:token-exchange",
			"client_credentials", "password"},
		"token_endpoint_auth_methods_supported":         []any{"client_secret_basic", "client_secret_post"},
		"introspection_endpoint_auth_methods_supported": []any{"client_secret_basic", "client_secret_post"},
		"revocation_endpoint_auth_methods_supported":    []any{"client_secret_basic", "client_secret_post"},
		"response_types_supported":                      []any{},
		"subject_types_supported":                       []any{"public"},
		"id_token_signing_alg_values_supported":         []any{"EdDSA"},
	}
	data, err := json.Marshal(md)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("%d fields, want %d: %s", len(got), len(want), data)
	}
	for k, v := range want {
		g, _ := json.Marshal(got[k])
		w, _ := json.Marshal(v)
		if string(g) != string(w) {
			t.Errorf("%s = %s, want %s", k, g, w)
		}
	}

	// After a rotation to ES256 both algorithms verify, so both are listed.
	if _, err := s.Rotate(ES256, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	md, _ = s.Discovery(issuer + "/")
	if !slices.Equal(md.IDTokenSigningAlgValuesSupported, []string{"ES256", "EdDSA"}) {
		t.Errorf("algs after rotation: %v", md.IDTokenSigningAlgValuesSupported)
	}
	if md.Issuer != issuer+"/" || md.TokenEndpoint != issuer+"/oauth2/token" {
		t.Errorf("trailing slash: issuer %s, token endpoint %s", md.Issuer, md.TokenEndpoint)
	}
}

func TestDiscoveryRefusesIssuerURL(t *testing.T) {
	s := newSet(t, EdDSA)
	for _, u := range []string{
		"",
		"gh.example/v1/stores/shop",
		"/v1/stores/shop",
		"ftp://gh.example/v1/stores/shop",
		"https:///v1/stores/shop",
		"https://user:pw@gh.example/v1/stores/shop",
		"https://gh.example/v1/stores/shop?x=1",
		"https://gh.example/v1/stores/shop?",
		"https://gh.example/v1/stores/shop#frag",
		"https://gh.example/%zz",
	} {
		if _, err := s.Discovery(u); !errors.Is(err, ErrIssuerURL) {
			t.Errorf("Discovery(%q): err = %v, want ErrIssuerURL", u, err)
		}
	}
	if _, err := s.Discovery("http://127.0.0.1:8080/v1/stores/shop"); err != nil {
		t.Errorf("loopback http: %v", err)
	}
}
