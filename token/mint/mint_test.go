package mint

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const issuer = "https://gh.example/v1/stores/shop"

// seeded is a deterministic random source for tests.
func seeded(n uint64) *rand.ChaCha8 {
	var seed [32]byte
	seed[0] = byte(n)
	return rand.NewChaCha8(seed)
}

func newSet(t testing.TB, alg Algorithm) *KeySet {
	t.Helper()
	s, err := NewKeySet(alg, t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func userClaims() Claims {
	return Claims{Issuer: issuer, Subject: "alice", Audience: []string{issuer}, ClientID: "key-1", Kind: KindUser}
}

// verify checks a token the way an RFC 9068 resource server would, with
// go-jose and the set's public JWKS, and returns its header and claims.
func verify(t *testing.T, jwks jose.JSONWebKeySet, token string, at time.Time) (jose.Header, map[string]any, error) {
	t.Helper()
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA, jose.ES256})
	if err != nil {
		return jose.Header{}, nil, err
	}
	var std jwt.Claims
	var all map[string]any
	if err := tok.Claims(jwks, &std, &all); err != nil {
		return tok.Headers[0], nil, err
	}
	if err := std.Validate(jwt.Expected{Issuer: issuer, AnyAudience: jwt.Audience{issuer}, Time: at}); err != nil {
		return tok.Headers[0], nil, err
	}
	return tok.Headers[0], all, nil
}

