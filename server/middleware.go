package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// ctxKey keys the values the middleware puts in a request's context.
type ctxKey int

const (
	ctxCaller ctxKey = iota
	ctxRequestID
)

// callerOf returns the authenticated caller of r.
func callerOf(r *http.Request) *caller {
	c, _ := r.Context().Value(ctxCaller).(*caller)
	return c
}

// requestIDOf returns r's request id.
func requestIDOf(r *http.Request) string {
	id, _ := r.Context().Value(ctxRequestID).(string)
	return id
}

// handlerFunc is an API handler: it writes a success answer itself and
// returns an error for everything else; the route maps the error to a
// problem (problemFor) and logs its cause.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// routeOptions say what the middleware does for a route.
type routeOptions struct {
	// public routes need no API key (health, metrics).
	public bool
	// quiet routes log successes at debug level (checks, reads), so that
	// a busy server's log holds its writes and its errors.
	quiet bool
}

// statusWriter records the status written, for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// handle registers h for pattern with the middleware: request id, panic
// recovery, body limit, deadline, authentication, error mapping, access
// log and metrics.
func (s *Server) handle(pattern string, opts routeOptions, h handlerFunc) {
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		rid := newRequestID(r)
		sw.Header().Set("X-Request-Id", rid)
		ctx, cancel := context.WithTimeout(context.WithValue(r.Context(), ctxRequestID, rid), s.cfg.RequestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
		var err error
		func() {
			defer func() {
				if v := recover(); v != nil {
					err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
				}
			}()
			if r.Body != nil {
				r.Body = http.MaxBytesReader(sw, r.Body, s.cfg.MaxBodyBytes)
			}
			if !opts.public {
				c, aerr := s.authenticate(r)
				if aerr != nil {
					err = aerr
					return
				}
				r = r.WithContext(context.WithValue(r.Context(), ctxCaller, c))
			}
			err = h(sw, r)
		}()
		var p Problem
		var fault bool
		if err != nil {
			p, fault = problemFor(err)
			p.RequestID = rid
			if sw.status == 0 {
				writeProblem(sw, p)
			}
		}
		s.metrics.requests.WithLabelValues(pattern, statusText(sw.status)).Inc()
		level := slog.LevelInfo
		switch {
		case fault:
			level = slog.LevelError
		case err == nil && opts.quiet:
			level = slog.LevelDebug
		}
		if !s.log.Enabled(ctx, level) {
			return
		}
		attrs := []slog.Attr{
			slog.String("request_id", rid),
			slog.String("method", r.Method),
			slog.String("route", pattern),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Duration("duration", time.Since(start)),
		}
		if st := r.PathValue("store"); st != "" {
			attrs = append(attrs, slog.String("store", st))
		}
		if c := callerOf(r); c != nil {
			attrs = append(attrs, slog.String("caller", c.String()))
		}
		if err != nil {
			attrs = append(attrs, slog.String("code", p.Code), slog.String("err", err.Error()))
		}
		s.log.LogAttrs(context.Background(), level, "request", attrs...)
	}))
}

func statusText(code int) string {
	if code == 0 {
		code = http.StatusOK
	}
	return fmt.Sprint(code)
}

// newRequestID returns the client's X-Request-Id when it is short and
// plain, or a fresh random id.
func newRequestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && plainID(id) {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func plainID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// fallback answers what no route matches, as a problem: 405 with an Allow
// header when the path exists for other methods, 404 otherwise. It is the
// "/" route, which Go's mux picks only when no other pattern matches.
func (s *Server) fallback(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return errorf(http.StatusMethodNotAllowed, codeMethodNotAllowed, "%s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(allow, " or "))
	}
	return notFound("no such endpoint: %s %s (the API is under /v1; see docs/api.md)", r.Method, r.URL.Path)
}
