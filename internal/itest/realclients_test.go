package itest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/client"
	"github.com/zitadel/oidc/v3/pkg/client/rs"
	"github.com/zitadel/oidc/v3/pkg/client/tokenexchange"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	ghclient "gatehouse.dev/gatehouse/client"
	"gatehouse.dev/gatehouse/internal/oidctest"
)

// Clients written by others speak to the store as an issuer: zitadel's
// OpenID discovery, its RFC 8693 token-exchange client and its RFC 7662
// introspection client (each discovers the endpoints from the store's
// metadata), and golang.org/x/oauth2's client-credentials and password
// flows. Each token they get decides checks.
func TestRealOAuthClients(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	idp := oidctest.Start(t, oidctest.WithUser(oidctest.User{Username: "alice", Password: "wonderland",
		Claims: map[string]any{"custom:companyId": "acme"}}))
	s := e.admin.Store("default")
	must(s.PutIssuer(ctx, "idp", ghclient.Issuer{Issuer: idp.Issuer(), Audiences: []string{idp.ClientID()}}))(t)
	must(s.PutPolicy(ctx, "company", ghclient.Policy{Document: []byte(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": "orders:*", "Resource": "orders:${jwt:custom:companyId}/*"},
		{"Effect": "Allow", "Action": "apps:Ping", "Resource": "*"}]}`)}))(t)
	must(s.PutRole(ctx, "$authenticated", ghclient.Role{Policies: []string{"company"}}))(t)
	must(s.PutUser(ctx, "bob", ghclient.User{}))(t)
	must(s.SetUserPassword(ctx, "bob", "correct horse battery staple"))(t)
	key := must(e.admin.CreateKey(ctx, "web", keyPolicy([]string{"gatehouse:Check"}, "gatehouse:store/default")))(t)
	issuer := e.url + "/v1/stores/default"
	pep := e.client(key.Secret).Store("default")
	allowed := func(what, tok, action, resource string) {
		t.Helper()
		res, err := pep.Check(ctx, ghclient.CheckRequest{Token: tok, Action: action, Resource: ghclient.Resource{Name: resource}})
		if err != nil || !res.Allowed() {
			t.Errorf("%s: %s on %s: %+v, %v", what, action, resource, res, err)
		}
	}

	// Discovery, as an OpenID client reads it.
	disc, err := client.Discover(ctx, issuer, http.DefaultClient)
	if err != nil {
		t.Fatalf("zitadel's Discover: %v", err)
	}
	if disc.Issuer != issuer || disc.TokenEndpoint != issuer+"/oauth2/token" || disc.JwksURI != issuer+"/.well-known/jwks.json" {
		t.Errorf("discovery: %+v", disc)
	}

	// RFC 8693 with zitadel's token-exchange client.
	te, err := tokenexchange.NewTokenExchangerClientCredentials(ctx, issuer, key.ID, key.Secret)
	if err != nil {
		t.Fatalf("token exchanger: %v", err)
	}
	idToken, err := idp.Login(ctx, "alice", "wonderland")
	if err != nil {
		t.Fatal(err)
	}
	exchanged, err := tokenexchange.ExchangeToken(ctx, te, idToken, oidc.IDTokenType, "", "", nil, nil, nil, oidc.AccessTokenType)
	if err != nil {
		t.Fatalf("token exchange: %v", err)
	}
	if exchanged.IssuedTokenType != oidc.AccessTokenType || !strings.EqualFold(exchanged.TokenType, "bearer") || exchanged.ExpiresIn == 0 {
		t.Errorf("token exchange response: %+v", exchanged)
	}
	allowed("exchanged token", exchanged.AccessToken, "orders:Read", "orders:acme/1")

	// RFC 7662 with zitadel's resource-server client.
	server, err := rs.NewResourceServerClientCredentials(ctx, issuer, key.ID, key.Secret)
	if err != nil {
		t.Fatalf("resource server: %v", err)
	}
	in, err := rs.Introspect[*oidc.IntrospectionResponse](ctx, server, exchanged.AccessToken)
	if err != nil || !in.Active || in.Subject != "idp:"+idp.Subject("alice") || in.ClientID != key.ID {
		t.Errorf("introspection: %+v, %v", in, err)
	}

	// golang.org/x/oauth2: client credentials (the app itself) and the
	// password grant (a local user).
	cc := clientcredentials.Config{ClientID: key.ID, ClientSecret: key.Secret, TokenURL: disc.TokenEndpoint}
	appToken, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	allowed("app token", appToken.AccessToken, "apps:Ping", "x")
	pw := oauth2.Config{ClientID: key.ID, ClientSecret: key.Secret, Endpoint: oauth2.Endpoint{TokenURL: disc.TokenEndpoint}}
	userToken, err := pw.PasswordCredentialsToken(ctx, "bob", "correct horse battery staple")
	if err != nil {
		t.Fatalf("password grant: %v", err)
	}
	allowed("password token", userToken.AccessToken, "apps:Ping", "x")
	if _, err := pw.PasswordCredentialsToken(ctx, "bob", "wrong"); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Errorf("a wrong password through x/oauth2: %v", err)
	}
	// Both client authentication styles x/oauth2 knows.
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		c := clientcredentials.Config{ClientID: key.ID, ClientSecret: key.Secret, TokenURL: disc.TokenEndpoint, AuthStyle: style,
			EndpointParams: url.Values{}}
		if _, err := c.Token(ctx); err != nil {
			t.Errorf("client credentials with auth style %d: %v", style, err)
		}
	}
}