func TestMintVerifiesWithPublicJWKS(t *testing.T) {
	for _, alg := range []Algorithm{EdDSA, ES256} {
		t.Run(string(alg), func(t *testing.T) {
			s := newSet(t, alg)
			tok, err := s.Mint(userClaims(), t0, 15*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			h, claims, err := verify(t, s.PublicJWKS(), tok.Value, t0.Add(time.Minute))
			if err != nil {
				t.Fatalf("go-jose refuses the minted token: %v", err)
			}
			if h.Algorithm != string(alg) || h.KeyID != s.Active().ID || h.KeyID != tok.KeyID {
				t.Errorf("header alg=%s kid=%s, want %s %s", h.Algorithm, h.KeyID, alg, s.Active().ID)
			}
			// RFC 9068 §2.1: typ is at+jwt.
			if typ := h.ExtraHeaders[jose.HeaderType]; typ != TokenType {
				t.Errorf("typ = %v, want %s", typ, TokenType)
			}
			want := map[string]any{
				"iss": issuer, "sub": "alice", "aud": issuer, "client_id": "key-1", "gh:kind": "user",
				"iat": float64(t0.Unix()), "nbf": float64(t0.Unix()), "exp": float64(t0.Add(15 * time.Minute).Unix()),
				"jti": tok.ID,
			}
			if len(claims) != len(want) {
				t.Errorf("claims %v, want exactly %v", claims, want)
			}
			for k, v := range want {
				if claims[k] != v {
					t.Errorf("claim %s = %v, want %v", k, claims[k], v)
				}
			}
			if !tok.IssuedAt.Equal(t0) || !tok.ExpiresAt.Equal(t0.Add(15*time.Minute)) {
				t.Errorf("Token times %s %s", tok.IssuedAt, tok.ExpiresAt)
			}
			// The token is refused once expired (past go-jose's one-minute leeway), and by another set's keys.
			if _, _, err := verify(t, s.PublicJWKS(), tok.Value, t0.Add(17*time.Minute)); err == nil {
				t.Error("an expired token verified")
			}
			if _, _, err := verify(t, newSet(t, alg).PublicJWKS(), tok.Value, t0); err == nil {
				t.Error("another store's keys verified the token")
			}
		})
	}
}

func TestMintClaims(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Claims)
		want   map[string]any // claims to find in the token
		absent []string
		err    string // substring of the error; "" for success
	}{
		{name: "session with sid", edit: func(c *Claims) { c.Kind, c.SessionID = KindSession, "s-123" },
			want: map[string]any{"gh:kind": "session", "gh:sid": "s-123"}},
		{name: "app", edit: func(c *Claims) { c.Kind = KindApp }, want: map[string]any{"gh:kind": "app"}, absent: []string{"gh:sid"}},
		{name: "several audiences are an array", edit: func(c *Claims) { c.Audience = []string{"a", "b"} },
			want: map[string]any{"aud": []any{"a", "b"}}},
		{name: "extra claims", edit: func(c *Claims) { c.Extra = map[string]any{"scope": "orders:read", "auth_time": 5} },
			want: map[string]any{"scope": "orders:read", "auth_time": float64(5)}},
		{name: "missing everything", edit: func(c *Claims) { *c = Claims{} },
			err: "missing Issuer (iss), Subject (sub), Audience (aud), ClientID (client_id), Kind (gh:kind)"},
		{name: "empty audience", edit: func(c *Claims) { c.Audience = []string{""} }, err: "empty audience"},
		{name: "unknown kind", edit: func(c *Claims) { c.Kind = "robot" }, err: `kind "robot"`},
		{name: "session without sid", edit: func(c *Claims) { c.Kind = KindSession }, err: "needs SessionID"},
		{name: "sid on a user token", edit: func(c *Claims) { c.SessionID = "s" }, err: "only for kind"},
		{name: "extra overrides sub", edit: func(c *Claims) { c.Extra = map[string]any{"sub": "root"} }, err: `"sub" is set by Mint`},
		{name: "extra overrides exp", edit: func(c *Claims) { c.Extra = map[string]any{"exp": 1} }, err: `"exp"`},
		{name: "extra in gh: namespace", edit: func(c *Claims) { c.Extra = map[string]any{"gh:roles": "admin"} }, err: `"gh:roles"`},
		{name: "extra not JSON", edit: func(c *Claims) { c.Extra = map[string]any{"f": func() {}} }, err: "marshal"},
		{name: "too large", edit: func(c *Claims) { c.Extra = map[string]any{"blob": strings.Repeat("x", MaxTokenBytes)} }, err: "bytes, more than"},
	}
	s := newSet(t, EdDSA)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := userClaims()
			tt.edit(&c)
			tok, err := s.Mint(c, t0, time.Hour)
			if tt.err != "" {
				if err == nil || !errors.Is(err, ErrClaims) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want ErrClaims containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, claims, err := verify(t, s.PublicJWKS(), tok.Value, t0)
			if err != nil && !strings.Contains(err.Error(), "audience") {
				t.Fatal(err)
			}
			if claims == nil { // audience differs from the default: read unverified
				parsed, _ := jwt.ParseSigned(tok.Value, []jose.SignatureAlgorithm{jose.EdDSA})
				if err := parsed.Claims(s.PublicJWKS(), &claims); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range tt.want {
				if fmt.Sprint(claims[k]) != fmt.Sprint(v) {
					t.Errorf("claim %s = %#v, want %#v", k, claims[k], v)
				}
			}
			for _, k := range tt.absent {
				if _, ok := claims[k]; ok {
					t.Errorf("claim %s present", k)
				}
			}
		})
	}
}

func TestMintTTL(t *testing.T) {
	s := newSet(t, EdDSA)
	for _, ttl := range []time.Duration{0, -time.Second, MaxTokenLifetime + time.Second} {
		if _, err := s.Mint(userClaims(), t0, ttl); !errors.Is(err, ErrClaims) {
			t.Errorf("ttl %s: err = %v, want ErrClaims", ttl, err)
		}
	}
	if _, err := s.Mint(userClaims(), t0, MaxTokenLifetime); err != nil {
		t.Errorf("ttl MaxTokenLifetime: %v", err)
	}
}

func TestMintIDsAreRandom(t *testing.T) {
	s := newSet(t, EdDSA)
	seen := map[string]bool{}
	for range 1000 {
		tok, err := s.Mint(userClaims(), t0, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok.ID)
		if err != nil || len(raw) != IDBytes {
			t.Fatalf("jti %q is not %d base64url bytes", tok.ID, IDBytes)
		}
		if seen[tok.ID] {
			t.Fatalf("jti %s repeated", tok.ID)
		}
		seen[tok.ID] = true
	}
}

func TestMintRandomFailure(t *testing.T) {
	s, err := NewKeySet(EdDSA, t0, bytes.NewReader(make([]byte, 32))) // exactly one Ed25519 seed
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Mint(userClaims(), t0, time.Minute); err == nil || !strings.Contains(err.Error(), "random") {
		t.Errorf("err = %v, want a random source error", err)
	}
}

