package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"gatehouse.dev/gatehouse/directory"
	"gatehouse.dev/gatehouse/store"
	"gatehouse.dev/gatehouse/token"
	"gatehouse.dev/gatehouse/token/password"
)

// Defaults and limits (docs/api.md).
const (
	// DefaultMaxBodyBytes is the request body limit (API.md §6).
	DefaultMaxBodyBytes = 1 << 20
	// DefaultRequestTimeout is every handler's deadline.
	DefaultRequestTimeout = 10 * time.Second
	// DefaultRevisionWait is how long a check waits for at_least_revision.
	DefaultRevisionWait = 2 * time.Second
	// DefaultRetention is how long decisions and superseded object
	// versions are kept.
	DefaultRetention = 7 * 24 * time.Hour
	// DefaultPruneInterval is how often the retention is enforced.
	DefaultPruneInterval = time.Hour
	// DefaultPollInterval is how often the server asks the store for the
	// revisions of the stores it serves, in case a change notification
	// was lost.
	DefaultPollInterval = 30 * time.Second
	// DefaultStore is the store that always exists.
	DefaultStore = "default"
	// maxCommitAttempts bounds retries of a write whose base revision
	// moved (another replica wrote first).
	maxCommitAttempts = 5
)

// maxStoreID is the longest store id.
const maxStoreID = 63

// validStoreID reports whether id is an application store id:
// ^[a-z0-9][a-z0-9-]{0,62}$. The system scope ("_system") is not one.
func validStoreID(id string) bool {
	if id == "" || len(id) > maxStoreID || id[0] == '-' {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Config configures a Server.
type Config struct {
	// Store persists everything. Required. The server does not close it.
	Store store.Store
	// AdminKey is the bootstrap admin key: the one credential that
	// bypasses key policies. Required (at least 16 bytes).
	AdminKey string
	// PublicURL is the base URL clients reach the server at: each store's
	// issuer URL is <PublicURL>/v1/stores/<store> (API.md §6). Default
	// http://localhost.
	PublicURL string
	// Logger receives structured logs; slog.Default() when nil.
	Logger *slog.Logger
	// Token configures the verification of subject tokens (leeway, key
	// refresh, cache); its Revoked hook is the server's own.
	Token token.Options
	// Throttle configures failed-login throttling of local users
	// (password.DefaultConfig when zero).
	Throttle password.Config
	// DecisionLog, when set, also receives every decision log entry as
	// one JSON object per line.
	DecisionLog io.Writer
	// Retention is how long decisions and superseded object versions are
	// kept (DefaultRetention when zero).
	Retention time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// MaxBodyBytes limits request bodies (DefaultMaxBodyBytes when zero).
	MaxBodyBytes int64
	// RequestTimeout is each handler's deadline (DefaultRequestTimeout
	// when zero).
	RequestTimeout time.Duration
	// RevisionWait is the longest a check waits for at_least_revision
	// (DefaultRevisionWait when zero).
	RevisionWait time.Duration
	// DecisionQueue is how many decisions may wait to be written to the
	// decision log (65,536 when zero); a batch counts each of its items.
	DecisionQueue int
	// PruneInterval and PollInterval time the background work
	// (DefaultPruneInterval, DefaultPollInterval when zero).
	PruneInterval, PollInterval time.Duration
}

// Server is gatehouse's HTTP service: the API under /v1, /metrics,
// /healthz and /readyz.
type Server struct {
	cfg          Config
	store        store.Store
	log          *slog.Logger
	adminKeyHash []byte
	mux          *http.ServeMux
	handler      http.Handler
	metrics      *metrics
	dlog         *decisionLog

	// verifier verifies subject tokens for every store; throttle limits
	// failed local-user logins (in memory: a restart forgets it).
	verifier *token.Verifier
	throttle *password.Throttle

	// system is the compiled system scope (API keys); sysMu serializes
	// its writes and reloads.
	system atomic.Pointer[systemState]
	sysMu  sync.Mutex

	storesMu sync.Mutex
	stores   map[string]*storeState

	started atomic.Bool
	ready   atomic.Bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closed  sync.Once
}

// New checks cfg and returns a server. Call Start before serving.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: Config.Store is required")
	}
	if len(cfg.AdminKey) < 16 {
		return nil, errors.New("server: Config.AdminKey must be at least 16 characters")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RevisionWait <= 0 {
		cfg.RevisionWait = DefaultRevisionWait
	}
	if cfg.PruneInterval <= 0 {
		cfg.PruneInterval = DefaultPruneInterval
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://localhost"
	}
	if cfg.Token.Revoked != nil {
		return nil, errors.New("server: Config.Token.Revoked is the server's own")
	}
	cfg.Token.Revoked = revoked
	verifier, err := token.NewVerifier(cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if cfg.Throttle == (password.Config{}) {
		cfg.Throttle = password.DefaultConfig()
	}
	throttle, err := password.NewThrottle(cfg.Throttle)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	sum := sha256.Sum256([]byte(cfg.AdminKey))
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, adminKeyHash: sum[:], stores: map[string]*storeState{},
		verifier: verifier, throttle: throttle}
	s.dlog = newDecisionLog(cfg.Store, cfg.DecisionLog, cfg.DecisionQueue, cfg.Logger)
	s.metrics = newMetrics(func() float64 { return float64(s.dlog.queued.Load()) })
	s.dlog.metrics = s.metrics
	s.routes()
	return s, nil
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Start prepares the server to serve: it creates the default store and the
// system scope if they do not exist, loads them, and starts the background
// work (change watching, decision log writer, pruning). ctx bounds the
// preparation only.
func (s *Server) Start(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("server: already started")
	}
	for _, id := range []string{store.SystemScope, DefaultStore} {
		if _, err := s.store.CreateStore(ctx, id); err != nil && !errors.Is(err, store.ErrExists) {
			return fmt.Errorf("creating store %q: %w", id, err)
		}
	}
	// Subscribe before loading, so that no commit falls between the
	// load and the subscription unnoticed.
	bg, cancel := context.WithCancel(context.Background())
	feed, err := s.store.Watch(bg)
	if err != nil {
		cancel()
		return fmt.Errorf("watching the store for changes: %w", err)
	}
	if err := s.reloadSystem(ctx); err != nil {
		cancel()
		return err
	}
	if _, err := s.storeState(ctx, DefaultStore); err != nil {
		cancel()
		return fmt.Errorf("loading the default store: %w", err)
	}
	s.cancel = cancel
	s.dlog.running.Store(true)
	s.wg.Add(3)
	go func() { defer s.wg.Done(); s.dlog.run() }()
	go func() { defer s.wg.Done(); s.watch(bg, feed) }()
	go func() { defer s.wg.Done(); s.maintain(bg) }()
	s.ready.Store(true)
	return nil
}

// Close stops the background work and writes out the decision log (for at
// most 10 s). It does not close the store.
func (s *Server) Close() error {
	s.closed.Do(func() {
		s.ready.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.dlog.close(ctx)
		if s.cancel != nil {
			s.cancel()
		}
		s.wg.Wait()
	})
	return nil
}

// watch follows the store's change notifications (feed first) and reloads
// what moved; it resubscribes when a feed ends before the server does, and
// then polls once, for what the gap may have hidden.
func (s *Server) watch(ctx context.Context, feed <-chan store.Notification) {
	for n := range feed {
		s.notified(ctx, n)
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		ch, err := s.store.Watch(ctx)
		if err != nil {
			s.log.Error("cannot watch the store for changes; retrying", "err", err, "in", backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		s.poll(ctx)
		for n := range ch {
			s.notified(ctx, n)
		}
	}
}

// notified reloads the store a notification is about, if this server
// serves it and is behind.
func (s *Server) notified(ctx context.Context, n store.Notification) {
	if n.Store == store.SystemScope {
		if cur := s.system.Load(); cur == nil || cur.rev < n.Revision {
			if err := s.reloadSystem(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("reloading API keys failed", "err", err)
			}
		}
		return
	}
	st := s.loadedState(n.Store)
	if st == nil {
		return
	}
	if cur := st.cur.Load(); cur != nil && cur.Revision() >= n.Revision {
		return
	}
	if err := s.refresh(ctx, st); err != nil && ctx.Err() == nil {
		s.log.Error("reloading a store failed", "store", n.Store, "err", err)
	}
}

// maintain polls served stores (in case a notification was lost) and
// prunes old decisions and object versions.
func (s *Server) maintain(ctx context.Context) {
	poll := time.NewTicker(s.cfg.PollInterval)
	defer poll.Stop()
	prune := time.NewTicker(s.cfg.PruneInterval)
	defer prune.Stop()
	s.prune(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			s.poll(ctx)
		case <-prune.C:
			s.prune(ctx)
		}
	}
}

func (s *Server) poll(ctx context.Context) {
	if rev, err := s.store.Revision(ctx, store.SystemScope); err == nil {
		s.notified(ctx, store.Notification{Store: store.SystemScope, Revision: rev})
	}
	for _, st := range s.loadedStates() {
		rev, err := s.store.Revision(ctx, st.id)
		if err != nil {
			continue
		}
		s.notified(ctx, store.Notification{Store: st.id, Revision: rev})
	}
}

func (s *Server) prune(ctx context.Context) {
	before := s.now().Add(-s.cfg.Retention)
	n, err := s.store.Prune(ctx, before)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Error("pruning the decision log and old versions failed", "err", err)
		}
		return
	}
	if n > 0 {
		s.log.Info("pruned decisions and superseded object versions", "rows", n, "before", before)
	}
	s.pruneIdentity(ctx)
}

