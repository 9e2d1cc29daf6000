package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"gatehouse.dev/gatehouse/server"
	"gatehouse.dev/gatehouse/store/sqlite"
	"gatehouse.dev/gatehouse/token"
)

// Serving limits and timeouts of the HTTP server.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
	// shutdownTimeout bounds the graceful shutdown: in-flight requests,
	// then the decision log.
	shutdownTimeout = 15 * time.Second
	// adminKeyFile is the generated admin key's file in the data
	// directory.
	adminKeyFile = "admin.key"
	// adminKeyEnv names the environment variable of the admin key.
	adminKeyEnv = "GATEHOUSE_ADMIN_KEY"
)

// Demo is what the --demo loader gets: a running server's address and
// the admin key to load it through, and where to print the curl commands.
type Demo struct {
	BaseURL  string
	AdminKey string
	// DataDir is the server's data directory (where admin.key is).
	DataDir string
	Out     io.Writer
}

// LoadDemo loads the examples into a running server (--demo). It is set by
// the package that provides the demo; nil means this build has none.
var LoadDemo func(ctx context.Context, d Demo) error

// serveContext returns the context that ends the server: SIGINT or SIGTERM.
// Tests replace it.
var serveContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

const serveDetails = `
Runs the gatehouse decision service: the HTTP API under /v1 (docs/api.md),
Prometheus metrics at /metrics, /healthz and /readyz.

Data (stores, API keys, the decision log) is kept in an embedded SQLite
database in the data directory. Callers authenticate with
Authorization: Bearer <key>. The bootstrap admin key is taken from the
GATEHOUSE_ADMIN_KEY environment variable or, when it is not set, from
<data>/admin.key, which is generated (mode 0600) on first start and printed
once, then never again.

SIGINT or SIGTERM stops the server gracefully: in-flight requests finish,
the decision log is written out, and the database is closed.`

func init() {
	register(&command{
		name:     "serve",
		synopsis: "serve [--listen ADDR] [--data DIR] [--public-url URL] [--demo] [--decision-log FILE|-] [--log-format text|json] [--log-level LEVEL] [--token-leeway D]",
		summary:  "run the decision service (HTTP API)",
		details:  serveDetails,
		flags:    serveFlags,
	})
}

type serveOptions struct {
	listen, data, publicURL, decisionLog, logFormat, logLevel string
	demo                                                      bool
	tokenLeeway                                               time.Duration
}

func serveFlags(fs *flag.FlagSet) func(*env, []string) int {
	var o serveOptions
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8420", "address to listen on")
	fs.StringVar(&o.data, "data", "gatehouse-data", "data directory")
	fs.StringVar(&o.publicURL, "public-url", "", "the base URL clients reach this server at\n(default http://<listen address>)")
	fs.BoolVar(&o.demo, "demo", false, "load the examples into stores named after them and print curl commands")
	fs.StringVar(&o.decisionLog, "decision-log", "", "also write every decision as a JSON line to FILE\n(appended), or to standard output with -")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format on standard error: text or json")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error\n(debug logs every check)")
	fs.DurationVar(&o.tokenLeeway, "token-leeway", token.DefaultLeeway, "clock skew allowed on a token's exp, nbf and iat\n(at most 5m; 0s for none)")
	return func(e *env, args []string) int {
		if len(args) > 0 {
			return e.fail("serve takes no arguments, only flags")
		}
		return serve(e, o)
	}
}

func serve(e *env, o serveOptions) int {
	if o.tokenLeeway < 0 || o.tokenLeeway > token.MaxLeeway {
		return e.fail("--token-leeway %s: give 0s to %s", o.tokenLeeway, token.MaxLeeway)
	}
	log, err := newLogger(e.stderr, o.logFormat, o.logLevel)
	if err != nil {
		return e.fail("%v", err)
	}
	ctx, stop := serveContext()
	defer stop()

	st, err := sqlite.Open(ctx, o.data, sqlite.Options{Logger: log})
	if err != nil {
		return e.fail("opening the data directory: %v", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("closing the database", "err", err)
		}
	}()
	adminKey, err := adminKey(e, o.data)
	if err != nil {
		return e.fail("%v", err)
	}
	var decisions io.Writer
	switch o.decisionLog {
	case "":
	case "-":
		decisions = e.stdout
	default:
		f, err := os.OpenFile(o.decisionLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return e.fail("opening the decision log file: %v", err)
		}
		defer f.Close()
		decisions = f
	}

	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return e.fail("%v", err)
	}
	base := "http://" + ln.Addr().String()
	if o.publicURL == "" {
		o.publicURL = base
	}
	leeway := o.tokenLeeway
	if leeway == 0 {
		leeway = -1 // token.Options: negative means none
	}
	srv, err := server.New(server.Config{Store: st, AdminKey: adminKey, PublicURL: strings.TrimRight(o.publicURL, "/"),
		Logger: log, DecisionLog: decisions, Token: token.Options{Leeway: leeway}})
	if err != nil {
		ln.Close()
		return e.fail("%v", err)
	}
	if err := srv.Start(ctx); err != nil {
		ln.Close()
		return e.fail("starting: %v", err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("gatehouse serving", "url", base, "data", o.data, "public_url", o.publicURL)
	fmt.Fprintf(e.stderr, "gatehouse serve: listening on %s (data in %s)\n", base, o.data)

	if o.demo {
		if LoadDemo == nil {
			log.Warn("--demo: this build has no demo loader yet")
		} else if err := LoadDemo(ctx, Demo{BaseURL: base, AdminKey: adminKey, DataDir: o.data, Out: e.stdout}); err != nil {
			log.Error("--demo: loading the examples failed", "err", err)
		}
	}

	status := exitOK
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-served:
		log.Error("the HTTP server stopped", "err", err)
		status = exitNo
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		log.Error("graceful shutdown did not finish; closing connections", "err", err)
		hs.Close()
	}
	srv.Close()
	log.Info("stopped")
	return status
}

// newLogger builds the slog logger of serve.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: use text or json", format)
}

// adminKey returns the bootstrap admin key: GATEHOUSE_ADMIN_KEY, else the
// key in <data>/admin.key, generating that file (0600) and printing the key
// once on standard error when it does not exist.
func adminKey(e *env, data string) (string, error) {
	if k := os.Getenv(adminKeyEnv); k != "" {
		if len(k) < 16 {
			return "", fmt.Errorf("%s is too short: use at least 16 random characters", adminKeyEnv)
		}
		return k, nil
	}
	path := filepath.Join(data, adminKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		k := strings.TrimSpace(string(b))
		if len(k) < 16 {
			return "", fmt.Errorf("%s holds no usable key (at least 16 characters); delete it to generate a new one", path)
		}
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("reading the admin key: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	k := "gha_" + base64.RawURLEncoding.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("writing the admin key: %w", err)
	}
	if _, err := f.WriteString(k + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("writing the admin key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("writing the admin key: %w", err)
	}
	fmt.Fprintf(e.stderr, "gatehouse serve: generated the admin key into %s (mode 0600); it is shown this once:\n\n    %s\n\n", path, k)
	return k, nil
}