func TestRotateOldTokensStillVerify(t *testing.T) {
	for _, algs := range [][2]Algorithm{{EdDSA, EdDSA}, {EdDSA, ES256}, {ES256, EdDSA}} {
		t.Run(fmt.Sprint(algs[0], "→", algs[1]), func(t *testing.T) {
			s := newSet(t, algs[0])
			old, err := s.Mint(userClaims(), t0, MaxTokenLifetime)
			if err != nil {
				t.Fatal(err)
			}
			rotatedAt := t0.Add(time.Minute)
			info, err := s.Rotate(algs[1], rotatedAt)
			if err != nil {
				t.Fatal(err)
			}
			if info.ID == old.KeyID || info.Algorithm != algs[1] || !info.Active() {
				t.Fatalf("Rotate gave %+v", info)
			}
			fresh, err := s.Mint(userClaims(), rotatedAt, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if fresh.KeyID != info.ID {
				t.Errorf("a token minted after Rotate has kid %s, want the new %s", fresh.KeyID, info.ID)
			}
			jwks := s.PublicJWKS()
			if len(jwks.Keys) != 2 || jwks.Keys[0].KeyID != info.ID {
				t.Fatalf("JWKS after Rotate: %d keys, first %s", len(jwks.Keys), jwks.Keys[0].KeyID)
			}
			for _, tok := range []Token{old, fresh} {
				if _, _, err := verify(t, jwks, tok.Value, rotatedAt); err != nil {
					t.Errorf("token of %s no longer verifies after Rotate: %v", tok.KeyID, err)
				}
			}
			keys := s.Keys()
			until := rotatedAt.Add(MaxTokenLifetime + RetentionMargin)
			if !keys[0].RetiredAt.Equal(rotatedAt) || !keys[0].VerifiesUntil.Equal(until) {
				t.Errorf("retired key %+v, want retired at %s, verifying until %s", keys[0], rotatedAt, until)
			}
			// The old key's last token expires at t0+12h; it is kept past that.
			if gone := s.Prune(old.ExpiresAt); gone != nil {
				t.Errorf("Prune at the last token's expiry dropped %v", gone)
			}
			if gone := s.Prune(until); len(gone) != 1 || gone[0] != old.KeyID {
				t.Fatalf("Prune at VerifiesUntil dropped %v, want [%s]", gone, old.KeyID)
			}
			jwks = s.PublicJWKS()
			if len(jwks.Keys) != 1 || len(jwks.Key(old.KeyID)) != 0 {
				t.Errorf("old kid still published after Prune")
			}
			if _, _, err := verify(t, jwks, old.Value, rotatedAt); err == nil {
				t.Error("a token of a pruned key still verifies")
			}
			if _, _, err := verify(t, jwks, fresh.Value, rotatedAt); err != nil {
				t.Errorf("the active key's token: %v", err)
			}
		})
	}
}

func TestRotateBoundAndDrop(t *testing.T) {
	s := newSet(t, EdDSA)
	at := t0
	for i := 1; i < MaxKeys; i++ {
		at = at.Add(time.Minute)
		if _, err := s.Rotate("", at); err != nil {
			t.Fatalf("rotation %d: %v", i, err)
		}
	}
	if _, err := s.Rotate("", at.Add(time.Minute)); !errors.Is(err, ErrTooManyKeys) {
		t.Fatalf("rotation past MaxKeys: err = %v, want ErrTooManyKeys", err)
	}
	if n := len(s.Keys()); n != MaxKeys {
		t.Fatalf("a refused Rotate changed the set: %d keys", n)
	}
	first := s.Keys()[0]
	if err := s.Drop(s.Active().ID); !errors.Is(err, ErrActiveKey) {
		t.Errorf("Drop(active): %v, want ErrActiveKey", err)
	}
	if err := s.Drop("nope"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Drop(unknown): %v, want ErrUnknownKey", err)
	}
	if err := s.Drop(first.ID); err != nil {
		t.Fatal(err)
	}
	if len(ptr(s.PublicJWKS()).Key(first.ID)) != 0 {
		t.Error("a dropped key is still published")
	}
	if _, err := s.Rotate("", at.Add(time.Minute)); err != nil {
		t.Errorf("Rotate after Drop: %v", err)
	}
	// Once the oldest retired keys are past VerifiesUntil, Rotate prunes them.
	if _, err := s.Rotate("", at.Add(MaxTokenLifetime+RetentionMargin)); err != nil {
		t.Errorf("Rotate after the retired keys expired: %v", err)
	}
}

func TestNewKeySetAlgorithms(t *testing.T) {
	tests := []struct {
		alg  Algorithm
		want Algorithm
		err  error
	}{
		{"", EdDSA, nil},
		{EdDSA, EdDSA, nil},
		{ES256, ES256, nil},
		{"RS256", "", ErrAlgorithm},
		{"HS256", "", ErrAlgorithm},
		{"none", "", ErrAlgorithm},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			s, err := NewKeySet(tt.alg, t0, seeded(1))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && s.Active().Algorithm != tt.want {
				t.Errorf("alg %s, want %s", s.Active().Algorithm, tt.want)
			}
		})
	}
	// Ed25519 keys come from the given reader: the same seed, the same kid.
	a, _ := NewKeySet(EdDSA, t0, seeded(7))
	b, _ := NewKeySet(EdDSA, t0, seeded(7))
	if a.Active().ID != b.Active().ID {
		t.Error("Ed25519 key generation ignored the given random source")
	}
}

