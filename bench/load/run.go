package main

import (
	"bytes"

	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runConfig is what `load run` measures.
type runConfig struct {
	url, store, key string
	conns           int
	threads         int
	duration        time.Duration
	warmup          time.Duration
	// rate is the target requests per second over all connections, open
	// loop; 0 sends as fast as answers come back (closed loop).
	rate float64
	// batch is the number of checks per request on check/batch; 0 uses
	// the single check endpoint.
	batch  int
	bodies int
	users  int
	seed   uint64
	label  string
	json   string
	drain  time.Duration
	// cpuprofile is where to write the generator's own CPU profile.
	cpuprofile string
}

func runFlags(fs *flag.FlagSet) *runConfig {
	c := &runConfig{}
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8420", "the server's base URL")
	fs.StringVar(&c.store, "store", "default", "the store checked")
	fs.StringVar(&c.key, "key", "", "the API key (default $GATEHOUSE_KEY)")
	fs.IntVar(&c.conns, "conns", 32, "keep-alive connections, one request in flight on each")
	fs.IntVar(&c.threads, "threads", 2, "generator threads (epoll loops) the connections are spread over")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "how long to measure")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "how long to send before measuring")
	fs.Float64Var(&c.rate, "rate", 0, "requests per second, spread evenly over the connections (open loop: latency\ncounts from when a request was due); 0 sends as fast as answers come back")
	fs.IntVar(&c.batch, "batch", 0, "checks per request on check/batch; 0 sends single checks to check")
	fs.IntVar(&c.bodies, "bodies", 4096, "distinct request bodies, cycled")
	fs.IntVar(&c.users, "users", 1000, "users in the store (as loaded by setup)")
	fs.Uint64Var(&c.seed, "seed", 1, "seed of the request bodies")
	fs.StringVar(&c.label, "label", "", "a name for this run in the output")
	fs.StringVar(&c.json, "json", "", "also write the result as JSON to this file (appended as one line)")
	fs.StringVar(&c.cpuprofile, "cpuprofile", "", "write the generator's own CPU profile to this file")
	fs.DurationVar(&c.drain, "drain", 60*time.Second, "after the run, wait up to this long for the server's decision log queue to empty")
	return c
}

// result is one run's outcome, written as text and JSON.
type result struct {
	Label      string  `json:"label"`
	Endpoint   string  `json:"endpoint"`
	Batch      int     `json:"batch"`
	Conns      int     `json:"conns"`
	Threads    int     `json:"threads"`
	TargetRate float64 `json:"target_rate,omitempty"`
	Seconds    float64 `json:"seconds"`

	Requests     uint64            `json:"requests"`
	Decisions    uint64            `json:"decisions"`
	Allow        uint64            `json:"allow"`
	Deny         uint64            `json:"deny"`
	ItemErrors   uint64            `json:"item_errors"`
	Errors       map[string]uint64 `json:"errors,omitempty"`
	RequestsPS   float64           `json:"requests_per_s"`
	DecisionsPS  float64           `json:"decisions_per_s"`
	LatencyUS    latencies         `json:"latency_us"`
	LoadStart    string            `json:"loadavg_start"`
	LoadEnd      string            `json:"loadavg_end"`
	GeneratorCPU float64           `json:"generator_cpu_s"`
	// MachineBusy is the share of the whole machine's CPU time (both
	// cores, every process) that was busy in the window, from
	// /proc/stat; MachineIOWait the share idle waiting for I/O.
	// /proc/stat samples at clock ticks: it is right for a saturated
	// machine and undercounts short bursts on a mostly idle one, where
	// the processes' own CPU times (exact) are the figures to use.
	MachineBusy   float64     `json:"machine_busy"`
	MachineIOWait float64     `json:"machine_iowait"`
	Server        serverStats `json:"server"`
	At            time.Time   `json:"at"`
}

type latencies struct {
	Min, P50, P90, P99, P999, Max, Mean float64
}

func (l latencies) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]float64{"min": l.Min, "p50": l.P50, "p90": l.P90, "p99": l.P99, "p99.9": l.P999, "max": l.Max, "mean": l.Mean})
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// serverStats are the server's own figures over the measured window, from
// its /metrics.
type serverStats struct {
	CPU          float64 `json:"cpu_s"`
	LogWritten   float64 `json:"decision_log_written"`
	LogDropped   float64 `json:"decision_log_dropped"`
	QueueAtEnd   float64 `json:"decision_log_queue_at_end"`
	DrainSeconds float64 `json:"decision_log_drain_s"`
	LogAfter     float64 `json:"decision_log_written_after_drain"`
}

