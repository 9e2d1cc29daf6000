package itest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"gatehouse.dev/gatehouse/client"
)

// collections are the store collections of the API with a body that is
// valid for each (so that only authorization can refuse it).
var collections = []struct {
	name, id, body string
	post           bool
}{
	{"policies", "p", `{"document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}`, false},
	{"roles", "r", `{}`, false},
	{"role-mappings", "1", `{"principal_type": "USER", "principal_id": "u", "role": "r"}`, true},
	{"claim-rules", "c", `{"claim": "groups", "op": "contains", "value": "a", "role": "r"}`, false},
	{"users", "u", `{}`, false},
	{"groups", "g", `{}`, false},
	{"apps", "a", `{}`, false},
	{"resource-policies", "rp", `{"resource": "x:*", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}}`, false},
	{"boundaries", "b", `{"principal_type": "USER", "principal_id": "u", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}`, false},
	{"issuers", "idp", `{"issuer": "https://idp.example", "audiences": ["orders-app"]}`, false},
}

// endpoint is one request of the API.
type endpoint struct{ method, path, body string }

func (ep endpoint) String() string { return ep.method + " " + ep.path }

// storeEndpoints lists every endpoint under /v1/stores/<store>, except the
// checks.
func storeEndpoints(store, decision string) []endpoint {
	base := "/v1/stores/" + store
	eps := []endpoint{{"GET", base, ""}}
	for _, c := range collections {
		eps = append(eps,
			endpoint{"GET", base + "/" + c.name, ""},
			endpoint{"GET", base + "/" + c.name + "/" + c.id, ""},
			endpoint{"DELETE", base + "/" + c.name + "/" + c.id, ""})
		if c.post {
			eps = append(eps, endpoint{"POST", base + "/" + c.name, c.body})
		} else {
			eps = append(eps, endpoint{"PUT", base + "/" + c.name + "/" + c.id, c.body})
		}
	}
	return append(eps,
		endpoint{"POST", base + "/explain", checkBody},
		endpoint{"GET", base + "/decisions/" + decision, ""},
		endpoint{"POST", base + "/decisions/" + decision + "/explain", ""},
		// Identity: whoami needs gatehouse:Explain; assume-role
		// gatehouse:AssumeRole on the role; the store's signing keys
		// ReadIssuer and PutIssuer on its own issuer (issuer/gatehouse); a
		// user's password PutUser.
		endpoint{"POST", base + "/whoami", `{"token": "a.b.c"}`},
		endpoint{"POST", base + "/assume-role", `{"role": "r"}`},
		endpoint{"GET", base + "/signing-keys", ""},
		endpoint{"POST", base + "/signing-keys/rotate", ""},
		endpoint{"POST", base + "/signing-keys/rotate", `{"algorithm": "ES256"}`},
		endpoint{"PUT", base + "/users/u/password", `{"password": "correct horse battery staple"}`},
		endpoint{"DELETE", base + "/users/u/password", ""})
}

// refusedOAuth checks that a client of a key that may not check in store
// gets 403 unauthorized_client from every OAuth endpoint of the store (RFC
// 6749 §5.2), and no token.
func refusedOAuth(t *testing.T, when string, c *client.Client, store string) {
	t.Helper()
	ctx := t.Context()
	s := c.Store(store)
	calls := map[string]func() error{
		"client credentials": func() error { _, err := s.ClientCredentials(ctx); return err },
		"password":           func() error { _, err := s.PasswordLogin(ctx, "u", "correct horse battery staple"); return err },
		"token exchange":     func() error { _, err := s.ExchangeToken(ctx, client.TokenExchange{SubjectToken: "a.b.c"}); return err },
		"introspect":         func() error { _, err := s.Introspect(ctx, "a.b.c"); return err },
		"revoke":             func() error { return s.Revoke(ctx, "a.b.c") },
	}
	for name, call := range calls {
		oe := wantOAuthError(t, when+": "+name+" in store "+store, call(), http.StatusForbidden, "unauthorized_client")
		if oe != nil && !strings.Contains(oe.Description, "gatehouse:Check") {
			t.Errorf("%s: %s in store %s: the refusal does not say what is missing: %s", when, name, store, oe.Description)
		}
	}
}

const checkBody = `{"principal": {"type": "user", "id": "u"}, "action": "a:B", "resource": {"name": "r"}}`