// pruneIdentity deletes the sessions that have ended and the revocations
// of tokens that have expired (they refuse nothing any more), a minute
// after the fact so that no verifier's leeway can still accept them.
func (s *Server) pruneIdentity(ctx context.Context) {
	cutoff := s.now().Add(-time.Minute - token.MaxLeeway)
	for _, st := range s.loadedStates() {
		d := st.snapshot()
		var changes []store.Change
		for _, e := range d.Entries(directory.KindSession) {
			if sess := e.Object.(*directory.Session); sess.ExpiresAt.Before(cutoff) {
				changes = append(changes, store.Change{Kind: directory.KindSession, ID: sess.ID})
			}
		}
		for _, e := range d.Entries(directory.KindRevocation) {
			if rv := e.Object.(*directory.Revocation); rv.ExpiresAt.Before(cutoff) {
				changes = append(changes, store.Change{Kind: directory.KindRevocation, ID: rv.ID})
			}
		}
		if len(changes) == 0 {
			continue
		}
		if _, err := s.commit(ctx, st, changes, nil); err != nil {
			// Another replica may have pruned them first: the next
			// run sees.
			s.log.Debug("pruning ended sessions and expired revocations", "store", st.id, "err", err)
			continue
		}
		s.log.Info("pruned ended sessions and expired revocations", "store", st.id, "objects", len(changes))
	}
}
