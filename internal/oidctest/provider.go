package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Provider is a running OpenID provider and the relying party (the web
// application whose redirect URI receives the code) that Login drives.
// Its methods are safe for concurrent use.
type Provider struct {
	t       testing.TB
	cfg     config
	storage *storage
	issuer  string
	// redirectURI is the relying party's callback on its own loopback server.
	redirectURI string
	// authorizeURL, tokenURL and jwksURI come from the discovery document.
	authorizeURL, tokenURL, jwksURI string
	// transport is used by Login and the relying party; closed at cleanup.
	transport *http.Transport
	// front sits before the provider's handlers (outage.go).
	front *front

	mu      sync.Mutex
	pending map[string]string // state -> nonce of logins in progress
}

// registeredClaims are the claims the provider sets itself; a User's
// Claims may not name them.
var registeredClaims = []string{
	"iss", "sub", "aud", "exp", "iat", "nbf", "auth_time", "nonce", "acr", "amr",
	"azp", "client_id", "jti", "act", "at_hash", "c_hash", "sid", "scope",
}

// Start starts a provider and its relying party on 127.0.0.1 and stops
// them when the test ends. It fails the test if the options are wrong
// (an unsupported algorithm, a user without a username or with a
// registered claim, two users with one username or subject).
func Start(t testing.TB, opts ...Option) *Provider {
	t.Helper()
	cfg := config{clientID: DefaultClientID, alg: jose.RS256, lifetime: DefaultTokenLifetime}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clientSecret == "" {
		cfg.clientSecret = rand.Text()
	}
	if cfg.clientID == "" {
		t.Fatalf("oidctest: the client id is empty")
	}
	if cfg.lifetime <= 0 {
		t.Fatalf("oidctest: token lifetime %v is not positive", cfg.lifetime)
	}
	users, bySubject, err := indexUsers(cfg.users)
	if err != nil {
		t.Fatal(err)
	}
	key, err := newSigningKey(cfg.alg)
	if err != nil {
		t.Fatal(err)
	}

	opListener := listen(t)
	rpListener := listen(t)
	p := &Provider{
		t:           t,
		cfg:         cfg,
		issuer:      "http://" + opListener.Addr().String(),
		redirectURI: "http://" + rpListener.Addr().String() + callbackPath,
		transport:   &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4},
		pending:     map[string]string{},
	}
	p.storage = &storage{
		client:    &client{id: cfg.clientID, secret: cfg.clientSecret, redirectURI: p.redirectURI, lifetime: cfg.lifetime},
		lifetime:  cfg.lifetime,
		users:     users,
		bySubject: bySubject,
		requests:  map[string]*authRequest{},
		codes:     map[string]string{},
		tokens:    map[string]accessToken{},
	}
	p.storage.rotate(key)

	opConfig := &op.Config{CodeMethodS256: true}
	if _, err := rand.Read(opConfig.CryptoKey[:]); err != nil {
		t.Fatalf("oidctest: random key for codes: %v", err)
	}
	provider, err := op.NewProvider(opConfig, p.storage, op.StaticIssuer(p.issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatalf("oidctest: starting the provider: %v", err)
	}
	login := &loginHandler{storage: p.storage, callback: op.AuthCallbackURL(provider)}
	mux := http.NewServeMux()
	mux.Handle(loginPath, op.NewIssuerInterceptor(provider.IssuerFromRequest).Handler(login))
	mux.Handle("/", provider)

	p.front = &front{next: mux, jwksPath: provider.KeysEndpoint().Relative()}

	opServer := serve(opListener, p.front)
	rpServer := serve(rpListener, http.HandlerFunc(p.callback))
	t.Cleanup(func() {
		p.transport.CloseIdleConnections()
		rpServer.Close()
		opServer.Close()
	})

	if err := p.discover(); err != nil {
		t.Fatal(err)
	}
	p.front.discovery.Store(0) // count only what the test does
	return p
}

// indexUsers checks the users and fills in the defaults.
func indexUsers(list []User) (byName, bySubject map[string]*User, err error) {
	byName, bySubject = map[string]*User{}, map[string]*User{}
	for _, u := range list {
		if u.Username == "" {
			return nil, nil, fmt.Errorf("oidctest: a user has no username")
		}
		if u.Subject == "" {
			u.Subject = opaqueSubject(u.Username)
		}
		if _, dup := byName[u.Username]; dup {
			return nil, nil, fmt.Errorf("oidctest: user %q is registered twice", u.Username)
		}
		if _, dup := bySubject[u.Subject]; dup {
			return nil, nil, fmt.Errorf("oidctest: subject %q is used by two users", u.Subject)
		}
		for _, name := range registeredClaims {
			if _, ok := u.Claims[name]; ok {
				return nil, nil, fmt.Errorf("oidctest: user %q: claim %q is set by the provider and cannot be given", u.Username, name)
			}
		}
		u.Claims = maps.Clone(u.Claims)
		if u.Claims == nil {
			u.Claims = map[string]any{}
		}
		if _, ok := u.Claims["preferred_username"]; !ok {
			u.Claims["preferred_username"] = u.Username
		}
		if _, err := json.Marshal(u.Claims); err != nil {
			return nil, nil, fmt.Errorf("oidctest: user %q: claims do not marshal to JSON: %w", u.Username, err)
		}
		byName[u.Username] = &u
		bySubject[u.Subject] = &u
	}
	return byName, bySubject, nil
}

// opaqueSubject derives a UUID-shaped subject from a username, the same in
// every run.
func opaqueSubject(username string) string {
	h := sha256.Sum256([]byte("oidctest subject\x00" + username))
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("oidctest: listening on loopback: %v", err)
	}
	return l
}

