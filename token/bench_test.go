package token

import (
	"testing"
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
