package token

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCognito: Cognito's two token kinds (AWS docs, "Understanding user
// pool JSON web tokens"): the ID token carries aud (the app client id) and
// cognito:username; the access token carries client_id and no aud.
func TestCognito(t *testing.T) {
	k := rsaTestKey(t)
	const iss = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCd123"
	const client = "1example23456789"
	keys := jwks(t, []testKey{k})
	idToken := sign(t, k, claimsFor(iss, client, map[string]any{
		"token_use": "id", "cognito:username": "alice", "custom:companyId": "acme",
		"cognito:groups": []string{"admins", "staff"},
	}), nil)
	accessToken := sign(t, k, claimsFor(iss, "", map[string]any{
		"aud": nil, "token_use": "access", "client_id": client, "username": "alice",
		"scope": "orders/read",
	}), nil)
	idIssuer := Issuer{Name: "cognito", Issuer: iss, Audiences: []string{client}, JWKS: keys,
		PrincipalClaim: "cognito:username", AttributeClaims: []string{"custom:companyId", "cognito:groups", "missing"}}
	accessIssuer := Issuer{Name: "cognito-access", Issuer: iss, Audiences: []string{client}, JWKS: keys,
		AudienceClaim: "client_id", PrincipalClaim: "username"}
	v := newTestVerifier(t, newFakeClock(), nil)

	cases := []struct {
		name    string
		raw     string
		issuers []Issuer
		want    string // subject, or an error code
	}{
		{"ID token", idToken, []Issuer{idIssuer}, "cognito:alice"},
		{"access token with audience_claim client_id", accessToken, []Issuer{accessIssuer}, "cognito-access:alice"},
		{"access token against the aud issuer", accessToken, []Issuer{idIssuer}, CodeWrongAudience},
		{"ID token against the client_id issuer", idToken, []Issuer{accessIssuer}, CodeWrongAudience},
		// Two issuers may share one iss; the one whose checks pass wins.
		{"both kinds configured, ID token", idToken, []Issuer{accessIssuer, idIssuer}, "cognito:alice"},
		{"both kinds configured, access token", accessToken, []Issuer{idIssuer, accessIssuer}, "cognito-access:alice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := v.Verify(bg, c.raw, c.issuers, t0)
			if strings.Contains(c.want, ":") {
				if err != nil {
					t.Fatal(err)
				}
				if res.Subject != c.want {
					t.Fatalf("subject %q, want %q", res.Subject, c.want)
				}
				return
			}
			if got := code(t, err); got != c.want {
				t.Fatalf("code %q, want %q (%v)", got, c.want, err)
			}
			if c.raw == accessToken && !strings.Contains(err.Error(), "set the issuer's audience_claim to client_id") {
				t.Errorf("no hint for Cognito access tokens: %v", err)
			}
		})
	}

	res, err := v.Verify(bg, idToken, []Issuer{idIssuer}, t0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"custom:companyId": "acme", "cognito:groups": []any{"admins", "staff"}}
	if got, _ := json.Marshal(res.Attributes); string(got) != mustJSON(t, want) {
		t.Errorf("attributes %s, want %s", got, mustJSON(t, want))
	}
	if res.PrincipalValue != "alice" || res.IssuerName != "cognito" || res.Issuer != iss || res.ID != "jti-1" ||
		!res.ExpiresAt.Equal(t0.Add(time.Hour)) || !res.IssuedAt.Equal(t0.Add(-time.Minute)) || len(res.TokenHash) != 64 {
		t.Errorf("result %+v", res)
	}
	if _, ok := res.Claims["exp"].(json.Number); !ok {
		t.Errorf("exp is %T, want json.Number", res.Claims["exp"])
	}
	if b, _ := json.Marshal(res); strings.Contains(string(b), res.TokenHash) {
		t.Errorf("the JSON form holds the token hash")
	}
}

