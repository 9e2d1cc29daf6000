package itest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"gatehouse.dev/gatehouse/client"
	"gatehouse.dev/gatehouse/internal/oidctest"
	"gatehouse.dev/gatehouse/server"
)

// TestStoreAsIssuer: each store is an issuer of its own (API.md §6). Its
// discovery document and keys are public and name its real URL; anyone
// can verify its tokens with the published JWKS (here go-jose, as a third
// party would); another store refuses its tokens until it trusts it as an
// issuer — found through that discovery document over HTTP, like any
// provider — and then follows its key rotation. After a rotation the old
// key stops signing but keeps verifying.
func TestStoreAsIssuer(t *testing.T) {
	e := start(t, func(c *server.Config) { c.Token.MinRefreshInterval = time.Millisecond })
	ctx := t.Context()
	s := e.admin.Store("default")
	must(e.admin.CreateStore(ctx, "b"))(t)
	k := must(e.admin.CreateKey(ctx, "app", keyPolicy([]string{"gatehouse:Check"}, "gatehouse:store/default", "gatehouse:store/b")))(t)
	app := e.client(k.Secret)
	iss := e.url + "/v1/stores/default"

	md := must(s.Discovery(ctx))(t)
	if md.Issuer != iss || md.JWKSURI != iss+"/.well-known/jwks.json" || md.TokenEndpoint != iss+"/oauth2/token" ||
		md.IntrospectionEndpoint != iss+"/oauth2/introspect" || md.RevocationEndpoint != iss+"/oauth2/revoke" {
		t.Errorf("discovery: %+v", md)
	}
	for _, g := range []string{client.GrantTokenExchange, client.GrantClientCredentials, client.GrantPassword} {
		if !slices.Contains(md.GrantTypesSupported, g) {
			t.Errorf("discovery does not announce the grant %s: %v", g, md.GrantTypesSupported)
		}
	}
	if !slices.Contains(md.TokenEndpointAuthMethodsSupported, "client_secret_basic") {
		t.Errorf("discovery does not announce HTTP Basic client authentication: %v", md.TokenEndpointAuthMethodsSupported)
	}
	// Public: no key needed.
	if _, err := e.client("").Store("default").JWKS(ctx); err != nil {
		t.Errorf("the JWKS without a key: %v", err)
	}
	_, err := e.client("").Store("nope").Discovery(ctx)
	wantError(t, "discovery of a store that does not exist", err, http.StatusNotFound, "")

	keys := must(s.ListSigningKeys(ctx))(t)
	jwks := must(s.JWKS(ctx))(t)
	if keys.Issuer != iss || len(keys.Keys) != 1 || !keys.Keys[0].Active() || keys.Keys[0].Algorithm != client.AlgorithmEdDSA {
		t.Fatalf("signing keys: %+v", keys)
	}
	if len(jwks.Keys) != 1 || jwks.Keys[0].KeyID != keys.Keys[0].ID || jwks.Keys[0].KeyType != "OKP" {
		t.Fatalf("jwks: %+v", jwks)
	}
	noPrivateParts(t, jwks)

	// A token of the store (client credentials), verified by a third party
	// with the published keys.
	tok := must(app.Store("default").ClientCredentials(ctx))(t)
	claims := verifyWith(t, jwks, tok.AccessToken)
	if claims["iss"] != iss || claims["sub"] != k.ID || claims["client_id"] != k.ID || !audienceHas(claims["aud"], iss) {
		t.Errorf("the token's claims: %v", claims)
	}
	in := must(app.Store("default").Introspect(ctx, tok.AccessToken))(t)
	if !in.Active || in.Subject != k.ID || in.ClientID != k.ID || in.Issuer != iss || in.ExpiresAt.Before(time.Now()) {
		t.Errorf("introspection: %+v", in)
	}
	if in := must(app.Store("default").Introspect(ctx, "not.a.token"))(t); in.Active || len(in.Claims) != 1 {
		t.Errorf("introspection of garbage: %+v", in)
	}

	// Store b does not trust store default: its token is refused there,
	// and store b does not introspect it as active.
	_, err = app.Store("b").Check(ctx, tokenCheck(tok.AccessToken, "orders:Read", "orders:1"))
	wantError(t, "store default's token in store b", err, http.StatusUnprocessableEntity, "unknown_issuer")
	if in := must(app.Store("b").Introspect(ctx, tok.AccessToken))(t); in.Active {
		t.Errorf("store b introspects store default's token as active: %+v", in)
	}
	// Once b trusts default as an issuer (keys found by discovery), the
	// token names the app, namespaced by the issuer's name.
	b := e.admin.Store("b")
	must(b.PutIssuer(ctx, "default-store", client.Issuer{Issuer: iss, Audiences: []string{iss}}))(t)
	must(b.PutPolicy(ctx, "read", client.Policy{Document: doc("Allow", "orders:Read", "orders:*")}))(t)
	must(b.PutRole(ctx, "reader", client.Role{Policies: []string{"read"}}))(t)
	must(b.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: client.PrincipalUser, PrincipalID: "default-store:" + k.ID, Role: "reader"}))(t)
	if got := decide(t, app.Store("b"), tokenCheck(tok.AccessToken, "orders:Read", "orders:1")); got != "allow" {
		t.Errorf("store default's token in store b that trusts it: %s", got)
	}

	// Rotation: a new ES256 key signs; the old one still verifies.
	active := must(s.RotateSigningKeys(ctx, client.AlgorithmES256))(t)
	if active.Algorithm != client.AlgorithmES256 || !active.Active() || active.ID == keys.Keys[0].ID {
		t.Errorf("the rotated key: %+v", active)
	}
	keys = must(s.ListSigningKeys(ctx))(t)
	var retired *client.SigningKey
	for i, sk := range keys.Keys {
		if !sk.Active() {
			retired = &keys.Keys[i]
		}
	}
	if len(keys.Keys) != 2 || retired == nil || retired.VerifiesUntil.Before(time.Now().Add(time.Hour)) {
		t.Errorf("signing keys after rotation: %+v", keys)
	}
	jwks = must(s.JWKS(ctx))(t)
	if len(jwks.Keys) != 2 {
		t.Errorf("the JWKS after rotation has %d keys", len(jwks.Keys))
	}
	noPrivateParts(t, jwks)
	next := must(app.Store("default").ClientCredentials(ctx))(t)
	if h := headerOf(t, next.AccessToken); h["kid"] != active.ID || h["alg"] != "ES256" {
		t.Errorf("a token after rotation: header %v, want kid %s", h, active.ID)
	}
	verifyWith(t, jwks, next.AccessToken)
	verifyWith(t, jwks, tok.AccessToken)
	for name, tk := range map[string]string{"the old token": tok.AccessToken, "the new token": next.AccessToken} {
		if _, err := app.Store("default").Check(ctx, tokenCheck(tk, "orders:Read", "orders:1")); err != nil {
			t.Errorf("%s in store default after rotation: %v", name, err)
		}
		// Store b finds the new key by refreshing the keys it fetched.
		if got := decide(t, app.Store("b"), tokenCheck(tk, "orders:Read", "orders:1")); got != "allow" {
			t.Errorf("%s in store b after rotation: %s", name, got)
		}
	}
	_, err = s.RotateSigningKeys(ctx, "RS256")
	wantError(t, "rotating to RS256", err, http.StatusBadRequest, "")
	_, err = s.RotateSigningKeys(ctx, "HS256")
	wantError(t, "rotating to HS256", err, http.StatusBadRequest, "")
}