// workerStats is what one loop counted.
type workerStats struct {
	hist                  *histogram
	requests, decisions   uint64
	allow, deny, itemErrs uint64
	errs                  map[string]uint64
}

var (
	allowTag = []byte(`"decision":"allow"`)
	denyTag  = []byte(`"decision":"deny"`)
	errorTag = []byte(`"error":`)
)

func runLoad(c *runConfig, out io.Writer) error {
	if c.key == "" {
		c.key = os.Getenv("GATEHOUSE_KEY")
	}
	if c.key == "" {
		return fmt.Errorf("no API key: pass -key or set GATEHOUSE_KEY")
	}
	if c.threads < 1 || c.conns < 1 || c.bodies < 1 || c.users < 1 || c.batch < 0 || c.batch > 1000 || c.duration <= 0 {
		return fmt.Errorf("-conns, -bodies and -users must be positive, -batch 0 to 1000, -duration positive")
	}
	u, err := url.Parse(c.url)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("-url %q: want http://host:port", c.url)
	}
	path := "/v1/stores/" + c.store + "/check"
	endpoint := "check"
	if c.batch > 0 {
		path += "/batch"
		endpoint = "check/batch"
	}
	bodies := checkBodies(c.seed, c.bodies, c.batch, c.users)
	reqs := make([][]byte, len(bodies))
	for i, b := range bodies {
		reqs[i] = buildRequest(u.Host, path, c.key, b)
	}
	perReq := uint64(max(c.batch, 1))
	sa, err := sockaddr(u.Host)
	if err != nil {
		return err
	}
	// One request first, to fail fast on a wrong key or store.
	if err := once(u.Host, reqs[0]); err != nil {
		return err
	}

	var interval time.Duration
	if c.rate > 0 {
		interval = time.Duration(float64(c.conns) / c.rate * 1e9)
	}
	res := &result{Label: c.label, Endpoint: endpoint, Batch: c.batch, Conns: c.conns, Threads: min(c.threads, c.conns), TargetRate: c.rate, At: time.Now().UTC()}
	threads := min(c.threads, c.conns)
	loops := make([]*loop, threads)
	for i := range loops {
		loops[i] = &loop{sa: sa, reqs: reqs, interval: interval, perReq: perReq, batch: c.batch > 0,
			stats: &workerStats{hist: newHistogram(), errs: map[string]uint64{}}}
	}
	for i := range c.conns {
		l := loops[i%threads]
		// Each connection starts at its own place in the bodies.
		l.conns = append(l.conns, &lconn{k: i * len(reqs) / c.conns})
	}
	if c.cpuprofile != "" {
		f, err := os.Create(c.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// Every loop holds a P (epollWait); the rest of the program needs one.
	if runtime.GOMAXPROCS(0) < threads+1 {
		runtime.GOMAXPROCS(threads + 1)
	}
	start := time.Now()
	measure := start.Add(c.warmup)
	end := measure.Add(c.duration)
	errs := make(chan error, threads)
	var wg sync.WaitGroup
	for _, l := range loops {
		l.measure, l.end = measure, end
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.run(start); err != nil {
				errs <- err
			}
		}()
	}

	// The server's figures and the load average at the start and end of
	// the measured window.
	time.Sleep(time.Until(measure))
	res.LoadStart = loadavg()
	cpu0 := cpuSeconds()
	mc0 := readMachineCPU()
	m0, merr := scrape(c.url)
	time.Sleep(time.Until(end))
	m1, merr1 := scrape(c.url)
	cpu1 := cpuSeconds()
	res.MachineBusy, res.MachineIOWait = busyShare(mc0, readMachineCPU())
	res.LoadEnd = loadavg()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	res.GeneratorCPU = cpu1 - cpu0

	h := newHistogram()
	res.Errors = map[string]uint64{}
	for _, l := range loops {
		ws := l.stats
		h.merge(ws.hist)
		res.Requests += ws.requests
		res.Decisions += ws.decisions
		res.Allow += ws.allow
		res.Deny += ws.deny
		res.ItemErrors += ws.itemErrs
		for k, v := range ws.errs {
			res.Errors[k] += v
		}
	}
	res.Seconds = c.duration.Seconds()
	res.RequestsPS = float64(res.Requests) / res.Seconds
	res.DecisionsPS = float64(res.Decisions) / res.Seconds
	res.LatencyUS = latencies{Min: us(time.Duration(h.min)), P50: us(h.quantile(0.5)), P90: us(h.quantile(0.9)),
		P99: us(h.quantile(0.99)), P999: us(h.quantile(0.999)), Max: us(time.Duration(h.max)), Mean: us(h.mean())}
	if merr == nil && merr1 == nil {
		res.Server = serverStats{
			CPU:        m1.get("process_cpu_seconds_total") - m0.get("process_cpu_seconds_total"),
			LogWritten: m1.get("gatehouse_decision_log_written_total") - m0.get("gatehouse_decision_log_written_total"),
			LogDropped: m1.sum("gatehouse_decision_log_dropped_total") - m0.sum("gatehouse_decision_log_dropped_total"),
			QueueAtEnd: m1.get("gatehouse_decision_log_queue_length"),
		}
		// Wait for the decision log to catch up, and say how long it took.
		t := time.Now()
		for time.Since(t) < c.drain {
			m, err := scrape(c.url)
			if err != nil {
				break
			}
			if m.get("gatehouse_decision_log_queue_length") == 0 {
				res.Server.DrainSeconds = time.Since(t).Seconds()
				res.Server.LogAfter = m.get("gatehouse_decision_log_written_total") - m0.get("gatehouse_decision_log_written_total")
				res.Server.LogDropped = m.sum("gatehouse_decision_log_dropped_total") - m0.sum("gatehouse_decision_log_dropped_total")
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
	} else {
		fmt.Fprintf(os.Stderr, "load: could not read the server's /metrics: %v %v\n", merr, merr1)
	}
	writeText(out, res)
	if c.json != "" {
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(c.json, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.Write(append(b, '\n')); err != nil {
			return err
		}
	}
	return nil
}

func writeText(w io.Writer, r *result) {
	mode := "max (closed loop)"
	if r.TargetRate > 0 {
		mode = fmt.Sprintf("fixed rate %.0f req/s (open loop)", r.TargetRate)
	}
	fmt.Fprintf(w, "%s  POST .../%s", r.Label, r.Endpoint)
	if r.Batch > 0 {
		fmt.Fprintf(w, " (%d checks each)", r.Batch)
	}
	fmt.Fprintf(w, ", %d connections on %d threads, %s, %.0f s\n", r.Conns, r.Threads, mode, r.Seconds)
	fmt.Fprintf(w, "  requests   %d  (%.0f/s)\n", r.Requests, r.RequestsPS)
	fmt.Fprintf(w, "  decisions  %d  (%.0f/s; allow %d, deny %d, item errors %d)\n", r.Decisions, r.DecisionsPS, r.Allow, r.Deny, r.ItemErrors)
	l := r.LatencyUS
	fmt.Fprintf(w, "  latency µs min %.0f  p50 %.0f  p90 %.0f  p99 %.0f  p99.9 %.0f  max %.0f  mean %.0f\n", l.Min, l.P50, l.P90, l.P99, l.P999, l.Max, l.Mean)
	fmt.Fprintf(w, "  cpu s      server %.1f, generator %.1f (of %.0f core-seconds); machine %.0f %% busy, %.0f %% iowait (/proc/stat)\n",
		r.Server.CPU, r.GeneratorCPU, float64(runtime.NumCPU())*r.Seconds, 100*r.MachineBusy, 100*r.MachineIOWait)
	fmt.Fprintf(w, "  decision log: %.0f written in the window, %.0f queued at its end, all written %.1f s later (%.0f), %.0f dropped\n",
		r.Server.LogWritten, r.Server.QueueAtEnd, r.Server.DrainSeconds, r.Server.LogAfter, r.Server.LogDropped)
	fmt.Fprintf(w, "  load average %s → %s\n", r.LoadStart, r.LoadEnd)
	for k, v := range r.Errors {
		fmt.Fprintf(w, "  ERRORS %s: %d\n", k, v)
	}
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// cpuSeconds is this process's user and system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// once sends one request on its own connection and wants a 200.
func once(host string, req []byte) error {
	nc, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", host, err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := nc.Write(req); err != nil {
		return err
	}
	var buf, scratch []byte
	tmp := make([]byte, 32<<10)
	for {
		n, err := nc.Read(tmp)
		buf = append(buf, tmp[:n]...)
		a, ok, _, perr := parseAnswer(buf, scratch)
		switch {
		case perr != nil:
			return perr
		case ok && a.status != 200:
			return fmt.Errorf("first request: %d: %s", a.status, bytes.TrimSpace(a.body))
		case ok:
			return nil
		case err != nil:
			return fmt.Errorf("first request: %w", err)
		}
	}
}
