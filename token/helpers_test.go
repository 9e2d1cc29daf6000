package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// t0 is the instant the tests verify at.
var t0 = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

// testKey is a signing key with its public JWK.
type testKey struct {
	alg  jose.SignatureAlgorithm
	kid  string
	priv any
	pub  any
}

// jwk returns the public JWK of k as a JSON object.
func (k testKey) jwk(t testing.TB) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKey{Key: k.pub, KeyID: k.kid, Use: "sig"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	rsaKey2  *rsa.PrivateKey
	weakKey  *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	edKey    ed25519.PrivateKey
	evilKey  *rsa.PrivateKey
)

// genKeys generates the test keys once (RSA generation is slow).
func genKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		must := func(e error) {
			if e != nil && err == nil {
				err = e
			}
		}
		rsaKey, err = rsa.GenerateKey(rand.Reader, 2048)
		must(err)
		var e error
		rsaKey2, e = rsa.GenerateKey(rand.Reader, 2048)
		must(e)
		weakKey, e = rsa.GenerateKey(rand.Reader, 1024)
		must(e)
		evilKey, e = rsa.GenerateKey(rand.Reader, 2048)
		must(e)
		ecKey, e = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(e)
		_, edKey, e = ed25519.GenerateKey(rand.Reader)
		must(e)
		if err != nil {
			panic(err)
		}
	})
}

func rsaTestKey(t testing.TB) testKey {
	genKeys(t)
	return testKey{alg: jose.RS256, kid: "rsa-1", priv: rsaKey, pub: &rsaKey.PublicKey}
}

func rsaTestKey2(t testing.TB) testKey {
	genKeys(t)
	return testKey{alg: jose.RS256, kid: "rsa-2", priv: rsaKey2, pub: &rsaKey2.PublicKey}
}

func weakTestKey(t testing.TB) testKey {
	genKeys(t)
	return testKey{alg: jose.RS256, kid: "weak-1", priv: weakKey, pub: &weakKey.PublicKey}
}

func ecTestKey(t testing.TB) testKey {
	genKeys(t)
	return testKey{alg: jose.ES256, kid: "ec-1", priv: ecKey, pub: &ecKey.PublicKey}
}

func edTestKey(t testing.TB) testKey {
	genKeys(t)
	return testKey{alg: jose.EdDSA, kid: "ed-1", priv: edKey, pub: edKey.Public()}
}

// jwks returns a JWK Set of the public keys, plus extra raw keys.
func jwks(t testing.TB, keys []testKey, extra ...json.RawMessage) json.RawMessage {
	t.Helper()
	var all []json.RawMessage
	for _, k := range keys {
		all = append(all, k.jwk(t))
	}
	all = append(all, extra...)
	b, err := json.Marshal(map[string]any{"keys": all})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sign signs claims with k as a compact JWS; header adds header fields
// (a "kid" of "" leaves the kid out).
func sign(t testing.TB, k testKey, claims map[string]any, header map[string]any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	kid := k.kid
	for name, v := range header {
		if name == "kid" {
			kid, _ = v.(string)
			continue
		}
		opts.WithHeader(jose.HeaderKey(name), v)
	}
	if kid != "" {
		opts.WithHeader("kid", kid)
	}
	opts.WithType("JWT")
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

// b64json encodes v as base64url JSON, or a string as it is.
func b64json(t testing.TB, v any) string {
	t.Helper()
	b, ok := v.(string)
	if !ok {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b = string(j)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(b))
}

// claimsFor returns valid claims for issuer URL iss and audience aud, at
// t0, with overrides (a nil value deletes the claim).
func claimsFor(iss, aud string, over map[string]any) map[string]any {
	c := map[string]any{
		"iss": iss, "aud": aud, "sub": "4fbf0c06-user",
		"iat": t0.Add(-time.Minute).Unix(), "nbf": t0.Add(-time.Minute).Unix(),
		"exp": t0.Add(time.Hour).Unix(), "jti": "jti-1",
	}
	for k, v := range over {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// pemOf returns the PEM encoding of an RSA public key, what an attacker
// would use as an HMAC secret.
func pemOf(t testing.TB, pub *rsa.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// fakeClock is a settable clock for key caching.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// idp is an identity provider on loopback: a discovery document and a key
// set, with counters and switches.
type idp struct {
	srv *httptest.Server
	// issuer is what the discovery document says ("" means the server's
	// URL).
	mu           sync.Mutex
	issuer       string
	keys         json.RawMessage
	cacheControl string
	down         bool
	// gate, when set, holds every key set answer until it is closed.
	gate chan struct{}

	discoveries atomic.Int64
	fetches     atomic.Int64
}

func newIDP(t testing.TB, keys json.RawMessage) *idp {
	t.Helper()
	p := &idp{keys: keys}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		p.discoveries.Add(1)
		p.mu.Lock()
		iss, down := p.issuer, p.down
		p.mu.Unlock()
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		if iss == "" {
			iss = p.srv.URL
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": iss, "jwks_uri": p.srv.URL + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		p.fetches.Add(1)
		p.mu.Lock()
		keys, down, cc, gate := p.keys, p.down, p.cacheControl, p.gate
		p.mu.Unlock()
		if gate != nil {
			<-gate
		}
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(keys)
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) URL() string { return p.srv.URL }

func (p *idp) set(f func(p *idp)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

// newTestVerifier returns a Verifier on the fake clock with the options
// adjusted by f.
func newTestVerifier(t testing.TB, clock *fakeClock, f func(o *Options)) *Verifier {
	t.Helper()
	o := Options{Clock: clock.Now}
	if f != nil {
		f(&o)
	}
	v, err := NewVerifier(o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// code returns the code of err ("" for nil), failing on other errors.
func code(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	return e.Code
}

// assertNoToken fails when err's text holds raw or any long part of it.
func assertNoToken(t testing.TB, err error, raw string) {
	t.Helper()
	if err == nil || raw == "" {
		return
	}
	msg := err.Error()
	if strings.Contains(msg, raw) {
		t.Fatalf("the error holds the token: %s", msg)
	}
	for _, part := range strings.Split(raw, ".") {
		if len(part) >= 16 && strings.Contains(msg, part) {
			t.Fatalf("the error holds a part of the token: %s", msg)
		}
	}
}

var bg = context.Background()

func b64decode(t testing.TB, s string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