func TestPublicJWKSHasNoPrivateParts(t *testing.T) {
	s := newSet(t, EdDSA)
	if _, err := s.Rotate(ES256, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	doc, err := s.PublicJWKSJSON()
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Keys) != 2 {
		t.Fatalf("%d keys", len(got.Keys))
	}
	for _, k := range got.Keys {
		if _, ok := k["d"]; ok {
			t.Errorf("a published key carries its private part: %v", k["kid"])
		}
		if k["use"] != "sig" || k["kid"] == "" || (k["alg"] != "EdDSA" && k["alg"] != "ES256") {
			t.Errorf("published key %v lacks use/kid/alg", k)
		}
	}
	if got.Keys[0]["alg"] != "ES256" {
		t.Errorf("the active key is not first")
	}
}

func TestTokenRedacted(t *testing.T) {
	s := newSet(t, EdDSA)
	tok, err := s.Mint(userClaims(), t0, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("minted", "token", tok)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("minted", "token", tok)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", tok), "%+v": fmt.Sprintf("%+v", tok), "%#v": fmt.Sprintf("%#v", tok),
		"%s": fmt.Sprintf("%s", tok), "%q": fmt.Sprintf("%q", tok), "slog": logged.String(),
	}
	sig := tok.Value[strings.LastIndexByte(tok.Value, '.')+1:]
	for name, out := range outputs {
		if strings.Contains(out, sig) || strings.Contains(out, tok.Value[:20]) {
			t.Errorf("%s shows the token: %s", name, out)
		}
		if !strings.Contains(out, tok.ID) {
			t.Errorf("%s does not name the jti: %s", name, out)
		}
	}
}

func BenchmarkMint(b *testing.B) {
	for _, alg := range []Algorithm{EdDSA, ES256} {
		b.Run(string(alg), func(b *testing.B) {
			s := newSet(b, alg)
			c := userClaims()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Mint(c, t0, time.Hour); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestConcurrentMintAndRotate runs Mint, Rotate, Prune, PublicJWKS and
// Marshal at once (meant for -race); every token must verify with the JWKS
// read after it was minted.
func TestConcurrentMintAndRotate(t *testing.T) {
	s := newSet(t, EdDSA)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				tok, err := s.Mint(userClaims(), t0, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if _, _, err := verify(t, s.PublicJWKS(), tok.Value, t0); err != nil {
					t.Errorf("token of %s: %v", tok.KeyID, err)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 10 {
			if _, err := s.Rotate("", t0.Add(time.Duration(i)*time.Second)); err != nil {
				t.Error(err)
			}
			s.Prune(t0)
			if _, err := s.Marshal(); err != nil {
				t.Error(err)
			}
			_ = s.String()
		}
	})
	wg.Wait()
}