// noPrivateParts fails when a published key holds private key material.
func noPrivateParts(t *testing.T, set *client.JSONWebKeySet) {
	t.Helper()
	for _, k := range set.Keys {
		var m map[string]any
		if err := json.Unmarshal(k.Raw, &m); err != nil {
			t.Fatal(err)
		}
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := m[private]; ok {
				t.Errorf("the published key %s has the private member %q", k.KeyID, private)
			}
		}
	}
}

// verifyWith verifies tok with the key of set its kid names, as any third
// party would with go-jose, and returns its claims.
func verifyWith(t *testing.T, set *client.JSONWebKeySet, tok string) map[string]any {
	t.Helper()
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	var keys jose.JSONWebKeySet
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatalf("the published JWKS does not read as one: %v", err)
	}
	obj, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.EdDSA, jose.ES256})
	if err != nil {
		t.Fatalf("the token does not parse: %v", err)
	}
	kid := obj.Signatures[0].Header.KeyID
	found := keys.Key(kid)
	if len(found) != 1 {
		t.Fatalf("the JWKS has %d keys of kid %q", len(found), kid)
	}
	payload, err := obj.Verify(found[0])
	if err != nil {
		t.Fatalf("the token does not verify with the published key: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// headerOf decodes the JOSE header of a compact JWS.
func headerOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	h, _, _ := strings.Cut(tok, ".")
	return claimsOf(t, "e30."+h+".x")
}

func audienceHas(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		return slices.Contains(a, any(want))
	}
	return false
}

// TestRevokeAnyToken: every token the store issues can be revoked (RFC
// 7009), and is refused from then on (token_revoked).
//
// It fails while the server stores a revocation under the token's jti as
// the object id: a jti is 16 random bytes in base64url, so one in 64
// starts with '-', which a directory id may not (directory/ids.go), and
// POST /oauth2/revoke answers 422 invalid for that token.
func TestRevokeAnyToken(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	k := must(e.admin.CreateKey(ctx, "app", keyPolicy([]string{"gatehouse:Check"}, "gatehouse:store/default")))(t)
	s := e.client(k.Secret).Store("default")
	// Tokens until one has a jti starting with '-' (about 64 tries; 2,000
	// fail to find one with probability 1e-14).
	var tok string
	for range 2000 {
		tok = must(s.ClientCredentials(ctx))(t).AccessToken
		if strings.HasPrefix(jtiOf(t, tok), "-") {
			break
		}
	}
	if !strings.HasPrefix(jtiOf(t, tok), "-") {
		t.Fatal("no token with a jti starting with '-' in 2,000")
	}
	if _, err := s.Check(ctx, tokenCheck(tok, "orders:Read", "orders:1")); err != nil {
		t.Fatalf("the token before revocation: %v", err)
	}
	if err := s.Revoke(ctx, tok); err != nil {
		t.Errorf("revoking a token whose jti is %q: %v", jtiOf(t, tok), err)
	}
	_, err := s.Check(ctx, tokenCheck(tok, "orders:Read", "orders:1"))
	wantError(t, "the revoked token", err, http.StatusUnprocessableEntity, "token_revoked")
}

