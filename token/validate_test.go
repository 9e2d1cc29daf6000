package token

import (
	"encoding/json"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/policy"
	jose "github.com/go-jose/go-jose/v4"
)

// TestValidate checks every rule of Issuer.Validate: each case names the
// finding (severity, code, pointer) and a part of its message.
func TestValidate(t *testing.T) {
	rk, ek, wk := rsaTestKey(t), ecTestKey(t), weakTestKey(t)
	ok := Issuer{Name: "cognito", Issuer: "https://idp.example.com", Audiences: []string{"app"}}
	privJWK, _ := json.Marshal(jose.JSONWebKey{Key: rsaKey, KeyID: "priv"})
	octJWK := json.RawMessage(`{"kty":"oct","kid":"sym","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}`)
	encJWK := json.RawMessage(`{"kty":"RSA","use":"enc","kid":"e","n":"AQAB","e":"AQAB"}`)
	cases := []struct {
		name    string
		mod     func(i *Issuer)
		sev     policy.Severity
		code    string
		pointer string
		msg     string
	}{
		{"name empty", func(i *Issuer) { i.Name = "" }, policy.SeverityError, codeIssuerName, "/name", "empty"},
		{"name with a colon", func(i *Issuer) { i.Name = "a:b" }, policy.SeverityError, codeIssuerName, "/name", `':' at byte 2`},
		{"name upper case", func(i *Issuer) { i.Name = "Cognito" }, policy.SeverityError, codeIssuerName, "/name", "lower-case"},
		{"name too long", func(i *Issuer) { i.Name = strings.Repeat("a", 65) }, policy.SeverityError, codeIssuerName, "/name", "at most 64"},
		{"issuer missing", func(i *Issuer) { i.Issuer = "" }, policy.SeverityError, codeIssuerURL, "/issuer", "required"},
		{"issuer http", func(i *Issuer) { i.Issuer = "http://idp.example.com" }, policy.SeverityError, codeIssuerURL, "/issuer", "use https"},
		{"issuer http on 10.0.0.1", func(i *Issuer) { i.Issuer = "http://10.0.0.1:8080" }, policy.SeverityError, codeIssuerURL, "/issuer", "loopback"},
		{"issuer relative", func(i *Issuer) { i.Issuer = "idp.example.com" }, policy.SeverityError, codeIssuerURL, "/issuer", "absolute"},
		{"issuer with a query", func(i *Issuer) { i.Issuer = "https://idp.example.com/?tenant=1" }, policy.SeverityError, codeIssuerURL, "/issuer", "query"},
		{"issuer with a fragment", func(i *Issuer) { i.Issuer = "https://idp.example.com/#x" }, policy.SeverityError, codeIssuerURL, "/issuer", "fragment"},
		{"issuer with a password", func(i *Issuer) { i.Issuer = "https://u:p@idp.example.com" }, policy.SeverityError, codeIssuerURL, "/issuer", "password"},
		{"issuer ftp", func(i *Issuer) { i.Issuer = "ftp://idp.example.com" }, policy.SeverityError, codeIssuerURL, "/issuer", "scheme"},
		{"audiences empty", func(i *Issuer) { i.Audiences = nil }, policy.SeverityError, codeIssuerAudience, "/audiences", "client id"},
		{"audience empty", func(i *Issuer) { i.Audiences = []string{"app", ""} }, policy.SeverityError, codeIssuerAudience, "/audiences/1", "empty"},
		{"audience twice", func(i *Issuer) { i.Audiences = []string{"app", "app"} }, policy.SeverityWarning, codeIssuerDuplicate, "/audiences/1", "twice"},
		{"algorithms empty", func(i *Issuer) { i.Algorithms = []string{} }, policy.SeverityError, codeIssuerAlgorithm, "/algorithms", "leave it out"},
		{"algorithm none", func(i *Issuer) { i.Algorithms = []string{"RS256", "none"} }, policy.SeverityError, codeIssuerAlgorithm, "/algorithms/1", "never accepted"},
		{"algorithm HS256", func(i *Issuer) { i.Algorithms = []string{"HS256"} }, policy.SeverityError, codeIssuerAlgorithm, "/algorithms/0", "HMAC"},
		{"algorithm lower case", func(i *Issuer) { i.Algorithms = []string{"rs256"} }, policy.SeverityError, codeIssuerAlgorithm, "/algorithms/0", "did you mean RS256?"},
		{"algorithm unknown", func(i *Issuer) { i.Algorithms = []string{"ML-DSA-44"} }, policy.SeverityError, codeIssuerAlgorithm, "/algorithms/0", "not one gatehouse accepts"},
		{"jwks_uri http", func(i *Issuer) { i.JWKSURI = "http://idp.example.com/keys" }, policy.SeverityError, codeIssuerURL, "/jwks_uri", "use https"},
		{"jwks and jwks_uri", func(i *Issuer) { i.JWKSURI = "https://idp.example.com/keys"; i.JWKS = jwks(t, []testKey{rk}) }, policy.SeverityError, codeIssuerJWKS, "/jwks", "not both"},
		{"jwks not a set", func(i *Issuer) { i.JWKS = json.RawMessage(`[1]`) }, policy.SeverityError, codeIssuerJWKS, "/jwks", "not a JWK Set"},
		{"jwks without keys", func(i *Issuer) { i.JWKS = json.RawMessage(`{"keys":[]}`) }, policy.SeverityError, codeIssuerJWKS, "/jwks/keys", "no keys"},
		{"jwks 1024-bit RSA", func(i *Issuer) { i.JWKS = jwks(t, []testKey{rk, wk}) }, policy.SeverityError, codeIssuerKey, "/jwks/keys/1", `key 1 (kid "weak-1") is a 1024-bit RSA key`},
		{"jwks symmetric key", func(i *Issuer) { i.JWKS = jwks(t, []testKey{rk}, octJWK) }, policy.SeverityError, codeIssuerKey, "/jwks/keys/1", "symmetric"},
		{"jwks private key", func(i *Issuer) { i.JWKS = jwks(t, nil, privJWK) }, policy.SeverityError, codeIssuerKey, "/jwks/keys/0", "private key material"},
		{"jwks encryption key", func(i *Issuer) { i.JWKS = jwks(t, []testKey{rk}, encJWK) }, policy.SeverityWarning, codeIssuerUnusedKey, "/jwks/keys/1", "use is \"enc\""},
		{"jwks key for no allowed algorithm", func(i *Issuer) { i.JWKS = jwks(t, []testKey{ek}); i.Algorithms = []string{"RS256"} }, policy.SeverityError, codeIssuerJWKS, "/algorithms", "EC P-256"},
		{"attribute claim empty", func(i *Issuer) { i.AttributeClaims = []string{""} }, policy.SeverityError, codeIssuerClaim, "/attribute_claims/0", "empty"},
		{"attribute claim twice", func(i *Issuer) { i.AttributeClaims = []string{"a", "a"} }, policy.SeverityWarning, codeIssuerDuplicate, "/attribute_claims/1", "twice"},
		{"principal claim too long", func(i *Issuer) { i.PrincipalClaim = strings.Repeat("c", 257) }, policy.SeverityError, codeIssuerClaim, "/principal_claim", "at most 256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			i := ok.WithDefaults()
			i.Algorithms = nil
			c.mod(&i)
			fs := i.Validate()
			for _, f := range fs {
				if f.Severity == c.sev && f.Code == c.code && f.Pointer == c.pointer && strings.Contains(f.Message, c.msg) {
					return
				}
			}
			t.Fatalf("no %s %s at %s with %q in %v", c.sev, c.code, c.pointer, c.msg, fs)
		})
	}

	// Valid configurations, loopback http included.
	for _, good := range []Issuer{
		ok,
		{Name: "dev", Issuer: "http://127.0.0.1:8080", Audiences: []string{"app"}},
		{Name: "dev6", Issuer: "http://[::1]:8080/realms/x", Audiences: []string{"app"}},
		{Name: "local_1", Issuer: "http://localhost:9000", Audiences: []string{"app"}, JWKSURI: "http://localhost:9000/keys?v=1"},
		{Name: "auth0", Issuer: "https://tenant.eu.auth0.com/", Audiences: []string{"https://api.example.com"}, Algorithms: []string{"RS256", "PS256"}},
		{Name: "inline", Issuer: "https://idp.example.com", Audiences: []string{"app"}, JWKS: jwks(t, []testKey{rk, ek})},
	} {
		if fs := good.Validate(); len(fs) > 0 {
			t.Errorf("%s: %v", good.Name, fs)
		}
	}
}

