// Package oidctest starts a real OpenID provider on loopback for tests.
//
// The provider is github.com/zitadel/oidc's op package (an OpenID
// Certified implementation) backed by a small in-memory storage written
// here. Tests register users with extra claims and get ID tokens the way a
// browser and a web application would: the authorization-code flow over
// HTTP, through the provider's login page and token endpoint. Nothing in
// this package signs a token itself; the provider does, with RSA (RS256,
// 2048 bits) or ECDSA (ES256) keys that a test can rotate.
//
//	p := oidctest.Start(t, oidctest.WithUser(oidctest.User{
//		Username: "alice",
//		Password: "wonderland",
//		Claims:   map[string]any{"custom:companyId": "acme", "groups": []string{"admins"}},
//	}))
//	idToken, err := p.Login(ctx, "alice", "wonderland")
//
// The provider listens on 127.0.0.1 only, so its issuer is
// http://127.0.0.1:PORT; plain HTTP is acceptable there because the
// traffic never leaves the machine. Servers started by Start stop when the
// test ends. The package is for tests only: nothing outside _test.go files
// and test helpers should import it.
package oidctest
