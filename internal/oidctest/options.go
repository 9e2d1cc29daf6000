package oidctest

import (
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// An Option configures the provider built by Start.
type Option func(*config)

// User is an account at the provider.
type User struct {
	// Username and Password are what the login form accepts.
	Username string
	Password string
	// Subject is the sub claim. When empty, a stable opaque id derived
	// from Username is used (a UUID-shaped string, as Cognito and Entra
	// issue), so that tests see that sub is not the username.
	Subject string
	// Claims are put into the ID token and into the JWT access token, in
	// addition to the registered claims the provider sets itself; for
	// example "custom:companyId", "organization", "groups", "email".
	// Values must marshal to JSON. Registered claim names (iss, sub, aud,
	// exp, iat, ...) are refused by Start: the provider sets those.
	// preferred_username defaults to Username.
	Claims map[string]any
}

// Defaults for the provider's one client and its tokens.
const (
	DefaultClientID      = "gatehouse-test"
	DefaultTokenLifetime = time.Hour
)

type config struct {
	users        []User
	clientID     string
	clientSecret string
	alg          jose.SignatureAlgorithm
	lifetime     time.Duration
}

// WithUser registers a user. It may be given several times.
func WithUser(u User) Option {
	return func(c *config) { c.users = append(c.users, u) }
}

// WithClient sets the client id and secret of the provider's one
// confidential client. The default is DefaultClientID and a random secret.
func WithClient(id, secret string) Option {
	return func(c *config) { c.clientID, c.clientSecret = id, secret }
}

// WithAlgorithm chooses the signing algorithm: jose.RS256 (the default,
// 2048-bit RSA keys) or jose.ES256 (P-256 keys). Keys made by RotateKey use
// the same algorithm.
func WithAlgorithm(alg jose.SignatureAlgorithm) Option {
	return func(c *config) { c.alg = alg }
}

// WithTokenLifetime sets how long ID and access tokens are valid
// (DefaultTokenLifetime unless given).
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) { c.lifetime = d }
}
