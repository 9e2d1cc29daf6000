package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/internal/oidctest"
)

// form posts a form-encoded body with HTTP Basic client credentials (id,
// secret; none when id is "").
func (ts *testServer) form(path, id, secret string, v url.Values) *response {
	ts.t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret))))
	}
	rec := httptest.NewRecorder()
	ts.srv.Handler().ServeHTTP(rec, req)
	return &response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// keyID is the id part of "ghk_<id>_<secret>".
func keyID(key string) string { return strings.SplitN(key, "_", 3)[1] }

func checkWithToken(tok, action, resource string) map[string]any {
	return map[string]any{"token": tok, "action": action, "resource": map[string]any{"name": resource}}
}

func policyWith(effect, action, resource string) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": effect, "Action": action, "Resource": resource}}}
}

// The token flow end to end against a real OpenID provider: an ID token
// from the provider's authorization-code flow is checked directly and
// traded for a gatehouse token (RFC 8693); claims become jwt: keys and
// variables; claim rules give roles; a key rotation at the provider is
// followed; whoami shows the claims; revocation and introspection work.
func TestTokenFlowWithOpenIDProvider(t *testing.T) {
	idp := oidctest.Start(t, oidctest.WithUser(oidctest.User{Username: "alice", Password: "wonderland",
		Claims: map[string]any{"custom:companyId": "acme", "groups": []string{"admins"}}}))
	ts := newTestServer(t, func(c *Config) { c.Token.MinRefreshInterval = time.Millisecond })
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/issuers/idp", map[string]any{"issuer": idp.Issuer(), "audiences": []string{idp.ClientID()}})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/company-orders", map[string]any{"document": policyWith("Allow", "orders:*", "orders:${jwt:custom:companyId}/*")})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/member", map[string]any{"policies": []string{"company-orders"}})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/claim-rules/admins", map[string]any{"claim": "groups", "op": "contains", "value": "admins", "role": "member", "issuer": "idp"})
	key := ts.createKey("app", policyWith("Allow", "gatehouse:Check", "gatehouse:store/default"))

	idToken, err := idp.Login(t.Context(), "alice", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	// The external token itself.
	for _, tt := range []struct{ resource, want string }{{"orders:acme/1", "allow"}, {"orders:globex/1", "deny"}} {
		got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", checkWithToken(idToken, "orders:Read", tt.resource))
		if got["decision"] != tt.want {
			t.Errorf("external token on %s: %v, want %s", tt.resource, got, tt.want)
		}
	}
	// whoami shows the claims, the namespaced subject and the role's
	// provenance; explain lists the claims too.
	who := ts.must(http.StatusOK, "POST", "/v1/stores/default/whoami", map[string]any{"token": idToken})
	if p := who["principal"].(map[string]any); p["id"] != "idp:"+idp.Subject("alice") || p["issuer"] != "idp" {
		t.Errorf("whoami principal: %v", p)
	}
	if who["claims"].(map[string]any)["custom:companyId"] != "acme" || !strings.Contains(string(mustJSON(t, who["roles"])), "claim rule admins") {
		t.Errorf("whoami: %v", who)
	}
	if !strings.Contains(string(mustJSON(t, who["variables"])), `"jwt:sub"`) {
		t.Errorf("whoami variables lack jwt:sub: %v", who["variables"])
	}
	if strings.Contains(string(mustJSON(t, who)), idToken) {
		t.Error("whoami echoes the token")
	}
	// What the principal may do, the variable substituted.
	if text, _ := who["text"].(string); !strings.Contains(text, "ALLOW orders:* on orders:acme/*") || !strings.Contains(string(mustJSON(t, who["permissions"])), `"orders:acme/*"`) {
		t.Errorf("whoami permissions: %v\n%s", who["permissions"], who["text"])
	}

	// Token exchange (RFC 8693) with the app's key as client.
	r := ts.form("/v1/stores/default/oauth2/token", keyID(key), key, url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "subject_token": {idToken},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:id_token"}})
	if r.status != http.StatusOK {
		t.Fatalf("token exchange: %d %s", r.status, r.body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(r.body, &tr); err != nil || tr.AccessToken == "" || tr.TokenType != "Bearer" || tr.ExpiresIn <= 0 || tr.IssuedTokenType != tokenTypeAccessToken {
		t.Fatalf("token response %s: %v", r.body, err)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Error("a token response must not be cached")
	}
	ghToken := tr.AccessToken
	for _, tt := range []struct{ resource, want string }{{"orders:acme/1", "allow"}, {"orders:globex/1", "deny"}} {
		got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", checkWithToken(ghToken, "orders:Read", tt.resource))
		if got["decision"] != tt.want {
			t.Errorf("exchanged token on %s: %v, want %s", tt.resource, got, tt.want)
		}
	}
	who = ts.must(http.StatusOK, "POST", "/v1/stores/default/whoami", map[string]any{"token": ghToken})
	if p := who["principal"].(map[string]any); p["id"] != "idp:"+idp.Subject("alice") || who["token"].(map[string]any)["issuer_name"] != "gatehouse" {
		t.Errorf("whoami of the exchanged token: %v", who)
	}

	// A key rotation at the provider: the next login's token verifies
	// after one refresh of its keys.
	idp.RotateKey()
	idp.DropOldKeys()
	next, err := idp.Login(t.Context(), "alice", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	if got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", checkWithToken(next, "orders:Read", "orders:acme/2")); got["decision"] != "allow" {
		t.Errorf("after the provider's key rotation: %v", got)
	}

	// Introspection, then revocation: refused from then on.
	in := ts.form("/v1/stores/default/oauth2/introspect", keyID(key), key, url.Values{"token": {ghToken}})
	if in.status != http.StatusOK || !strings.Contains(string(in.body), `"active":true`) {
		t.Errorf("introspect: %d %s", in.status, in.body)
	}
	if rv := ts.form("/v1/stores/default/oauth2/revoke", keyID(key), key, url.Values{"token": {ghToken}}); rv.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", rv.status, rv.body)
	}
	wantProblem(t, "revoked token", ts.do("POST", "/v1/stores/default/check", checkWithToken(ghToken, "orders:Read", "orders:acme/1")), http.StatusUnprocessableEntity, codeTokenRevoked)
	if in := ts.form("/v1/stores/default/oauth2/introspect", keyID(key), key, url.Values{"token": {ghToken}}); strings.TrimSpace(string(in.body)) != `{"active":false}` {
		t.Errorf("introspect after revoke: %s", in.body)
	}
	// An external token is never active here, and revoking it is a no-op.
	if in := ts.form("/v1/stores/default/oauth2/introspect", keyID(key), key, url.Values{"token": {idToken}}); strings.TrimSpace(string(in.body)) != `{"active":false}` {
		t.Errorf("introspect of an external token: %s", in.body)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Local users log in with a password (LoopBack's User model); roles are
// resolved at check time, so removing a mapping takes effect at once;
// failed logins are throttled; the password and its hash are never shown.
func TestLocalUserLogin(t *testing.T) {
	ts := newTestServer(t)
	mapping := loopback(t, ts)
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/users/1", map[string]any{})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/users/1/password", map[string]any{"password": "correct horse battery"})
	wantProblem(t, "short password", ts.do("PUT", "/v1/stores/default/users/1/password", map[string]any{"password": "short"}), http.StatusUnprocessableEntity, codeInvalid)
	wantProblem(t, "unknown user", ts.do("PUT", "/v1/stores/default/users/9/password", map[string]any{"password": "correct horse battery"}), http.StatusNotFound, codeNotFound)
	key := ts.createKey("web", policyWith("Allow", "gatehouse:Check", "gatehouse:store/default"))
	login := func(user, pw string) *response {
		return ts.form("/v1/stores/default/oauth2/token", keyID(key), key, url.Values{"grant_type": {"password"}, "username": {user}, "password": {pw}})
	}
	r := login("1", "correct horse battery")
	if r.status != http.StatusOK {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	var tr tokenResponse
	_ = json.Unmarshal(r.body, &tr)
	if got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", checkWithToken(tr.AccessToken, "orders:Read", "orders:acme/1")); got["decision"] != "allow" {
		t.Errorf("admin user with a token: %v", got)
	}
	ts.must(http.StatusOK, "DELETE", "/v1/stores/default/role-mappings/"+mapping, nil)
	if got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", checkWithToken(tr.AccessToken, "orders:Read", "orders:acme/1")); got["decision"] != "deny" {
		t.Errorf("after the mapping is removed, the same token: %v", got)
	}
	for _, bad := range []struct{ user, pw string }{{"1", "wrong"}, {"nobody", "whatever"}} {
		if r := login(bad.user, bad.pw); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `"invalid_grant"`) {
			t.Errorf("login %s/%s: %d %s", bad.user, bad.pw, r.status, r.body)
		}
	}
	throttled := false
	for range 10 {
		if r := login("1", "wrong"); r.status == http.StatusTooManyRequests {
			throttled = r.header.Get("Retry-After") != ""
			break
		}
	}
	if !throttled {
		t.Error("repeated failed logins are never throttled")
	}
	// Never the password or its hash.
	for _, p := range []string{"/v1/stores/default/users/1", "/v1/stores/default/users"} {
		if b := ts.do("GET", p, nil).body; strings.Contains(string(b), "argon2") || strings.Contains(string(b), "horse") {
			t.Errorf("GET %s shows the password: %s", p, b)
		}
	}
	if strings.Contains(ts.logs.String(), "horse") || strings.Contains(ts.logs.String(), "argon2") {
		t.Error("the log holds the password or its hash")
	}
	// Client authentication.
	if r := ts.form("/v1/stores/default/oauth2/token", "", "", url.Values{"grant_type": {"password"}, "username": {"1"}, "password": {"x"}}); r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("no client authentication: %d %s", r.status, r.body)
	}
	if r := ts.form("/v1/stores/default/oauth2/token", keyID(key), "ghk_0000000000000000_nope", url.Values{"grant_type": {"client_credentials"}}); r.status != http.StatusUnauthorized {
		t.Errorf("wrong client secret: %d %s", r.status, r.body)
	}
	if r := ts.form("/v1/stores/default/oauth2/token", keyID(key), key, url.Values{"grant_type": {"implicit"}}); !strings.Contains(string(r.body), "unsupported_grant_type") {
		t.Errorf("unknown grant: %d %s", r.status, r.body)
	}
}

// assume-role: a session limited by a session policy and tagged with the
// tenant (the DynamoDB thread's "temporary credentials limited to one
// tenant"); the trust policy decides who may assume; a token of one store
// is refused in another.
func TestAssumeRole(t *testing.T) {
	ts := newTestServer(t)
	key := ts.createKey("orders-api", map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": []string{"gatehouse:Check", "gatehouse:AssumeRole"}, "Resource": "gatehouse:store/default*"}}})
	other := ts.createKey("other", policyWith("Allow", "gatehouse:*", "*"))
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/policies/orders", map[string]any{"document": policyWith("Allow", "orders:*", "orders:*")})
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/tenant-admin", map[string]any{"policies": []string{"orders"}, "max_session_seconds": 3600,
		"trust_policy": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow",
			"Principal": map[string]any{"App": []string{keyID(key)}}, "Action": "gatehouse:AssumeRole"}}}})
	body := map[string]any{"role": "tenant-admin", "duration_seconds": 900, "session_tags": map[string]any{"companyId": "acme"},
		"session_policy": policyWith("Allow", "orders:*", "orders:${principal:companyId}/*")}
	r := ts.doKey(key, "POST", "/v1/stores/default/assume-role", body)
	if r.status != http.StatusOK {
		t.Fatalf("assume-role: %d %s", r.status, r.body)
	}
	var tr tokenResponse
	_ = json.Unmarshal(r.body, &tr)
	if tr.SessionID == "" || tr.ExpiresIn != 900 || tr.Revision == 0 {
		t.Errorf("assume-role answer: %s", r.body)
	}
	for _, tt := range []struct{ resource, want string }{{"orders:acme/1", "allow"}, {"orders:globex/1", "deny"}} {
		got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", checkWithToken(tr.AccessToken, "orders:Write", tt.resource))
		if got["decision"] != tt.want {
			t.Errorf("session on %s: %v, want %s", tt.resource, got, tt.want)
		}
	}
	x := ts.must(http.StatusOK, "POST", "/v1/stores/default/explain", checkWithToken(tr.AccessToken, "orders:Write", "orders:globex/1"))
	if !strings.Contains(string(mustJSON(t, x)), "assumed in session") {
		t.Errorf("explain does not say where the role came from: %v", x["roles"])
	}
	// The trust policy names only orders-api (by its key's id).
	wantProblem(t, "not trusted", ts.doKey(other, "POST", "/v1/stores/default/assume-role", body), http.StatusForbidden, codeForbidden)
	// A trust policy may name the key by its name too.
	ts.must(http.StatusOK, "PUT", "/v1/stores/default/roles/tenant-admin", map[string]any{"policies": []string{"orders"}, "max_session_seconds": 3600,
		"trust_policy": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow",
			"Principal": map[string]any{"App": []string{"other"}}, "Action": "gatehouse:AssumeRole"}}}})
	if r := ts.doKey(other, "POST", "/v1/stores/default/assume-role", body); r.status != http.StatusOK {
		t.Errorf("trusted by name: %d %s", r.status, r.body)
	}
	if r := ts.doKey(key, "POST", "/v1/stores/default/assume-role", body); r.status != http.StatusForbidden {
		t.Errorf("no longer trusted: %d %s", r.status, r.body)
	}
	ts.must(http.StatusOK, "PUT", "/v1/stores/default/roles/tenant-admin", map[string]any{"policies": []string{"orders"}, "max_session_seconds": 3600,
		"trust_policy": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow",
			"Principal": map[string]any{"App": []string{keyID(key)}}, "Action": "gatehouse:AssumeRole"}}}})
	// Durations as IAM bounds them.
	for _, d := range []int{60, 7200} {
		body["duration_seconds"] = d
		wantProblem(t, "duration", ts.doKey(key, "POST", "/v1/stores/default/assume-role", body), http.StatusUnprocessableEntity, codeInvalid)
	}
	body["duration_seconds"] = 900
	body["session_policy"] = map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow"}}}
	wantProblem(t, "bad session policy", ts.doKey(key, "POST", "/v1/stores/default/assume-role", body), http.StatusUnprocessableEntity, codeInvalid)
	// A token of store default is refused in store b.
	ts.must(http.StatusCreated, "POST", "/v1/stores", map[string]any{"id": "b"})
	p := ts.do("POST", "/v1/stores/b/check", checkWithToken(tr.AccessToken, "orders:Write", "orders:acme/1"))
	if p.status != http.StatusUnprocessableEntity {
		t.Errorf("store default's token in store b: %d %s", p.status, p.body)
	}
	// Each store publishes its own issuer metadata and keys.
	md := ts.do("GET", "/v1/stores/default/.well-known/openid-configuration", nil)
	if md.status != http.StatusOK || !strings.Contains(string(md.body), `"issuer":"http://localhost/v1/stores/default"`) {
		t.Errorf("discovery: %d %s", md.status, md.body)
	}
	var jwks struct {
		Keys []map[string]any `json:"keys"`
	}
	_ = json.Unmarshal(ts.do("GET", "/v1/stores/default/.well-known/jwks.json", nil).body, &jwks)
	if len(jwks.Keys) != 1 || jwks.Keys[0]["d"] != nil {
		t.Errorf("jwks: %v", jwks)
	}
	// Rotation: the old token still verifies, new ones carry the new kid.
	ts.must(http.StatusOK, "POST", "/v1/stores/default/signing-keys/rotate", nil)
	if got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", checkWithToken(tr.AccessToken, "orders:Write", "orders:acme/1")); got["decision"] != "allow" {
		t.Errorf("after rotation, the old token: %v", got)
	}
	_ = json.Unmarshal(ts.do("GET", "/v1/stores/default/.well-known/jwks.json", nil).body, &jwks)
	if len(jwks.Keys) != 2 {
		t.Errorf("after rotation the key set has %d keys", len(jwks.Keys))
	}
}

