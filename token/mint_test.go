package token

import (
	"crypto/rand"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/token/mint"
)

// storeIssuer returns the Issuer a server would build for a store's own
// keys: its issuer URL and its public JWKS inline.
func storeIssuer(t testing.TB, name, url string, ks *mint.KeySet) Issuer {
	t.Helper()
	keys, err := ks.PublicJWKSJSON()
	if err != nil {
		t.Fatal(err)
	}
	return Issuer{Name: name, Issuer: url, Audiences: []string{"gatehouse"}, JWKS: keys, Algorithms: ks.Algorithms()}
}

// mintToken mints an access token of store url for subject sub.
func mintToken(t testing.TB, ks *mint.KeySet, url, sub string, now time.Time) mint.Token {
	t.Helper()
	tok, err := ks.Mint(mint.Claims{Issuer: url, Subject: sub, Audience: []string{"gatehouse"}, ClientID: "orders-api", Kind: mint.KindUser}, now, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestStoreTokens: tokens that gatehouse mints as a store's issuer (API.md
// §6) verify against that store's keys, inline, whatever its public URL;
// a token of store A is refused in store B; rotation keeps old tokens
// valid until their key is dropped.
func TestStoreTokens(t *testing.T) {
	for _, alg := range []mint.Algorithm{mint.EdDSA, mint.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			const urlA, urlB = "http://gatehouse.internal:8080/v1/stores/a", "http://gatehouse.internal:8080/v1/stores/b"
			ksA, err := mint.NewKeySet(alg, t0, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			ksB, err := mint.NewKeySet(alg, t0, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			v := newTestVerifier(t, newFakeClock(), nil)
			storeA := []Issuer{storeIssuer(t, "gatehouse", urlA, ksA)}
			storeB := []Issuer{storeIssuer(t, "gatehouse", urlB, ksB)}

			tok := mintToken(t, ksA, urlA, "alice", t0)
			res, err := v.Verify(bg, tok.Value, storeA, t0.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if res.PrincipalValue != "alice" || res.ID != tok.ID || res.KeyID != tok.KeyID || res.Claims["gh:kind"] != "user" {
				t.Errorf("result %+v", res)
			}
			if _, err := v.Verify(bg, tok.Value, storeB, t0.Add(time.Minute)); code(t, err) != CodeUnknownIssuer {
				t.Errorf("store A's token in store B: %v", err)
			}
			// Store B's issuer given store A's URL (a misconfiguration):
			// still refused, by the key.
			confused := []Issuer{storeIssuer(t, "gatehouse", urlA, ksB)}
			if _, err := v.Verify(bg, tok.Value, confused, t0.Add(time.Minute)); code(t, err) != CodeUnknownKey {
				t.Errorf("store A's token against store B's keys: %v", err)
			}

			// Rotation: the old key keeps verifying until dropped.
			if _, err := ksA.Rotate(alg, t0.Add(2*time.Minute)); err != nil {
				t.Fatal(err)
			}
			storeA = []Issuer{storeIssuer(t, "gatehouse", urlA, ksA)}
			fresh := mintToken(t, ksA, urlA, "bob", t0.Add(2*time.Minute))
			for _, raw := range []string{tok.Value, fresh.Value} {
				if _, err := v.Verify(bg, raw, storeA, t0.Add(3*time.Minute)); err != nil {
					t.Fatalf("after rotation: %v", err)
				}
			}
			if err := ksA.Drop(tok.KeyID); err != nil {
				t.Fatal(err)
			}
			storeA = []Issuer{storeIssuer(t, "gatehouse", urlA, ksA)}
			if _, err := v.Verify(bg, tok.Value, storeA, t0.Add(3*time.Minute)); code(t, err) != CodeUnknownKey {
				t.Fatalf("token of a dropped key: %v", err)
			}
		})
	}
}
