package itest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// testKey is a key a test signs tokens with.
type testKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv any
	pub  any
}

var (
	keysOnce sync.Once
	keysErr  error
	// goodKey is the test issuer's RSA key (2048 bits); weakKey an RSA key
	// of 1024 bits, which gatehouse must never use.
	goodKey, weakKey testKey
)

// testKeys generates the keys once for the package (RSA generation is
// slow).
func testKeys(t *testing.T) (good, weak testKey) {
	t.Helper()
	keysOnce.Do(func() {
		g, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			keysErr = err
			return
		}
		w, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			keysErr = err
			return
		}
		goodKey = testKey{kid: "rsa-1", alg: jose.RS256, priv: g, pub: &g.PublicKey}
		weakKey = testKey{kid: "weak-1", alg: jose.RS256, priv: w, pub: &w.PublicKey}
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return goodKey, weakKey
}

// jwksOf is the public JWK Set of keys.
func jwksOf(t *testing.T, keys ...testKey) json.RawMessage {
	t.Helper()
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.pub, KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testIssuer is an identity provider the test controls, on 127.0.0.1: its
// discovery document and its key set (which may hold keys gatehouse must
// skip), and the keys it signs with.
type testIssuer struct {
	srv  *httptest.Server
	jwks json.RawMessage
}

// newTestIssuer serves the public keys of keys at /keys and a discovery
// document naming them.
func newTestIssuer(t *testing.T, keys ...testKey) *testIssuer {
	t.Helper()
	p := &testIssuer{jwks: jwksOf(t, keys...)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/keys"})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(p.jwks)
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// URL is the issuer URL, the iss of its tokens.
func (p *testIssuer) URL() string { return p.srv.URL }

// JWKSURI is where its keys are.
func (p *testIssuer) JWKSURI() string { return p.srv.URL + "/keys" }

// testAudience is the audience of the test issuer's tokens.
const testAudience = "orders-app"

// claims returns valid claims of the issuer for subject sub, now, with
// overrides (a nil value deletes the claim).
func (p *testIssuer) claims(sub string, over map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": p.URL(), "aud": testAudience, "sub": sub, "iat": now.Add(-time.Minute).Unix(),
		"nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(), "jti": randomID()}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// sign signs claims with k as a compact JWS (go-jose), with k's kid unless
// kid is given.
func sign(t *testing.T, k testKey, claims map[string]any, kid ...string) string {
	t.Helper()
	id := k.kid
	if len(kid) > 0 {
		id = kid[0]
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if id != "" {
		opts = opts.WithHeader("kid", id)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// publicKeyPEM is the PEM of an RSA public key: what an attacker who read
// the issuer's JWKS would use as an HMAC secret.
func publicKeyPEM(t *testing.T, k testKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// b64 is base64url without padding of JSON v.
func b64(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// claimsOf decodes the claims of a compact JWS without verifying it.
func claimsOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// jtiOf is the jti of a token.
func jtiOf(t *testing.T, tok string) string {
	t.Helper()
	jti, _ := claimsOf(t, tok)["jti"].(string)
	return jti
}

// randomID is 64 random bits in hex (a jti).
func randomID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