// serve starts an HTTP server on l whose own error log is discarded, so a
// test's output shows only the test's messages.
func serve(l net.Listener, h http.Handler) *httptest.Server {
	s := &httptest.Server{
		Listener: l,
		Config: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          log.New(io.Discard, "", 0),
		},
	}
	s.Start()
	return s
}

// discover reads the provider's discovery document, as a relying party does.
func (p *Provider) discover() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var doc oidc.DiscoveryConfiguration
	if err := p.getJSON(ctx, p.issuer+oidc.DiscoveryEndpoint, &doc); err != nil {
		return fmt.Errorf("oidctest: reading the discovery document: %w", err)
	}
	if doc.Issuer != p.issuer {
		return fmt.Errorf("oidctest: discovery document names issuer %q, want %q", doc.Issuer, p.issuer)
	}
	p.authorizeURL, p.tokenURL, p.jwksURI = doc.AuthorizationEndpoint, doc.TokenEndpoint, doc.JwksURI
	return nil
}

func (p *Provider) getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := p.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	return json.Unmarshal(body, v)
}

// httpClient is a client without cookies that does not follow redirects.
func (p *Provider) httpClient() *http.Client {
	return &http.Client{
		Transport: p.transport,
		Timeout:   10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Issuer is the provider's issuer URL, http://127.0.0.1:PORT.
func (p *Provider) Issuer() string { return p.issuer }

// DiscoveryURL is the URL of the provider's OpenID discovery document.
func (p *Provider) DiscoveryURL() string { return p.issuer + oidc.DiscoveryEndpoint }

// JWKSURI is the URL of the provider's JSON Web Key Set, as its discovery
// document publishes it.
func (p *Provider) JWKSURI() string { return p.jwksURI }

// ClientID is the id of the provider's client: the aud of its ID tokens.
func (p *Provider) ClientID() string { return p.cfg.clientID }

// ClientSecret is the secret of the provider's client.
func (p *Provider) ClientSecret() string { return p.cfg.clientSecret }

// RedirectURI is the client's registered redirect URI, on loopback.
func (p *Provider) RedirectURI() string { return p.redirectURI }

// Subject is the sub claim the provider puts into username's tokens, or ""
// if there is no such user.
func (p *Provider) Subject(username string) string {
	if u, ok := p.storage.users[username]; ok {
		return u.Subject
	}
	return ""
}

// KeyID is the kid of the key the provider signs with now.
func (p *Provider) KeyID() string { return p.storage.currentKeyID() }

// RotateKey makes the provider sign with a new key of the same algorithm
// and returns its kid. The JWKS publishes the new key first and keeps the
// previous keys, as providers do while tokens signed with them are still
// valid, until DropOldKeys. Call it from the test's goroutine: it fails
// the test if the key cannot be made.
func (p *Provider) RotateKey() string {
	p.t.Helper()
	key, err := newSigningKey(p.cfg.alg)
	if err != nil {
		p.t.Fatal(err)
	}
	p.storage.rotate(key)
	return key.id
}

// DropOldKeys removes every key but the current one from the JWKS, so
// tokens signed before the last RotateKey no longer verify.
func (p *Provider) DropOldKeys() { p.storage.dropRetired() }
