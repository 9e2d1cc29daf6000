package oidctest

import (
	"errors"
	"net/http"
	"testing"
)

func TestSetDownAndCounts(t *testing.T) {
	p := Start(t, WithUser(alice))
	if n := p.JWKSFetches() + p.DiscoveryFetches(); n != 0 {
		t.Fatalf("counts after Start = %d, want 0", n)
	}
	if _, err := p.Login(testContext(t), "alice", "wonderland"); err != nil {
		t.Fatal(err)
	}
	if n := p.JWKSFetches() + p.DiscoveryFetches(); n != 0 {
		t.Errorf("Login fetched the discovery document or JWKS (%d times); the counts must be the caller's", n)
	}

	fetchJWKS(t, p)
	var doc map[string]any
	getJSON(t, p.DiscoveryURL(), &doc)
	if p.JWKSFetches() != 1 || p.DiscoveryFetches() != 1 {
		t.Errorf("counts = %d JWKS, %d discovery; want 1 and 1", p.JWKSFetches(), p.DiscoveryFetches())
	}

	p.SetDown(true)
	for _, url := range []string{p.JWKSURI(), p.DiscoveryURL()} {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("GET %s while down: %s, want 503", url, resp.Status)
		}
	}
	if _, err := p.Login(testContext(t), "alice", "wonderland"); err == nil || errors.Is(err, ErrLoginRefused) {
		t.Errorf("Login while down: %v, want an error other than ErrLoginRefused", err)
	}
	if p.JWKSFetches() != 2 {
		t.Errorf("JWKS fetches = %d, want 2 (refused requests count)", p.JWKSFetches())
	}

	p.SetDown(false)
	fetchJWKS(t, p)
	if _, err := p.Login(testContext(t), "alice", "wonderland"); err != nil {
		t.Errorf("Login after the outage: %v", err)
	}
}
