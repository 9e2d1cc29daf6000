package server

import (
	"context"
	"net/http"
	"time"
)

// readyTimeout bounds the store probe of /readyz.
const readyTimeout = 2 * time.Second

// handleHealth is GET /healthz: the process is alive and serving HTTP.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// handleReady is GET /readyz: the server has started, the store answers,
// and the default store's directory is loaded.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	if !s.ready.Load() {
		return errorf(http.StatusServiceUnavailable, codeUnavailable, "the server is starting or shutting down")
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if _, err := s.store.Revision(ctx, DefaultStore); err != nil {
		return &httpError{status: http.StatusServiceUnavailable, code: codeUnavailable, msg: "the store does not answer", cause: err}
	}
	st := s.loadedState(DefaultStore)
	if st == nil || st.snapshot() == nil {
		return errorf(http.StatusServiceUnavailable, codeUnavailable, "the default store is not loaded yet")
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "revision": st.snapshot().Revision()})
	return nil
}

// handleMetrics is GET /metrics (Prometheus text format).
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	s.metrics.handler().ServeHTTP(w, r)
	return nil
}
