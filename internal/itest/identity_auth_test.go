package itest

import (
	"encoding/json"
	"net/http"
	"testing"

	"gatehouse.dev/gatehouse/client"
)

// TestIdentityAuthorization: each identity endpoint needs exactly the
// gatehouse: action API.md §1 names for it, on exactly its resource — a
// key holding it gets through, on that store only, and a neighbouring
// permission is not enough:
//
//   - issuers: Read/Put/DeleteIssuer on gatehouse:store/<store>/issuer/<name>;
//   - whoami: gatehouse:Explain on gatehouse:store/<store>;
//   - assume-role: gatehouse:AssumeRole on gatehouse:store/<store>/role/<role>
//     (and the role's trust policy);
//   - signing keys: ReadIssuer (list) and PutIssuer (rotate) on the store's
//     own issuer, gatehouse:store/<store>/issuer/gatehouse;
//   - a user's password: PutUser on gatehouse:store/<store>/user/<id>;
//   - the OAuth endpoints: gatehouse:Check on gatehouse:store/<store>.
func TestIdentityAuthorization(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	admin := e.admin
	must(admin.CreateStore(ctx, "alpha"))(t)
	must(admin.CreateStore(ctx, "beta"))(t)
	key := func(name string, actions []string, resources ...string) *client.Client {
		t.Helper()
		return e.client(must(admin.CreateKey(ctx, name, keyPolicy(actions, resources...)))(t).Secret)
	}
	forbidden := func(what string, err error) {
		t.Helper()
		wantError(t, what, err, http.StatusForbidden, "forbidden")
	}
	as := admin.Store("alpha")
	must(as.PutUser(ctx, "u", client.User{}))(t)
	must(as.PutUser(ctx, "v", client.User{}))(t)
	must(as.SetUserPassword(ctx, "u", "correct horse battery staple"))(t)
	must(as.PutPolicy(ctx, "p", client.Policy{Document: doc("Allow", "orders:*", "orders:*")}))(t)
	// A token to inspect: user u's login, through the admin as client.
	tok := must(as.PasswordLogin(ctx, "u", "correct horse battery staple"))(t).AccessToken

	// Issuers.
	issuers := key("issuers", []string{"gatehouse:ReadIssuer", "gatehouse:PutIssuer", "gatehouse:DeleteIssuer"}, "gatehouse:store/alpha/issuer/idp")
	idp := client.Issuer{Issuer: "https://idp.example", Audiences: []string{"orders-app"}}
	if w, err := issuers.Store("alpha").PutIssuer(ctx, "idp", idp); err != nil || !w.Created {
		t.Errorf("PutIssuer with PutIssuer on issuer/idp: %+v %v", w, err)
	}
	if got, err := issuers.Store("alpha").GetIssuer(ctx, "idp"); err != nil || got.Issuer != idp.Issuer || got.Name != "idp" || got.Revision == 0 {
		t.Errorf("GetIssuer: %+v %v", got, err)
	}
	_, err := issuers.Store("alpha").PutIssuer(ctx, "other", idp)
	forbidden("PutIssuer of another issuer", err)
	_, err = issuers.Store("alpha").ListIssuers(ctx, client.ListOptions{})
	forbidden("ListIssuers with ReadIssuer on issuer/idp only (a list is issuer/*)", err)
	_, err = issuers.Store("beta").PutIssuer(ctx, "idp", idp)
	forbidden("PutIssuer in beta", err)
	_, err = issuers.Store("alpha").ListSigningKeys(ctx)
	forbidden("the signing keys with ReadIssuer on issuer/idp", err)
	if list := must(admin.Store("alpha").ListIssuers(ctx, client.ListOptions{}))(t); len(list.Items) != 1 || list.Items[0].Name != "idp" {
		t.Errorf("issuers of alpha: %+v", list.Items)
	}
	// The store's own name is reserved.
	_, err = admin.Store("alpha").PutIssuer(ctx, "gatehouse", idp)
	wantError(t, "an issuer named gatehouse", err, http.StatusUnprocessableEntity, "invalid")
	if _, err := issuers.Store("alpha").DeleteIssuer(ctx, "idp"); err != nil {
		t.Errorf("DeleteIssuer: %v", err)
	}

	// whoami: Explain, not Check.
	checker := key("checker", []string{"gatehouse:Check"}, "gatehouse:store/alpha")
	_, err = checker.Store("alpha").Whoami(ctx, client.WhoamiRequest{Token: tok})
	forbidden("whoami with Check only", err)
	explainer := key("explainer", []string{"gatehouse:Explain"}, "gatehouse:store/alpha")
	if who, err := explainer.Store("alpha").Whoami(ctx, client.WhoamiRequest{Token: tok}); err != nil || who.Principal.ID != "u" {
		t.Errorf("whoami with Explain: %+v %v", who, err)
	}
	_, err = explainer.Store("beta").Whoami(ctx, client.WhoamiRequest{Token: tok})
	forbidden("whoami in beta", err)

	// assume-role: AssumeRole on the role, and the trust policy.
	assumer := must(admin.CreateKey(ctx, "assumer", keyPolicy([]string{"gatehouse:AssumeRole"}, "gatehouse:store/alpha/role/tenant")))(t)
	trust := json.RawMessage(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"App": ["` + assumer.ID + `"]}, "Action": "gatehouse:AssumeRole"}]}`)
	for _, r := range []string{"tenant", "auditor"} {
		must(as.PutRole(ctx, r, client.Role{Policies: []string{"p"}, TrustPolicy: trust}))(t)
	}
	ac := e.client(assumer.Secret)
	if tk, err := ac.Store("alpha").AssumeRole(ctx, client.AssumeRoleRequest{Role: "tenant"}); err != nil || tk.SessionID == "" {
		t.Errorf("assume-role with AssumeRole on role/tenant: %+v %v", tk, err)
	}
	_, err = ac.Store("alpha").AssumeRole(ctx, client.AssumeRoleRequest{Role: "auditor"})
	forbidden("assume-role of a role the key may not assume (though its trust policy names the key)", err)
	_, err = checker.Store("alpha").AssumeRole(ctx, client.AssumeRoleRequest{Role: "tenant"})
	forbidden("assume-role with Check only", err)

	// Signing keys: the store's own issuer.
	reader := key("reader", []string{"gatehouse:ReadIssuer"}, "gatehouse:store/alpha/issuer/gatehouse")
	if ks, err := reader.Store("alpha").ListSigningKeys(ctx); err != nil || len(ks.Keys) != 1 {
		t.Errorf("signing keys with ReadIssuer on issuer/gatehouse: %+v %v", ks, err)
	}
	_, err = reader.Store("alpha").RotateSigningKeys(ctx, "")
	forbidden("rotation with ReadIssuer", err)
	_, err = reader.Store("beta").ListSigningKeys(ctx)
	forbidden("beta's signing keys", err)
	rotator := key("rotator", []string{"gatehouse:PutIssuer"}, "gatehouse:store/alpha/issuer/gatehouse")
	if k, err := rotator.Store("alpha").RotateSigningKeys(ctx, ""); err != nil || !k.Active() {
		t.Errorf("rotation with PutIssuer on issuer/gatehouse: %+v %v", k, err)
	}

	// A user's password: PutUser on that user.
	users := key("users", []string{"gatehouse:PutUser"}, "gatehouse:store/alpha/user/v")
	if w, err := users.Store("alpha").SetUserPassword(ctx, "v", "another long passphrase"); err != nil || !w.Created {
		t.Errorf("a password with PutUser on user/v: %+v %v", w, err)
	}
	_, err = users.Store("alpha").SetUserPassword(ctx, "u", "another long passphrase")
	forbidden("another user's password", err)
	_, err = users.Store("alpha").DeleteUserPassword(ctx, "u")
	forbidden("removing another user's password", err)
	if _, err := users.Store("alpha").DeleteUserPassword(ctx, "v"); err != nil {
		t.Errorf("removing the password with PutUser on user/v: %v", err)
	}

	// The OAuth endpoints: a key of alpha is a client of alpha only.
	if _, err := checker.Store("alpha").PasswordLogin(ctx, "u", "correct horse battery staple"); err != nil {
		t.Errorf("alpha's key logging in at alpha: %v", err)
	}
	refusedOAuth(t, "alpha's Check key", checker, "beta")
	refusedOAuth(t, "an Explain key", explainer, "alpha")
}

// TestAssumeRoleAuthorizesFirst: like every other endpoint, assume-role
// refuses a key that may not call it before reading anything — a store
// that does not exist is 403 too ("which tells nothing", as in
// TestAuthorization), and so is a body it would have refused.
//
// It fails while server/identity_handlers.go handleAssumeRole reads the
// store (404) and the body (400) before it authorizes
// gatehouse:AssumeRole.
func TestAssumeRoleAuthorizesFirst(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	key := must(e.admin.CreateKey(ctx, "checker", keyPolicy([]string{"gatehouse:Check"}, "gatehouse:store/default")))(t)
	kc := e.client(key.Secret)
	_, err := kc.Raw(ctx, http.MethodPost, "/v1/stores/gamma/assume-role", []byte(`{"role": "r"}`), nil)
	wantError(t, "assume-role in a store that does not exist", err, http.StatusForbidden, "forbidden")
	_, err = kc.Raw(ctx, http.MethodPost, "/v1/stores/default/assume-role", []byte(`{"role": 1}`), nil)
	wantError(t, "assume-role with a bad body", err, http.StatusForbidden, "forbidden")
}