// TestRevokeOnlyOwnTokens: RFC 7009 §2.1 — "the authorization server
// first validates the client credentials ... and then verifies whether
// the token was issued to the client making the revocation request. If
// this validation fails, the request is refused". An app holding an API
// key of the store must not be able to revoke the tokens the store issued
// to another app (its users' logins, its sessions); the admin key may.
//
// It fails while POST /oauth2/revoke revokes any token of the store for
// any client allowed gatehouse:Check there (server/oauth.go handleRevoke
// ignores the client).
func TestRevokeOnlyOwnTokens(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	a := must(e.admin.CreateKey(ctx, "app-a", keyPolicy([]string{"gatehouse:Check"}, "gatehouse:store/default")))(t)
	b := must(e.admin.CreateKey(ctx, "app-b", keyPolicy([]string{"gatehouse:Check"}, "gatehouse:store/default")))(t)
	sa, sb := e.client(a.Secret).Store("default"), e.client(b.Secret).Store("default")
	s := e.admin.Store("default")
	must(s.PutUser(ctx, "1", client.User{}))(t)
	must(s.SetUserPassword(ctx, "1", "correct horse battery staple"))(t)
	// Tokens issued to app a (avoiding the jti TestRevokeAnyToken is about).
	issue := func() string {
		for {
			tok := must(sa.PasswordLogin(ctx, "1", "correct horse battery staple"))(t).AccessToken
			if !strings.HasPrefix(jtiOf(t, tok), "-") {
				return tok
			}
		}
	}
	tok := issue()
	if c := claimsOf(t, tok); c["client_id"] != a.ID {
		t.Fatalf("the login token's client_id: %v", c["client_id"])
	}
	// App b tries to revoke app a's token: refused, or a no-op; either
	// way the token keeps working.
	errB := sb.Revoke(ctx, tok)
	if _, err := sa.Check(ctx, tokenCheck(tok, "orders:Read", "orders:1")); err != nil {
		t.Errorf("app a's token after app b asked to revoke it (answer: %v): %v", errB, err)
	}
	// App a revokes its own.
	if err := sa.Revoke(ctx, tok); err != nil {
		t.Fatal(err)
	}
	_, err := sa.Check(ctx, tokenCheck(tok, "orders:Read", "orders:1"))
	wantError(t, "app a's token after app a revoked it", err, http.StatusUnprocessableEntity, "token_revoked")
	// The admin revokes anyone's.
	tok = issue()
	if err := e.admin.Store("default").Revoke(ctx, tok); err != nil {
		t.Fatal(err)
	}
	_, err = sa.Check(ctx, tokenCheck(tok, "orders:Read", "orders:1"))
	wantError(t, "app a's token after the admin revoked it", err, http.StatusUnprocessableEntity, "token_revoked")
}

// TestExchangeNeverOutlivesSubjectToken: a token exchanged for a
// provider's token expires no later than it (RFC 8693 leaves the lifetime
// to the server; gatehouse takes at most an hour and never extends a
// login).
func TestExchangeNeverOutlivesSubjectToken(t *testing.T) {
	idp := oidctest.Start(t, oidctest.WithTokenLifetime(10*time.Minute),
		oidctest.WithUser(oidctest.User{Username: "alice", Password: "wonderland"}))
	e := start(t)
	ctx := t.Context()
	must(e.admin.Store("default").PutIssuer(ctx, "idp", client.Issuer{Issuer: idp.Issuer(), Audiences: []string{idp.ClientID()}}))(t)
	app := checkKey(t, e)
	idToken := login(t, idp, "alice", "wonderland")
	exp, _ := claimsOf(t, idToken)["exp"].(float64)
	tok := must(app.ExchangeToken(ctx, client.TokenExchange{SubjectToken: idToken}))(t)
	if tok.ExpiresIn > 600 || tok.ExpiresIn < 540 {
		t.Errorf("the exchanged token lasts %ds; the provider's token has 600s left", tok.ExpiresIn)
	}
	in := must(app.Introspect(ctx, tok.AccessToken))(t)
	if !in.Active || in.ExpiresAt.After(time.Unix(int64(exp), 0)) {
		t.Errorf("the exchanged token expires at %s, after the provider's token (%s)", in.ExpiresAt, time.Unix(int64(exp), 0))
	}
}
