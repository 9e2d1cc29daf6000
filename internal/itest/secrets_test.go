package itest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/client"
	"gatehouse.dev/gatehouse/internal/oidctest"
)

// TestTokensNeverLogged: a subject token is a bearer credential, so it
// never appears in the decision log — neither in an entry read back by id
// nor in the JSON-lines stream — nor in the server's log, whatever the
// endpoint (check, batch, explain, whoami, the OAuth endpoints) and
// whether it verifies or not (issue 4, API.md §7). Neither do passwords
// or their hashes. What the log keeps instead is what replay needs: the
// subject the token made and its verified claims.
func TestTokensNeverLogged(t *testing.T) {
	idp := oidctest.Start(t, oidctest.WithUser(oidctest.User{Username: "alice", Password: "wonderland",
		Claims: map[string]any{"custom:companyId": "acme"}}))
	e := start(t)
	ctx := t.Context()
	s := e.admin.Store("default")
	const password = "correct horse battery staple"
	must(s.PutIssuer(ctx, "idp", client.Issuer{Issuer: idp.Issuer(), Audiences: []string{idp.ClientID()}}))(t)
	must(s.PutPolicy(ctx, "orders", client.Policy{Document: doc("Allow", "orders:*", "orders:${jwt:custom:companyId}/*")}))(t)
	must(s.PutPolicy(ctx, "all-orders", client.Policy{Document: doc("Allow", "orders:*", "orders:*")}))(t)
	must(s.PutRole(ctx, "$authenticated", client.Role{Policies: []string{"orders"}}))(t)
	must(s.PutUser(ctx, "1", client.User{}))(t)
	must(s.SetUserPassword(ctx, "1", password))(t)
	k := must(e.admin.CreateKey(ctx, "pep", keyPolicy([]string{"gatehouse:Check", "gatehouse:Explain", "gatehouse:AssumeRole"},
		"gatehouse:store/default", "gatehouse:store/default/role/tenant")))(t)
	must(s.PutRole(ctx, "tenant", client.Role{Policies: []string{"all-orders"},
		TrustPolicy: json.RawMessage(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"App": ["` + k.ID + `"]}, "Action": "gatehouse:AssumeRole"}]}`)}))(t)
	app := e.client(k.Secret).Store("default")

	idToken := login(t, idp, "alice", "wonderland")
	tokens := map[string]string{
		"the provider's ID token": idToken,
		"an exchanged token":      must(app.ExchangeToken(ctx, client.TokenExchange{SubjectToken: idToken}))(t).AccessToken,
		"a password login":        must(app.PasswordLogin(ctx, "1", password))(t).AccessToken,
		"a session":               must(app.AssumeRole(ctx, client.AssumeRoleRequest{Role: "tenant", SessionTags: map[string]any{"companyId": "acme"}}))(t).AccessToken,
		"an app's own":            must(app.ClientCredentials(ctx))(t).AccessToken,
	}
	// Tokens that do not verify: one tampered, one naming the provider as
	// its issuer but signed by a key the provider does not have.
	tampered := idToken[:strings.LastIndex(idToken, ".")+1] + flip(idToken[strings.LastIndex(idToken, ".")+1:])
	good, _ := testKeys(t)
	foreign := sign(t, good, map[string]any{"iss": idp.Issuer(), "aud": idp.ClientID(), "sub": "x", "exp": time.Now().Add(-time.Hour).Unix()})
	bad := map[string]string{"a tampered token": tampered, "a token of a foreign key": foreign}

	var ids []string
	var idTokenDecision string
	for _, tok := range tokens {
		res := must(app.Check(ctx, tokenCheck(tok, "orders:Read", "orders:acme/1")))(t)
		x := must(app.Explain(ctx, tokenCheck(tok, "orders:Read", "orders:acme/1")))(t)
		batch := must(app.CheckBatch(ctx, client.BatchRequest{Checks: []client.CheckRequest{
			tokenCheck(tok, "orders:Read", "orders:acme/2"), tokenCheck(tok, "orders:Read", "orders:globex/2")}}))(t)
		ids = append(ids, res.DecisionID, x.DecisionID, batch.Results[0].DecisionID, batch.Results[1].DecisionID)
		if tok == idToken {
			idTokenDecision = res.DecisionID
		}
		must(app.Whoami(ctx, client.WhoamiRequest{Token: tok}))(t)
		must(app.Introspect(ctx, tok))(t)
	}
	for name, tok := range bad {
		_, err := app.Check(ctx, tokenCheck(tok, "orders:Read", "orders:acme/1"))
		wantError(t, name, err, http.StatusUnprocessableEntity, "")
		_, err = app.Whoami(ctx, client.WhoamiRequest{Token: tok})
		wantError(t, name+" in whoami", err, http.StatusUnprocessableEntity, "")
		_, err = app.ExchangeToken(ctx, client.TokenExchange{SubjectToken: tok})
		wantOAuthError(t, name+" in an exchange", err, http.StatusBadRequest, "invalid_grant")
		tokens[name] = tok
	}
	// One more, revoked (its jti avoiding TestRevokeAnyToken's bug).
	revoked := tokens["an app's own"]
	for strings.HasPrefix(jtiOf(t, revoked), "-") {
		revoked = must(app.ClientCredentials(ctx))(t).AccessToken
	}
	if err := app.Revoke(ctx, revoked); err != nil {
		t.Fatal(err)
	}
	_, err := app.Check(ctx, tokenCheck(revoked, "orders:Read", "orders:acme/1"))
	wantError(t, "a revoked token", err, http.StatusUnprocessableEntity, "token_revoked")
	tokens["the revoked token"] = revoked

	// Each decision read back by id: the subject and its claims, no token.
	for _, id := range ids {
		var raw map[string]any
		must(e.admin.Raw(ctx, http.MethodGet, "/v1/stores/default/decisions/"+id, nil, &raw))(t)
		noToken(t, "decision "+id, jsonText(t, raw), tokens, password)
	}
	alice := must(s.GetDecision(ctx, idTokenDecision))(t).Record.Subject
	if alice.ID != "idp:"+idp.Subject("alice") || !slices.Equal(alice.Claims["sub"], []string{idp.Subject("alice")}) ||
		!slices.Equal(alice.Claims["custom:companyId"], []string{"acme"}) || alice.Issuer != "idp" {
		t.Errorf("the logged subject of the provider's token: %+v", alice)
	}

	// The stream: every decision is written to it (asynchronously: wait,
	// with a deadline, until all ids are there).
	deadline := time.Now().Add(5 * time.Second)
	for {
		text := e.decisions.String()
		missing := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return strings.Contains(text, id) })
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the decision log stream lacks %d decisions after 5s, e.g. %s", len(missing), missing[0])
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i, line := range strings.Split(strings.TrimSpace(e.decisions.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("stream line %d is not JSON: %.200s", i+1, line)
		}
	}
	noToken(t, "the decision log stream", e.decisions.String(), tokens, password)
	noToken(t, "the server log", e.logs.String(), tokens, password)
	if !strings.Contains(e.logs.String(), "level=") {
		t.Error("the server log is empty: the test would prove nothing")
	}
}

// noToken fails when text holds any of the tokens, the payload or the
// signature of one, the password, or an argon2 hash.
func noToken(t *testing.T, where, text string, tokens map[string]string, password string) {
	t.Helper()
	for name, tok := range tokens {
		parts := strings.Split(tok, ".")
		for i, part := range append([]string{tok}, parts[1:]...) {
			if len(part) >= 16 && strings.Contains(text, part) {
				t.Errorf("%s holds %s (part %d)", where, name, i)
			}
		}
	}
	if strings.Contains(text, password) || strings.Contains(text, "$argon2") {
		t.Errorf("%s holds the password or its hash", where)
	}
}
