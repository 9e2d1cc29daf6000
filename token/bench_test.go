package token

import (
	"crypto/rand"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/token/mint"
)

// BenchmarkVerify measures verification of an identity provider's token
// by algorithm, through the verified-token cache (every call after the
// first is a hit) and without it (every call checks the signature).
// Keys are inline, so no network is involved.
func BenchmarkVerify(b *testing.B) {
	const iss = "https://idp.example.com"
	for _, k := range []testKey{rsaTestKey(b), ecTestKey(b), edTestKey(b)} {
		issuers := []Issuer{{Name: "idp", Issuer: iss, Audiences: []string{"app"}, JWKS: jwks(b, []testKey{k}),
			Algorithms: []string{string(k.alg)}, AttributeClaims: []string{"custom:companyId"}}}
		raw := sign(b, k, claimsFor(iss, "app", map[string]any{"custom:companyId": "acme", "cognito:groups": []string{"admins"}}), nil)
		for _, mode := range []struct {
			name    string
			entries int
		}{{"cache", 0}, {"nocache", -1}} {
			b.Run(string(k.alg)+"/"+mode.name, func(b *testing.B) {
				v, err := NewVerifier(Options{CacheEntries: mode.entries})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := v.Verify(bg, raw, issuers, t0); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := v.Verify(bg, raw, issuers, t0); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerifyStoreToken measures verification of an access token that
// gatehouse minted as a store's issuer (EdDSA, the default, and ES256),
// with and without the verified-token cache.
func BenchmarkVerifyStoreToken(b *testing.B) {
	const url = "https://gatehouse.example.com/v1/stores/default"
	for _, alg := range []mint.Algorithm{mint.EdDSA, mint.ES256} {
		ks, err := mint.NewKeySet(alg, t0, rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		issuers := []Issuer{storeIssuer(b, "gatehouse", url, ks)}
		raw := mintToken(b, ks, url, "alice", t0).Value
		now := t0.Add(time.Minute)
		for _, mode := range []struct {
			name    string
			entries int
		}{{"cache", 0}, {"nocache", -1}} {
			b.Run(string(alg)+"/"+mode.name, func(b *testing.B) {
				v, err := NewVerifier(Options{CacheEntries: mode.entries})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := v.Verify(bg, raw, issuers, now); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := v.Verify(bg, raw, issuers, now); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