// TestClaims covers principal and time claims in their less common forms.
func TestClaims(t *testing.T) {
	k := ecTestKey(t)
	const iss = "https://idp.example.com"
	base := Issuer{Name: "idp", Issuer: iss, Audiences: []string{"app", "app2"}, JWKS: jwks(t, []testKey{k})}
	v := newTestVerifier(t, newFakeClock(), func(o *Options) { o.CacheEntries = -1 })
	cases := []struct {
		name   string
		issuer func(i *Issuer)
		claims map[string]any
		want   string // subject or code
	}{
		{"numeric sub", nil, map[string]any{"sub": 12345}, "idp:12345"},
		{"nested principal claim", func(i *Issuer) { i.PrincipalClaim = "user.id" }, map[string]any{"user": map[string]any{"id": "u7"}}, "idp:u7"},
		{"top-level dotted name wins", func(i *Issuer) { i.PrincipalClaim = "user.id" }, map[string]any{"user.id": "flat", "user": map[string]any{"id": "u7"}}, "idp:flat"},
		{"principal an object", nil, map[string]any{"sub": map[string]any{"a": 1}}, CodeMalformedToken},
		{"principal empty", nil, map[string]any{"sub": ""}, CodeMalformedToken},
		{"principal too long", nil, map[string]any{"sub": strings.Repeat("x", maxPrincipalBytes+1)}, CodeMalformedToken},
		{"aud list with one match", nil, map[string]any{"aud": []string{"x", "app2"}}, "idp:4fbf0c06-user"},
		{"aud not a string", nil, map[string]any{"aud": 7}, CodeMalformedToken},
		{"fractional exp", nil, map[string]any{"exp": json.Number(fmt.Sprintf("%d.5", t0.Add(-59*time.Second).Unix()))}, "idp:4fbf0c06-user"},
		{"fractional exp, expired", nil, map[string]any{"exp": json.Number(fmt.Sprintf("%d.5", t0.Add(-61*time.Second).Unix()))}, CodeTokenExpired},
		{"exp in exponent form", nil, map[string]any{"exp": json.Number("1.8e9")}, "idp:4fbf0c06-user"},
		{"huge exp", nil, map[string]any{"exp": json.Number("1e400")}, "idp:4fbf0c06-user"},
		{"negative exp", nil, map[string]any{"exp": json.Number("-1e400")}, CodeTokenExpired},
		{"no leeway needed for iat now", nil, map[string]any{"iat": t0.Unix()}, "idp:4fbf0c06-user"},
		{"iat within the leeway", nil, map[string]any{"iat": t0.Add(59 * time.Second).Unix(), "nbf": nil}, "idp:4fbf0c06-user"},
		{"nbf within the leeway", nil, map[string]any{"nbf": t0.Add(59 * time.Second).Unix()}, "idp:4fbf0c06-user"},
		{"exp within the leeway", nil, map[string]any{"exp": t0.Add(-59 * time.Second).Unix()}, "idp:4fbf0c06-user"},
		{"iss not a string", nil, map[string]any{"iss": 5}, CodeMalformedToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			is := base
			if c.issuer != nil {
				c.issuer(&is)
			}
			res, err := v.Verify(bg, sign(t, k, claimsFor(iss, "app", c.claims), nil), []Issuer{is}, t0)
			if strings.Contains(c.want, ":") {
				if err != nil {
					t.Fatal(err)
				}
				if res.Subject != c.want {
					t.Fatalf("subject %q, want %q", res.Subject, c.want)
				}
				return
			}
			if got := code(t, err); got != c.want {
				t.Fatalf("code %q, want %q (%v)", got, c.want, err)
			}
		})
	}
}

// TestLeewayOption: the leeway is configurable, negative meaning none.
func TestLeewayOption(t *testing.T) {
	k := ecTestKey(t)
	const iss = "https://idp.example.com"
	issuers := []Issuer{{Name: "idp", Issuer: iss, Audiences: []string{"app"}, JWKS: jwks(t, []testKey{k})}}
	raw := sign(t, k, claimsFor(iss, "app", map[string]any{"exp": t0.Add(-30 * time.Second).Unix()}), nil)
	for _, c := range []struct {
		leeway time.Duration
		want   string
	}{{0, ""}, {-1, CodeTokenExpired}, {10 * time.Second, CodeTokenExpired}, {45 * time.Second, ""}} {
		v := newTestVerifier(t, newFakeClock(), func(o *Options) { o.Leeway = c.leeway })
		_, err := v.Verify(bg, raw, issuers, t0)
		if got := code(t, err); got != c.want {
			t.Errorf("leeway %s: code %q, want %q (%v)", c.leeway, got, c.want, err)
		}
	}
	if _, err := NewVerifier(Options{Leeway: time.Hour}); err == nil {
		t.Error("a leeway of an hour was accepted")
	}
	if _, err := NewVerifier(Options{MaxTokenBytes: MaxMaxTokenBytes + 1}); err == nil {
		t.Error("a size limit above the maximum was accepted")
	}
	v := newTestVerifier(t, newFakeClock(), func(o *Options) { o.MaxTokenBytes = 100 })
	if _, err := v.Verify(bg, raw, issuers, t0); code(t, err) != CodeTokenTooLarge {
		t.Errorf("size limit 100: %v", err)
	}
}

// TestConcurrentVerify runs verifications of many tokens, hits and misses,
// from many goroutines (run with -race).
func TestConcurrentVerify(t *testing.T) {
	rk, ek, dk := rsaTestKey(t), ecTestKey(t), edTestKey(t)
	p := newIDP(t, jwks(t, []testKey{rk, ek, dk}))
	issuers := []Issuer{{Name: "idp", Issuer: p.URL(), Audiences: []string{"app"}}}
	v := newTestVerifier(t, newFakeClock(), func(o *Options) { o.CacheEntries = 8 })
	var toks []string
	for i, k := range []testKey{rk, ek, dk, rk, ek, dk} {
		toks = append(toks, sign(t, k, claimsFor(p.URL(), "app", map[string]any{"jti": string(rune('a' + i))}), nil))
	}
	toks = append(toks, sign(t, rk, claimsFor(p.URL(), "other", nil), nil))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				raw := toks[(g+i)%len(toks)]
				_, err := v.Verify(bg, raw, issuers, t0)
				wantErr := raw == toks[len(toks)-1]
				if (err != nil) != wantErr {
					t.Errorf("token %d: %v", (g+i)%len(toks), err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
