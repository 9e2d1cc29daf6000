// Package client is the Go client of gatehouse's HTTP API (docs/api.md):
// stores and their objects (policies, roles, role mappings, claim rules,
// users, groups, apps, resource policies, permissions boundaries), API
// keys, checks, batches of checks, explanations, the decision log and its
// replay, and the health endpoints; and identity: trusted token issuers,
// the identity inspector (Whoami), assume-role sessions, local users'
// passwords, the store's own issuer (discovery, keys, rotation) and its
// OAuth endpoints (token exchange, client credentials, password login,
// introspection, revocation).
//
// A subject may be named by a token instead of a principal; the server
// verifies it against the store's trusted issuers and its own keys:
//
//	tok, err := c.Store("default").PasswordLogin(ctx, "1", password)
//	...
//	res, err := c.Store("default").Check(ctx, client.CheckRequest{
//		Token:    tok.AccessToken,
//		Action:   "orders:deleteById",
//		Resource: client.Resource{Name: "orders:Order/17"},
//	})
//
// It depends on the standard library only, and its types are its own: a
// program that imports it does not import the server.
//
//	c, err := client.New("http://127.0.0.1:8420", os.Getenv("GATEHOUSE_ADMIN_KEY"))
//	...
//	res, err := c.Store("default").Check(ctx, client.CheckRequest{
//		Principal: &client.Principal{Type: "user", ID: "1"},
//		Action:    "orders:deleteById",
//		Resource:  client.Resource{Name: "orders:Order/17"},
//	})
//	if err == nil && res.Allowed() { ... }
//
// Every call takes a context. An answer with an error status is returned
// as an *Error carrying the problem details the server sent (status, code,
// title, detail, positioned findings), so that callers can branch on the
// stable code:
//
//	var e *client.Error
//	if errors.As(err, &e) && e.Code == "role_cycle" { ... }
//
// The OAuth endpoints answer errors as their RFC says, as an *OAuthError
// (error, error_description, status, Retry-After).
//
// Lists come a page at a time (Page, ListOptions); All and Items walk every
// page.
//
// Writes answer with the store's new revision. Passing it as a check's
// AtLeastRevision makes any server that shares the database decide with
// the write applied (the server that acknowledged the write already does).
package client
