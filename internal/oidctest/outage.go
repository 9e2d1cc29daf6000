package oidctest

import (
	"net/http"
	"sync/atomic"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// What a test of a verifier's key cache needs besides rotation: a provider
// that is briefly unreachable, and counts of how often its discovery
// document and JWKS were fetched.

// front counts discovery and JWKS requests and, while the provider is
// down, answers every request with 503.
type front struct {
	next      http.Handler
	jwksPath  string
	down      atomic.Bool
	jwks      atomic.Int64
	discovery atomic.Int64
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case f.jwksPath:
		f.jwks.Add(1)
	case oidc.DiscoveryEndpoint:
		f.discovery.Add(1)
	}
	if f.down.Load() {
		http.Error(w, "oidctest: the provider is down (SetDown)", http.StatusServiceUnavailable)
		return
	}
	f.next.ServeHTTP(w, r)
}

// SetDown makes every endpoint of the provider (discovery, JWKS, login,
// token) answer 503 Service Unavailable while down is true, to test a
// verifier that must ride out an unreachable issuer. Login fails meanwhile.
func (p *Provider) SetDown(down bool) { p.front.down.Store(down) }

// JWKSFetches is how many requests reached the JWKS endpoint since Start
// returned, including those answered 503 by SetDown. Login never fetches
// the JWKS, so the count is the code under test's (and the test's own).
func (p *Provider) JWKSFetches() int { return int(p.front.jwks.Load()) }

// DiscoveryFetches is how many requests reached the discovery document
// since Start returned, counted as JWKSFetches is.
func (p *Provider) DiscoveryFetches() int { return int(p.front.discovery.Load()) }