// TestDecodeIssuer checks the strict decoding of an issuer body.
func TestDecodeIssuer(t *testing.T) {
	cases := []struct {
		name, body string
		code       string // "" for success
		pointer    string
		msg        string
	}{
		{"minimal", `{"issuer": "https://idp.example.com", "audiences": ["app"]}`, "", "", ""},
		{"all fields", `{"name": "cognito", "issuer": "https://idp.example.com", "audiences": ["app"], "audience_claim": "client_id",
			"jwks_uri": "https://idp.example.com/keys", "algorithms": ["RS256"], "principal_claim": "cognito:username",
			"attribute_claims": ["custom:companyId"]}`, "", "", ""},
		{"nulls", `{"issuer": "https://idp.example.com", "audiences": ["app"], "jwks": null, "algorithms": null}`, "", "", ""},
		{"unknown field", `{"issuer": "https://idp.example.com", "audiences": ["app"], "audience": "x"}`, codeIssuerUnknown, "/audience", "did you mean audiences?"},
		{"duplicate key", `{"issuer": "https://idp.example.com", "issuer": "https://evil.example", "audiences": ["app"]}`, codeIssuerSyntax, "", "twice"},
		{"wrong type", `{"issuer": "https://idp.example.com", "audiences": "app"}`, codeIssuerType, "/audiences", "a list of strings"},
		{"jwks a string", `{"issuer": "https://idp.example.com", "audiences": ["app"], "jwks": "x"}`, codeIssuerType, "/jwks", "JSON object"},
		{"name disagrees", `{"name": "other", "issuer": "https://idp.example.com", "audiences": ["app"]}`, codeIssuerName, "/name", "URL names it"},
		{"not an object", `[]`, codeIssuerType, "", "JSON object"},
		{"broken JSON", `{"issuer": `, codeIssuerSyntax, "", "not valid JSON"},
		{"trailing data", `{"issuer": "https://idp.example.com", "audiences": ["app"]} {}`, codeIssuerSyntax, "", "more after"},
		{"invalid", `{"issuer": "http://idp.example.com", "audiences": []}`, codeIssuerURL, "/issuer", "https"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iss, fs, err := DecodeIssuer("cognito", []byte(c.body))
			if c.code == "" {
				if err != nil {
					t.Fatalf("%v %v", err, fs)
				}
				if iss.Name != "cognito" {
					t.Errorf("name %q", iss.Name)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted: %+v", iss)
			}
			for _, f := range fs {
				if f.Code == c.code && f.Pointer == c.pointer && strings.Contains(f.Message, c.msg) {
					return
				}
			}
			t.Fatalf("no %s at %q with %q in %v", c.code, c.pointer, c.msg, fs)
		})
	}
	// Round trip: what is stored decodes to the same issuer.
	in := Issuer{Name: "cognito", Issuer: "https://idp.example.com", Audiences: []string{"app"}, AudienceClaim: "client_id", JWKS: jwks(t, []testKey{rsaTestKey(t)})}
	b, _ := json.Marshal(in)
	out, _, err := DecodeIssuer("cognito", b)
	if err != nil || !sameConfig(&in, &out) {
		t.Fatalf("round trip: %v\n%+v\n%+v", err, in, out)
	}
}
