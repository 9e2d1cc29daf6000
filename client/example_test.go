package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"os"

	"gatehouse.dev/gatehouse/client"
	"gatehouse.dev/gatehouse/server"
	"gatehouse.dev/gatehouse/store/sqlite"
)

// exampleAdminKey is the bootstrap admin key of the examples' server.
const exampleAdminKey = "example-admin-key-0123456789"

// startServer runs a real gatehouse server on SQLite in a temporary
// directory, as `gatehouse serve` would, and returns its URL and a
// function that stops it.
func startServer() (string, func()) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "gatehouse-example-")
	if err != nil {
		log.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(ctx, dir, sqlite.Options{Logger: quiet})
	if err != nil {
		log.Fatal(err)
	}
	srv, err := server.New(server.Config{Store: st, AdminKey: exampleAdminKey, Logger: quiet})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		log.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	return hs.URL, func() {
		hs.Close()
		srv.Close()
		st.Close()
		os.RemoveAll(dir)
	}
}

// The LoopBack question — "how do I map a logged-in user to the admin
// role?" — answered through the client: a policy for the admin role, a
// role mapping for alice, and checks for alice and bob.
func Example() {
	baseURL, stop := startServer()
	defer stop()
	ctx := context.Background()

	c, err := client.New(baseURL, exampleAdminKey)
	if err != nil {
		log.Fatal(err)
	}
	s := c.Store("default")

	if _, err := s.PutPolicy(ctx, "orders-admin", client.Policy{Document: json.RawMessage(`{
		"Version": "2012-10-17",
		"Statement": [{"Sid": "AdminAll", "Effect": "Allow", "Action": "orders:*", "Resource": "orders:Order/*"}]
	}`)}); err != nil {
		log.Fatal(err)
	}
	if _, err := s.PutRole(ctx, "admin", client.Role{Policies: []string{"orders-admin"}}); err != nil {
		log.Fatal(err)
	}
	w, err := s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: client.PrincipalUser, PrincipalID: "alice", Role: "admin"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("role mapping", w.ID, "at revision", w.Revision)

	for _, who := range []string{"alice", "bob"} {
		res, err := s.Check(ctx, client.CheckRequest{
			Principal: &client.Principal{Type: "user", ID: who},
			Action:    "orders:deleteById",
			Resource:  client.Resource{Name: "orders:Order/17"},
		})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %s (%s)\n", who, res.Decision, res.Reason)
	}

	x, err := s.Explain(ctx, client.CheckRequest{
		Principal: &client.Principal{Type: "user", ID: "alice"},
		Action:    "orders:deleteById",
		Resource:  client.Resource{Name: "orders:Order/17"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(x.Role("admin").Via)
	fmt.Println("decided by", x.Statements[0].Policy, x.Statements[0].Sid)

	// Errors carry the server's problem details; branch on the code.
	_, err = s.PutRole(ctx, "auditor", client.Role{Policies: []string{"no-such-policy"}})
	var e *client.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Code)
	}
	// Output:
	// role mapping 3 at revision 3
	// alice: allow (allowed)
	// bob: deny (implicit_deny)
	// admin via role mapping 3: USER alice → admin
	// decided by orders-admin AdminAll
	// 422 missing_reference
}

// All and Items walk every page of a list.
func ExampleAll() {
	baseURL, stop := startServer()
	defer stop()
	ctx := context.Background()
	c, err := client.New(baseURL, exampleAdminKey)
	if err != nil {
		log.Fatal(err)
	}
	s := c.Store("default")
	if _, err := s.PutRole(ctx, "admin", client.Role{}); err != nil {
		log.Fatal(err)
	}
	for _, user := range []string{"1", "2", "3"} {
		if _, err := s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: client.PrincipalUser, PrincipalID: user, Role: "admin"}); err != nil {
			log.Fatal(err)
		}
	}
	// Pages of one, to show the walk; the server's default page is 100.
	onePerPage := func(ctx context.Context, o client.ListOptions) (*client.Page[client.RoleMapping], error) {
		o.Limit = 1
		return s.ListRoleMappings(ctx, client.RoleMappingFilter{Role: "admin"}, o)
	}
	mappings, err := client.All(ctx, onePerPage)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range mappings {
		fmt.Println(m.ID, m.PrincipalType, m.PrincipalID, "→", m.Role)
	}
	// Output:
	// 2 USER 1 → admin
	// 3 USER 2 → admin
	// 4 USER 3 → admin
}

// The LoopBack question with tokens: a local user logs in with a password
// and the token, not a principal, names the subject of the check. The
// token carries no roles: the role mapping gives admin at every check.
// whoami says what the token proves and what the user may do.
func ExampleStore_PasswordLogin() {
	baseURL, stop := startServer()
	defer stop()
	ctx := context.Background()
	c, err := client.New(baseURL, exampleAdminKey)
	if err != nil {
		log.Fatal(err)
	}
	s := c.Store("default")
	steps := []func() error{
		func() error {
			_, err := s.PutPolicy(ctx, "orders-admin", client.Policy{Document: json.RawMessage(
				`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "orders:*", "Resource": "orders:Order/*"}]}`)})
			return err
		},
		func() error {
			_, err := s.PutRole(ctx, "admin", client.Role{Policies: []string{"orders-admin"}})
			return err
		},
		func() error { _, err := s.PutUser(ctx, "1", client.User{}); return err },
		func() error { _, err := s.SetUserPassword(ctx, "1", "correct horse battery staple"); return err },
		func() error {
			_, err := s.CreateRoleMapping(ctx, client.RoleMapping{PrincipalType: client.PrincipalUser, PrincipalID: "1", Role: "admin"})
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			log.Fatal(err)
		}
	}

	// The application's API key is the OAuth client.
	key, err := c.CreateKey(ctx, "web", json.RawMessage(
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["gatehouse:Check", "gatehouse:Explain"], "Resource": "gatehouse:store/default"}]}`))
	if err != nil {
		log.Fatal(err)
	}
	app, err := client.New(baseURL, key.Secret)
	if err != nil {
		log.Fatal(err)
	}
	web := app.Store("default")
	tok, err := web.PasswordLogin(ctx, "1", "correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.TokenType, tok.ExpiresIn)

	res, err := web.Check(ctx, client.CheckRequest{
		Token:    tok.AccessToken,
		Action:   "orders:deleteById",
		Resource: client.Resource{Name: "orders:Order/17"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("user 1:", res.Decision)

	who, err := web.Whoami(ctx, client.WhoamiRequest{Token: tok.AccessToken})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(who.Principal.Type, who.Principal.ID, "from", who.Token.IssuerName)
	fmt.Println(who.Role("admin").Via)

	// A wrong password is an OAuth error (RFC 6749 §5.2).
	_, err = web.PasswordLogin(ctx, "1", "wrong")
	var oe *client.OAuthError
	if errors.As(err, &oe) {
		fmt.Println(oe.Status, oe.Code)
	}
	// Output:
	// Bearer 3600
	// user 1: allow
	// user 1 from gatehouse
	// admin via role mapping 5: USER 1 → admin
	// 400 invalid_grant
}