// Ended sessions and the revocations of expired tokens are pruned: they
// decide nothing any more.
func TestPruneIdentity(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)}
	ts := newTestServer(t, func(c *Config) { c.Now = clock.now })
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/r", map[string]any{})
	a := ts.must(http.StatusOK, "POST", "/v1/stores/default/assume-role", map[string]any{"role": "r", "duration_seconds": 900})
	b := ts.must(http.StatusOK, "POST", "/v1/stores/default/assume-role", map[string]any{"role": "r", "duration_seconds": 3600})
	// Issued to the admin client: another client may not revoke it.
	key := ts.createKey("k", policyWith("Allow", "gatehouse:Check", "gatehouse:store/default"))
	if r := ts.form("/v1/stores/default/oauth2/revoke", keyID(key), key, url.Values{"token": {a["access_token"].(string)}}); r.status != http.StatusBadRequest {
		t.Errorf("another client revoking: %d %s", r.status, r.body)
	}
	if r := ts.form("/v1/stores/default/oauth2/revoke", "admin", testAdminKey, url.Values{"token": {a["access_token"].(string)}}); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	count := func(kind string) int {
		st, _ := ts.srv.storeState(t.Context(), "default")
		return len(st.snapshot().Entries(kind))
	}
	if count("session") != 2 || count("revocation") != 1 {
		t.Fatalf("before: %d sessions, %d revocations", count("session"), count("revocation"))
	}
	clock.set(clock.now().Add(30 * time.Minute))
	ts.srv.prune(t.Context())
	if count("session") != 1 || count("revocation") != 0 {
		t.Errorf("after the first session ended: %d sessions, %d revocations", count("session"), count("revocation"))
	}
	if got := ts.must(http.StatusOK, "POST", "/v1/stores/default/check", checkWithToken(b["access_token"].(string), "x:Y", "z")); got["decision"] != "deny" {
		t.Errorf("the live session: %v", got)
	}
}