// TestAuthorization: a key allowed only gatehouse:Check on store alpha
// gets 403 on every admin endpoint and on every endpoint of store beta —
// the identity endpoints included (issuers, whoami, assume-role, signing
// keys, passwords), and 403 unauthorized_client from beta's OAuth
// endpoints while it is a client of alpha's — and
// nothing an application writes into its own store, however broad, grants
// it a gatehouse: action (API.md §1: key policies live in the system
// scope).
func TestAuthorization(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	admin := e.admin
	must(admin.CreateStore(ctx, "alpha"))(t)
	must(admin.CreateStore(ctx, "beta"))(t)

	key := must(admin.CreateKey(ctx, "orders-api", keyPolicy([]string{"gatehouse:Check"}, "gatehouse:store/alpha")))(t)
	if !strings.HasPrefix(key.Secret, "ghk_"+key.ID+"_") {
		t.Fatalf("key secret %q does not name its id %s", key.Secret, key.ID)
	}
	if k := must(admin.GetKey(ctx, key.ID))(t); k.Name != "orders-api" || !strings.Contains(string(k.Policy), "gatehouse:Check") {
		t.Errorf("key as read: %+v", k)
	}
	if ks := must(client.All(ctx, admin.ListKeys))(t); len(ks) != 1 || ks[0].ID != key.ID {
		t.Errorf("keys: %+v", ks)
	}
	kc := e.client(key.Secret)
	alpha := kc.Store("alpha")

	// A decision of each store, to name in the decision endpoints.
	decA := must(admin.Store("alpha").Check(ctx, user("u", "a:B", "r")))(t).DecisionID
	decB := must(admin.Store("beta").Check(ctx, user("u", "a:B", "r")))(t).DecisionID

	// refusedAll checks that the key gets 403 on every endpoint but its
	// own check, and that nothing moved.
	refusedAll := func(when string) {
		t.Helper()
		if _, err := alpha.Check(ctx, user("u", "a:B", "r")); err != nil {
			t.Errorf("%s: the key's own check: %v", when, err)
		}
		if _, err := alpha.CheckBatch(ctx, client.BatchRequest{Checks: []client.CheckRequest{user("u", "a:B", "r")}}); err != nil {
			t.Errorf("%s: the key's own batch: %v", when, err)
		}
		eps := []endpoint{
			{"POST", "/v1/stores", `{"id": "gamma"}`},
			{"GET", "/v1/stores", ""},
			{"POST", "/v1/keys", `{"name": "mine", "policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "gatehouse:*", "Resource": "*"}]}}`},
			{"GET", "/v1/keys", ""},
			{"GET", "/v1/keys/" + key.ID, ""},
			{"DELETE", "/v1/keys/" + key.ID, ""},
			// asserted roles need gatehouse:AssertRoles
			{"POST", "/v1/stores/alpha/check", `{"principal": {"type": "user", "id": "u", "roles": ["admin"]}, "action": "a:B", "resource": {"name": "r"}}`},
			{"POST", "/v1/stores/beta/check", checkBody},
			{"POST", "/v1/stores/beta/check/batch", `{"checks": [` + checkBody + `]}`},
			// a store that does not exist: 403 too, which tells nothing.
			{"POST", "/v1/stores/gamma/check", checkBody},
		}
		eps = append(eps, storeEndpoints("alpha", decA)...)
		eps = append(eps, storeEndpoints("beta", decB)...)
		for _, ep := range eps {
			var body []byte
			if ep.body != "" {
				body = []byte(ep.body)
			}
			_, err := kc.Raw(ctx, ep.method, ep.path, body, nil)
			pe := wantError(t, when+": "+ep.String(), err, http.StatusForbidden, "forbidden")
			if pe != nil && !strings.Contains(pe.Detail, "gatehouse:") {
				t.Errorf("%s: %s: the 403 does not name what is missing: %s", when, ep, pe.Detail)
			}
		}
		refusedOAuth(t, when, kc, "beta")
		// In its own store, the key is a client of the OAuth endpoints.
		if _, err := alpha.ClientCredentials(ctx); err != nil {
			t.Errorf("%s: the key's own client credentials: %v", when, err)
		}
		for _, id := range []string{"alpha", "beta"} {
			if r := revision(t, admin.Store(id)); r != 0 {
				t.Errorf("%s: store %s moved to revision %d", when, id, r)
			}
		}
		if ks := must(client.All(ctx, admin.ListKeys))(t); len(ks) != 1 {
			t.Errorf("%s: %d keys", when, len(ks))
		}
	}
	refusedAll("a Check-only key")

	// Everything an application can write into its store, as broad as it
	// gets, and aimed at the key: Allow * on * for everyone, for admin, for
	// an app and a user named after the key, and a resource policy for
	// Principal "*".
	as := admin.Store("alpha")
	allowAll := doc("Allow", "*", "*")
	must(as.PutPolicy(ctx, "everything", client.Policy{Document: allowAll}))(t)
	must(as.PutPolicy(ctx, "gatehouse-everything", client.Policy{Document: doc("Allow", "gatehouse:*", "gatehouse:*")}))(t)
	must(as.PutRole(ctx, "admin", client.Role{Policies: []string{"everything", "gatehouse-everything"}}))(t)
	must(as.PutRole(ctx, "$everyone", client.Role{Policies: []string{"everything"}}))(t)
	must(as.PutRole(ctx, "$authenticated", client.Role{Policies: []string{"gatehouse-everything"}}))(t)
	for _, who := range []string{key.ID, "key:" + key.ID, "orders-api", "admin"} {
		must(as.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "APP", PrincipalID: who, Role: "admin"}))(t)
		must(as.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: "USER", PrincipalID: who, Role: "admin"}))(t)
		must(as.PutApp(ctx, who, client.App{Policies: []string{"everything"}}))(t)
		must(as.PutUser(ctx, who, client.User{Policies: []string{"everything"}}))(t)
	}
	must(as.PutResourcePolicy(ctx, "open", client.ResourcePolicy{Resource: "*", Document: json.RawMessage(
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}`)}))(t)
	rev := revision(t, as)
	// The store itself now allows its app named after the key anything,
	// gatehouse: actions included: that is the store's own data, deciding
	// about its own subjects.
	if got := decide(t, as, client.CheckRequest{Principal: &client.Principal{Type: "app", ID: key.ID}, Action: "gatehouse:PutPolicy",
		Resource: client.Resource{Name: "gatehouse:store/alpha"}}); got != "allow" {
		t.Fatalf("the store's own decision for its app %s: %s", key.ID, got)
	}
	// It grants the caller nothing.
	if _, err := alpha.PutPolicy(ctx, "p", client.Policy{Document: allowAll}); err == nil {
		t.Fatal("the key wrote a policy after the store allowed everything")
	}
	if r := revision(t, as); r != rev {
		t.Errorf("alpha moved from %d to %d", rev, r)
	}
	for _, ep := range storeEndpoints("alpha", decA) {
		var body []byte
		if ep.body != "" {
			body = []byte(ep.body)
		}
		_, err := kc.Raw(ctx, ep.method, ep.path, body, nil)
		wantError(t, "after the store allowed everything: "+ep.String(), err, http.StatusForbidden, "forbidden")
	}
	_, err := kc.CreateKey(ctx, "escalate", keyPolicy([]string{"gatehouse:*"}, "*"))
	wantError(t, "after the store allowed everything: create a key", err, http.StatusForbidden, "forbidden")

	// A key may do exactly what its policy says: writing policies in
	// alpha, not in beta, not roles.
	writer := must(admin.CreateKey(ctx, "policy-writer", keyPolicy([]string{"gatehouse:PutPolicy", "gatehouse:ReadPolicy"}, "gatehouse:store/alpha/policy/*")))(t)
	wc := e.client(writer.Secret)
	if _, err := wc.Store("alpha").PutPolicy(ctx, "by-writer", client.Policy{Document: allowAll}); err != nil {
		t.Errorf("the writer's own write: %v", err)
	}
	if _, err := wc.Store("alpha").ListPolicies(ctx, client.ListOptions{}); err != nil {
		t.Errorf("the writer's own list: %v", err)
	}
	_, err = wc.Store("beta").PutPolicy(ctx, "by-writer", client.Policy{Document: allowAll})
	wantError(t, "the writer in beta", err, http.StatusForbidden, "forbidden")
	_, err = wc.Store("alpha").PutRole(ctx, "r", client.Role{})
	wantError(t, "the writer writing a role", err, http.StatusForbidden, "forbidden")
	_, err = wc.Store("alpha").PutResourcePolicy(ctx, "rp", client.ResourcePolicy{Resource: "*", Document: allowAll})
	wantError(t, "the writer writing a resource policy (policy/* does not cover resource_policy/*)", err, http.StatusForbidden, "forbidden")

	// No key, a wrong key, a deleted key: 401.
	for name, c := range map[string]*client.Client{
		"no key":      e.client(""),
		"a wrong key": e.client("ghk_" + key.ID + "_wrong"),
		"garbage":     e.client("not-a-key"),
	} {
		_, err := c.Store("alpha").Check(ctx, user("u", "a:B", "r"))
		wantError(t, name, err, http.StatusUnauthorized, "unauthenticated")
	}
	must(admin.DeleteKey(ctx, key.ID))(t)
	_, err = alpha.Check(ctx, user("u", "a:B", "r"))
	wantError(t, "a deleted key", err, http.StatusUnauthorized, "unauthenticated")
	_, err = admin.GetKey(ctx, key.ID)
	wantError(t, "a deleted key's record", err, http.StatusNotFound, "not_found")
	if err := e.client("").Health(ctx); err != nil {
		t.Errorf("/healthz without a key: %v", err)
	}
}
