package token

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Defaults and bounds of Options.
const (
	// DefaultMaxTokenBytes is the default size limit of a token (16 KiB;
	// identity provider tokens are 1–4 KiB).
	DefaultMaxTokenBytes = 16 << 10
	// MaxMaxTokenBytes is the largest size limit Options may set.
	MaxMaxTokenBytes = 1 << 20
	// DefaultLeeway is the default clock skew allowed on exp, nbf and iat.
	DefaultLeeway = 60 * time.Second
	// MaxLeeway is the largest leeway Options may set.
	MaxLeeway = 5 * time.Minute
	// DefaultMinRefreshInterval is the default least time between two
	// fetches of one issuer's keys.
	DefaultMinRefreshInterval = 30 * time.Second
	// DefaultMaxStale is how long keys keep serving after their max-age
	// ran out while the issuer cannot be reached.
	DefaultMaxStale = 24 * time.Hour
	// DefaultFetchTimeout bounds one fetch (discovery and key set).
	DefaultFetchTimeout = 10 * time.Second
	// DefaultCacheEntries is the default number of verified tokens kept.
	DefaultCacheEntries = 10000
	// maxSources bounds the key sources kept (one per distinct issuer
	// configuration in use); the least recently used is dropped first.
	maxSources = 10000
)

// Options configure a Verifier. The zero value gives the defaults.
type Options struct {
	// HTTPClient fetches discovery documents and key sets. Default: a
	// client with the fetch timeout. Its redirects are limited to https
	// (or loopback http) URLs.
	HTTPClient *http.Client
	// MaxTokenBytes is the size limit of a token (token_too_large above
	// it). Default DefaultMaxTokenBytes; at most MaxMaxTokenBytes.
	MaxTokenBytes int
	// Leeway is the clock skew allowed on exp, nbf and iat. 0 means
	// DefaultLeeway; a negative value means none. At most MaxLeeway.
	Leeway time.Duration
	// MinRefreshInterval is the least time between two fetches of one
	// issuer's keys, however many unknown kids arrive. Default
	// DefaultMinRefreshInterval.
	MinRefreshInterval time.Duration
	// MaxStale is how long an issuer's keys keep serving after their
	// max-age ran out while they cannot be fetched again. Default
	// DefaultMaxStale; a negative value means not at all.
	MaxStale time.Duration
	// FetchTimeout bounds one fetch. Default DefaultFetchTimeout.
	FetchTimeout time.Duration
	// CacheEntries is the number of verified tokens remembered. 0 means
	// DefaultCacheEntries; a negative value turns the cache off.
	CacheEntries int
	// Revoked, when set, is asked about every token that verifies, cached
	// or not; true refuses it with token_revoked. ctx is the one given to
	// Verify (a server with many stores can carry the store in it). It
	// must be safe for concurrent use, and fast: it runs on every call.
	Revoked func(ctx context.Context, v *Verified) bool
	// Clock tells the time for key caching and refresh intervals (not for
	// the token's own times, which Verify's now decides). Default
	// time.Now.
	Clock func() time.Time
}

// Verifier verifies tokens against trusted issuers. Make one per server
// with NewVerifier and share it: it is safe for concurrent use, keeps each
// issuer configuration's keys, and remembers verified tokens.
type Verifier struct {
	client       *http.Client
	maxBytes     int
	leeway       time.Duration
	minRefresh   time.Duration
	maxStale     time.Duration
	fetchTimeout time.Duration
	revoked      func(context.Context, *Verified) bool
	clock        func() time.Time

	mu      sync.Mutex
	sources map[string]*source

	cache *verifiedCache // nil when off
}

// NewVerifier returns a Verifier with the options o, or an error naming
// an option out of its range.
func NewVerifier(o Options) (*Verifier, error) {
	v := &Verifier{
		maxBytes:     o.MaxTokenBytes,
		leeway:       o.Leeway,
		minRefresh:   o.MinRefreshInterval,
		maxStale:     o.MaxStale,
		fetchTimeout: o.FetchTimeout,
		revoked:      o.Revoked,
		clock:        o.Clock,
		sources:      map[string]*source{},
	}
	switch {
	case v.maxBytes < 0 || v.maxBytes > MaxMaxTokenBytes:
		return nil, fmt.Errorf("token: MaxTokenBytes is %d; give 1 to %d, or 0 for the default %d", v.maxBytes, MaxMaxTokenBytes, DefaultMaxTokenBytes)
	case v.maxBytes == 0:
		v.maxBytes = DefaultMaxTokenBytes
	}
	switch {
	case v.leeway > MaxLeeway:
		return nil, fmt.Errorf("token: Leeway is %s; at most %s is allowed (a leeway stretches every token's lifetime)", v.leeway, MaxLeeway)
	case v.leeway == 0:
		v.leeway = DefaultLeeway
	case v.leeway < 0:
		v.leeway = 0
	}
	if v.minRefresh < 0 {
		return nil, fmt.Errorf("token: MinRefreshInterval is negative (%s)", v.minRefresh)
	}
	if v.minRefresh == 0 {
		v.minRefresh = DefaultMinRefreshInterval
	}
	switch {
	case v.maxStale == 0:
		v.maxStale = DefaultMaxStale
	case v.maxStale < 0:
		v.maxStale = 0
	}
	if v.fetchTimeout < 0 {
		return nil, fmt.Errorf("token: FetchTimeout is negative (%s)", v.fetchTimeout)
	}
	if v.fetchTimeout == 0 {
		v.fetchTimeout = DefaultFetchTimeout
	}
	if v.clock == nil {
		v.clock = time.Now
	}
	if o.HTTPClient != nil {
		c := *o.HTTPClient
		v.client = &c
	} else {
		v.client = &http.Client{Timeout: v.fetchTimeout}
	}
	next := v.client.CheckRedirect
	v.client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkURL("redirect", req.URL.String(), false); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 5 {
			return errors.New("more than 5 redirects")
		}
		return nil
	}
	switch {
	case o.CacheEntries == 0:
		v.cache = newVerifiedCache(DefaultCacheEntries)
	case o.CacheEntries > 0:
		v.cache = newVerifiedCache(o.CacheEntries)
	}
	return v, nil
}

// source returns the key source of an issuer configuration: shared by
// every configuration with the same inline keys, or the same issuer URL
// and jwks_uri.
func (v *Verifier) source(iss *Issuer) *source {
	var id string
	if len(iss.JWKS) > 0 {
		sum := sha256.Sum256(iss.JWKS)
		id = "jwks\x00" + string(sum[:])
	} else {
		id = "url\x00" + iss.Issuer + "\x00" + iss.JWKSURI
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if s := v.sources[id]; s != nil {
		return s
	}
	if len(v.sources) >= maxSources {
		v.evictSourceLocked()
	}
	var s *source
	if len(iss.JWKS) > 0 {
		s = newInlineSource(v, iss.JWKS)
	} else {
		s = &source{v: v, issuer: iss.Issuer, jwksURI: iss.JWKSURI}
	}
	s.used.Store(v.clock().UnixNano())
	v.sources[id] = s
	return s
}

// evictSourceLocked drops the least recently used source. v.mu is held.
func (v *Verifier) evictSourceLocked() {
	var oldest string
	var at int64
	for id, s := range v.sources {
		if u := s.used.Load(); oldest == "" || u < at {
			oldest, at = id, u
		}
	}
	delete(v.sources, oldest)
}