// Explain of a token shows its claims with their values.
func TestExplainShowsClaims(t *testing.T) {
	ts := newTestServer(t)
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/r", map[string]any{})
	tok := ts.must(http.StatusOK, "POST", "/v1/stores/default/assume-role", map[string]any{"role": "r", "session_tags": map[string]any{"companyId": "acme"}})
	x := ts.must(http.StatusOK, "POST", "/v1/stores/default/explain", checkWithToken(tok["access_token"].(string), "x:Y", "z"))
	subj, _ := x["subject"].(map[string]any)
	claims, _ := subj["claims"].(map[string]any)
	if subj["type"] != "session" || claims["gh:sid"] == nil || claims["sub"] == nil {
		t.Errorf("explain subject: %v", x["subject"])
	}
}

// duration_seconds out of any range is refused, however large: it never
// overflows into an accepted length.
func TestAssumeRoleDurationOverflow(t *testing.T) {
	ts := newTestServer(t)
	ts.must(http.StatusCreated, "PUT", "/v1/stores/default/roles/r", map[string]any{})
	// 3,600 + 2^55 seconds overflows to exactly an hour as a
	// time.Duration (2^55 × 10^9 is a multiple of 2^64).
	for _, d := range []int64{-1, 3600 + 1<<55, 9223372036854775807} {
		wantProblem(t, "duration", ts.do("POST", "/v1/stores/default/assume-role", map[string]any{"role": "r", "duration_seconds": d}), http.StatusUnprocessableEntity, codeInvalid)
	}
}
