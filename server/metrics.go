package server

import (
	"net/http"
	"time"

	"gatehouse.dev/gatehouse/engine"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, on a registry of its own so
// that several servers in one process (tests) do not collide.
type metrics struct {
	reg *prometheus.Registry

	// decisions counts decisions by endpoint (check, batch, explain,
	// replay), decision (allow, deny) and reason.
	decisions *prometheus.CounterVec
	// checkSeconds is the latency of check, batch and explain requests,
	// from the handler's start to the answer.
	checkSeconds *prometheus.HistogramVec
	// revision is each store's revision as this server serves it.
	revision *prometheus.GaugeVec
	// compileSeconds is how long building a store's directory took.
	compileSeconds prometheus.Histogram
	// requests counts HTTP requests by route pattern and status code.
	requests *prometheus.CounterVec

	logWritten prometheus.Counter
	logDropped *prometheus.CounterVec

	// decisionCounters[endpoint][reason] and latency[endpoint] are
	// resolved once (resolve); read-only afterwards.
	decisionCounters map[string][]prometheus.Counter
	latency          map[string]prometheus.Observer
	h                http.Handler
}

func newMetrics(queueLen func() float64) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.decisions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gatehouse_decisions_total",
		Help: "Decisions made, by endpoint (check, batch, explain, replay), decision (allow, deny) and reason.",
	}, []string{"endpoint", "decision", "reason"})
	m.checkSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "gatehouse_check_duration_seconds",
		Help:    "Time to answer a check, batch or explain request, by endpoint.",
		Buckets: []float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1},
	}, []string{"endpoint"})
	m.revision = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "gatehouse_store_revision",
		Help: "The revision of each store that this server's checks see.",
	}, []string{"store"})
	m.compileSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "gatehouse_compile_duration_seconds",
		Help:    "Time to build a store's directory (decode, validate, compile) at a new revision.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
	})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gatehouse_http_requests_total",
		Help: "HTTP requests by route pattern and status code.",
	}, []string{"route", "code"})
	m.logWritten = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "gatehouse_decision_log_written_total",
		Help: "Decision log entries persisted to the store.",
	})
	m.logDropped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gatehouse_decision_log_dropped_total",
		Help: "Decision log entries lost, by reason: queue_full (the writer fell behind) or write_failed (the store refused them).",
	}, []string{"reason"})
	queue := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gatehouse_decision_log_queue_length",
		Help: "Decisions waiting to be written to the decision log.",
	}, queueLen)
	m.reg.MustRegister(m.decisions, m.checkSeconds, m.revision, m.compileSeconds, m.requests,
		m.logWritten, m.logDropped, queue,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.resolve()
	m.h = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// handler serves /metrics.
func (m *metrics) handler() http.Handler { return m.h }

// decision counts one decision.
func (m *metrics) decision(endpoint string, reason engine.Reason) {
	if c := m.decisionCounters[endpoint]; c != nil && int(reason) < len(c) {
		c[reason].Inc()
		return
	}
	m.decisions.WithLabelValues(endpoint, decisionLabel(reason), reason.String()).Inc()
}

func decisionLabel(reason engine.Reason) string {
	if reason == engine.Allowed {
		return "allow"
	}
	return "deny"
}

// observe records a check, batch or explain request's latency.
func (m *metrics) observe(endpoint string, d time.Duration) {
	if h := m.latency[endpoint]; h != nil {
		h.Observe(d.Seconds())
		return
	}
	m.checkSeconds.WithLabelValues(endpoint).Observe(d.Seconds())
}

// resolve looks up the counters and histograms of the request path once,
// so that a check does not hash label values.
func (m *metrics) resolve() {
	m.decisionCounters = map[string][]prometheus.Counter{}
	m.latency = map[string]prometheus.Observer{}
	for _, ep := range []string{epCheck, epBatch, epExplain} {
		cs := make([]prometheus.Counter, 0, 3)
		for _, r := range []engine.Reason{engine.ImplicitDeny, engine.ExplicitDeny, engine.Allowed} {
			cs = append(cs, m.decisions.WithLabelValues(ep, decisionLabel(r), r.String()))
		}
		m.decisionCounters[ep] = cs
		m.latency[ep] = m.checkSeconds.WithLabelValues(ep)
	}
}
