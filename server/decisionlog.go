package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"
	"golang.org/x/sync/semaphore"

	"gatehouse.dev/gatehouse/store"
)

// Decision log limits and timing (docs/api.md).
const (
	// defaultLogQueue is how many entries may wait to be written.
	defaultLogQueue = 65536
	// maxLogBatch is about the most decisions written in one
	// AppendDecisions (one transaction): entries are added while fewer
	// are gathered, so a transaction holds at most maxLogBatch plus one
	// batch's.
	maxLogBatch = 1000
	// logEnqueueWait is how long a request waits for room in a full
	// queue (less when its own deadline comes first) before it is refused
	// with 503: a decision is never answered without its log entry.
	logEnqueueWait = 2 * time.Second
	// logWriteTimeout bounds one AppendDecisions.
	logWriteTimeout = 10 * time.Second
	// logWriteAttempts is how often a failed batch is tried.
	logWriteAttempts = 3
	// logGatherWait is how long the writer waits for more entries once
	// one has arrived, so that a server under load writes one
	// transaction (one fsync) per batch rather than one per entry or
	// two: at 2,000 checks a second those small transactions took more
	// than half the server's CPU (bench/load.sh). An entry reaches the
	// database at most this much later; a read of a queued entry
	// flushes at once.
	logGatherWait = 10 * time.Millisecond
)

// logEntry is one decision log entry: one decision (record), or the
// decisions of a batch (members, nil where an item was refused) under a
// group id (decisionid.go). enqueue encodes it on the request's goroutine
// (rec, parts), so that the writer, one goroutine for the whole server,
// only writes: encoding on the writer made it the bottleneck of batches
// under load (docs/benchmarks.md).
type logEntry struct {
	id       string
	store    string
	revision int64
	at       time.Time
	record   json.Marshaler
	members  []json.Marshaler

	rec   []byte   // the stored record
	parts [][]byte // a batch's members' records, within rec (nil: refused)
	n     int64    // decisions held, for the queue's bound
	// revs and ats are the members' own revisions and times, for a group
	// of single checks (nil: every member has the entry's).
	revs []int64
	ats  []time.Time
}

// decisions is how many decisions e holds.
func (e *logEntry) decisions() int {
	n := 0
	switch {
	case e.parts != nil:
		for _, p := range e.parts {
			if p != nil {
				n++
			}
		}
	case e.members != nil:
		for _, m := range e.members {
			if m != nil {
				n++
			}
		}
	default:
		n = 1
	}
	return n
}

// marshal returns e's stored record: the decision's record, or
// {"batch":[...]} with each member's record or null. For a batch it also
// returns each member's record (nil for null) as part of the same bytes.
func (e *logEntry) marshal() (rec []byte, members [][]byte, err error) {
	if e.members == nil {
		rec, err = e.record.MarshalJSON()
		return rec, nil, err
	}
	b := append(make([]byte, 0, 1280*len(e.members)), groupPrefix...)
	ends := make([][2]int, len(e.members))
	for i, m := range e.members {
		if i > 0 {
			b = append(b, ',')
		}
		if m == nil {
			b = append(b, "null"...)
			continue
		}
		start := len(b)
		if a, ok := m.(interface{ AppendJSON([]byte) ([]byte, error) }); ok {
			if b, err = a.AppendJSON(b); err != nil {
				return nil, nil, err
			}
		} else {
			r, err := m.MarshalJSON()
			if err != nil {
				return nil, nil, err
			}
			b = append(b, r...)
		}
		ends[i] = [2]int{start, len(b)}
	}
	b = append(b, "]}"...)
	members = make([][]byte, len(e.members))
	for i, se := range ends {
		if se[1] > 0 {
			members[i] = b[se[0]:se[1]:se[1]]
		}
	}
	return b, members, nil
}

// decisionLog writes decision log entries asynchronously: requests enqueue,
// one goroutine writes batches to the store and, optionally, as JSON lines
// to a stream.
type decisionLog struct {
	store   store.Store
	w       *bufio.Writer // nil: no stream
	log     *slog.Logger
	metrics *metrics

	q chan logEntry
	// room bounds the decisions queued, whatever their entries: a batch
	// takes as many places as it has decisions.
	room    *semaphore.Weighted
	size    int64
	queued  atomic.Int64 // decisions enqueued and not yet written
	flushes chan chan struct{}
	stop    chan struct{}
	done    chan struct{}
	running atomic.Bool

	// open holds, by store, the group single checks are joining: one log
	// entry for up to groupSize checks, sealed when full or when the
	// writer takes it (enqueueCheck). wake tells the writer that a group
	// has something.
	mu   sync.Mutex
	open map[string]*openGroup
	wake chan struct{}

	// lastWarn rate-limits the "dropped" warning.
	lastWarn atomic.Int64
	stopOnce sync.Once
}

func newDecisionLog(st store.Store, w io.Writer, size int, log *slog.Logger) *decisionLog {
	if size <= 0 {
		size = defaultLogQueue
	}
	l := &decisionLog{store: st, log: log, q: make(chan logEntry, size), room: semaphore.NewWeighted(int64(size)), size: int64(size),
		flushes: make(chan chan struct{}), stop: make(chan struct{}), done: make(chan struct{}),
		open: map[string]*openGroup{}, wake: make(chan struct{}, 1)}
	if w != nil {
		l.w = bufio.NewWriterSize(w, 64<<10)
	}
	return l
}

// enqueue encodes e and hands it to the writer. When the queue has no room
// for e's decisions it waits up to logEnqueueWait or until ctx ends,
// whichever comes first; then it counts the decisions in
// gatehouse_decision_log_dropped_total{reason="queue_full"}, warns at most
// once a minute, and returns an error, so that the caller answers 503
// instead of a decision_id that could never be looked up (backpressure: an
// overloaded log slows checks down rather than losing them).
func (l *decisionLog) enqueue(ctx context.Context, e logEntry) error {
	var err error
	if e.rec, e.parts, err = e.marshal(); err != nil {
		l.metrics.logDropped.WithLabelValues("write_failed").Add(float64(e.decisions()))
		return fmt.Errorf("decision log entry %s does not encode: %w", e.id, err)
	}
	e.n = min(int64(e.decisions()), l.size)
	if err := l.reserve(ctx, e.n); err != nil {
		return err
	}
	l.queued.Add(e.n)
	// Every entry holds at least one decision and room bounds them by
	// the channel's capacity: this never blocks.
	l.q <- e
	return nil
}

// reserve waits for room for n decisions (see enqueue).
func (l *decisionLog) reserve(ctx context.Context, n int64) error {
	if l.room.TryAcquire(n) {
		return nil
	}
	wait, cancel := context.WithTimeout(ctx, logEnqueueWait)
	err := l.room.Acquire(wait, n)
	cancel()
	if err == nil {
		return nil
	}
	l.metrics.logDropped.WithLabelValues("queue_full").Add(float64(n))
	now := time.Now().Unix()
	if last := l.lastWarn.Load(); now-last >= 60 && l.lastWarn.CompareAndSwap(last, now) {
		l.log.Warn("decision log queue full: checks are refused with 503 until it drains", "queue", l.size)
	}
	return errorf(http.StatusServiceUnavailable, codeUnavailable,
		"the decision log cannot keep up: this decision was not made; retry shortly")
}

// openGroup is a group of single checks of one store being gathered into
// one log entry: their records, revisions and times.
type openGroup struct {
	id      ulid.ULID
	store   string
	members [][]byte
	revs    []int64
	ats     []time.Time
}

// entry seals g into a log entry: {"batch":[...]} of its records, under
// the group id, with its latest revision and time (so that pruning by
// time never takes a member early); each member keeps its own in revs
// and ats.
func (g *openGroup) entry() logEntry {
	size := len(groupPrefix) + 2
	for _, m := range g.members {
		size += len(m) + 1
	}
	b := append(make([]byte, 0, size), groupPrefix...)
	parts := make([][]byte, len(g.members))
	e := logEntry{id: g.id.String(), store: g.store, n: int64(len(g.members)), revs: g.revs, ats: g.ats}
	for i, m := range g.members {
		if i > 0 {
			b = append(b, ',')
		}
		start := len(b)
		b = append(b, m...)
		parts[i] = b[start:len(b):len(b)]
		e.revision = max(e.revision, g.revs[i])
		if g.ats[i].After(e.at) {
			e.at = g.ats[i]
		}
	}
	e.rec, e.parts = append(b, "]}"...), parts
	return e
}

// enqueueCheck logs the decision of a single check: it joins its store's
// open group and gets the group's next member id (decisionid.go), so that
// the writer writes one row for up to groupSize checks instead of one
// each. The id is returned for the answer. Room is reserved as enqueue
// does (backpressure).
func (l *decisionLog) enqueueCheck(ctx context.Context, storeID string, revision int64, at time.Time, rec json.Marshaler) (string, error) {
	b, err := rec.MarshalJSON()
	if err != nil {
		l.metrics.logDropped.WithLabelValues("write_failed").Inc()
		return "", fmt.Errorf("decision log record does not encode: %w", err)
	}
	if err := l.reserve(ctx, 1); err != nil {
		return "", err
	}
	l.mu.Lock()
	g := l.open[storeID]
	if g == nil {
		g = &openGroup{id: newDecisionGroup(at), store: storeID}
		l.open[storeID] = g
	}
	id := memberOf(g.id, len(g.members)).String()
	g.members = append(g.members, b)
	g.revs = append(g.revs, revision)
	g.ats = append(g.ats, at)
	full := len(g.members) == groupSize
	if full {
		delete(l.open, storeID)
	}
	l.queued.Add(1)
	l.mu.Unlock()
	if full {
		l.q <- g.entry() // room is reserved per decision: never blocks
	} else {
		select {
		case l.wake <- struct{}{}:
		default:
		}
	}
	return id, nil
}

// sealOpen seals every open group and appends its entry to batch.
func (l *decisionLog) sealOpen(batch []logEntry) []logEntry {
	l.mu.Lock()
	groups := l.open
	if len(groups) > 0 {
		l.open = map[string]*openGroup{}
	}
	l.mu.Unlock()
	for _, g := range groups {
		batch = append(batch, g.entry())
	}
	return batch
}

// weight is how many decisions batch holds.
func weight(batch []logEntry) int64 {
	var n int64
	for i := range batch {
		n += batch[i].n
	}
	return n
}

// release gives back the room of written (or dropped) entries.
func (l *decisionLog) release(batch []logEntry) {
	n := weight(batch)
	l.queued.Add(-n)
	l.room.Release(n)
}

// run writes entries until stop, then drains the queue.
func (l *decisionLog) run() {
	l.running.Store(true)
	defer close(l.done)
	batch := make([]logEntry, 0, maxLogBatch)
	gather := time.NewTimer(logGatherWait)
	gather.Stop()
	for {
		select {
		case e := <-l.q:
			batch = l.drain(append(batch[:0], e), maxLogBatch)
			var flush chan struct{}
			if weight(batch) < maxLogBatch {
				batch, flush = l.gather(batch, gather)
			}
			l.write(l.sealOpen(batch))
			if flush != nil {
				l.flushQueue(batch)
				close(flush)
			}
		case <-l.wake:
			// Single checks are joining a group: let more join for
			// up to logGatherWait, then write it.
			batch, flush := l.gather(batch[:0], gather)
			l.write(l.sealOpen(batch))
			if flush != nil {
				l.flushQueue(batch)
				close(flush)
			}
		case ch := <-l.flushes:
			l.flushQueue(batch)
			close(ch)
		case <-l.stop:
			l.flushQueue(batch)
			return
		}
	}
}

// gather adds entries to batch as they arrive, for up to logGatherWait or
// until it is full. A flush asked for meanwhile ends the wait and is
// returned, for the caller to serve once batch is written; so does stop
// (the caller's loop then sees it).
func (l *decisionLog) gather(batch []logEntry, t *time.Timer) ([]logEntry, chan struct{}) {
	t.Reset(logGatherWait)
	defer t.Stop()
	for weight(batch) < maxLogBatch {
		select {
		case e := <-l.q:
			batch = l.drain(append(batch, e), maxLogBatch)
		case <-l.wake:
			// More single checks joined an open group; it is sealed
			// when the wait ends.
		case ch := <-l.flushes:
			return batch, ch
		case <-t.C:
			return batch, nil
		case <-l.stop:
			return batch, nil
		}
	}
	return batch, nil
}

// flushQueue writes everything queued and every open group, using
// batch's array.
func (l *decisionLog) flushQueue(batch []logEntry) {
	if sealed := l.sealOpen(batch[:0]); len(sealed) > 0 {
		l.write(sealed)
	}
	for len(l.q) > 0 {
		batch = l.drain(batch[:0], maxLogBatch)
		l.write(batch)
	}
}

// drain appends queued entries to batch without waiting, while it holds
// fewer than max decisions.
func (l *decisionLog) drain(batch []logEntry, max int) []logEntry {
	for w := weight(batch); w < int64(max); {
		select {
		case e := <-l.q:
			batch = append(batch, e)
			w += e.n
		default:
			return batch
		}
	}
	return batch
}

// write persists one batch, retrying a failed store write a few times,
// and streams it as JSON lines.
func (l *decisionLog) write(batch []logEntry) {
	if len(batch) == 0 {
		return
	}
	defer l.release(batch)
	ds := make([]store.Decision, 0, len(batch))
	decisions := 0
	for i := range batch {
		e := &batch[i]
		ds = append(ds, store.Decision{ID: e.id, Store: e.store, Revision: e.revision, At: e.at, Record: e.rec})
		decisions += e.decisions()
	}
	var err error
	for attempt := 1; attempt <= logWriteAttempts; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), logWriteTimeout)
		err = l.store.AppendDecisions(ctx, ds)
		cancel()
		if err == nil {
			break
		}
		if attempt < logWriteAttempts {
			time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
		}
	}
	if err != nil {
		l.log.Error("decision log batch not persisted", "entries", len(ds), "decisions", decisions, "err", err)
		l.metrics.logDropped.WithLabelValues("write_failed").Add(float64(decisions))
	} else {
		l.metrics.logWritten.Add(float64(decisions))
	}
	if l.w != nil {
		var line []byte
		for i := range ds {
			line = appendLines(line[:0], &ds[i], batch[i].parts, batch[i].revs, batch[i].ats)
			_, _ = l.w.Write(line)
		}
		if err := l.w.Flush(); err != nil {
			l.log.Error("decision log stream write failed", "err", err)
		}
	}
}

// appendLines appends the decisions of entry d as JSON lines: one line, or
// for a batch one per member (its record in members), under its own id.
func appendLines(b []byte, d *store.Decision, members [][]byte, revs []int64, ats []time.Time) []byte {
	if members == nil {
		return appendLine(b, d)
	}
	g, _ := ulid.ParseStrict(d.ID)
	for i, rec := range members {
		if rec == nil {
			continue
		}
		m := *d
		m.ID, m.Record = memberOf(g, i).String(), rec
		if revs != nil {
			m.Revision, m.At = revs[i], ats[i]
		}
		b = appendLine(b, &m)
	}
	return b
}

// appendLine appends d as one JSON line, in the form of store.Decision's
// JSON, without re-encoding the record (which is valid JSON already).
func appendLine(b []byte, d *store.Decision) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendQuote(b, d.ID)
	b = append(b, `,"store":`...)
	b = strconv.AppendQuote(b, d.Store)
	b = append(b, `,"revision":`...)
	b = strconv.AppendInt(b, d.Revision, 10)
	b = append(b, `,"at":"`...)
	b = d.At.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","record":`...)
	b = append(b, d.Record...)
	return append(b, "}\n"...)
}

// flush waits until every entry enqueued before the call is written, or
// ctx ends. Without a running writer it returns at once.
func (l *decisionLog) flush(ctx context.Context) {
	if !l.running.Load() {
		return
	}
	ch := make(chan struct{})
	select {
	case l.flushes <- ch:
	case <-l.done:
		return
	case <-ctx.Done():
		return
	}
	select {
	case <-ch:
	case <-ctx.Done():
	}
}

// close stops the writer after it has written everything queued, or when
// ctx ends.
func (l *decisionLog) close(ctx context.Context) {
	if !l.running.Load() {
		// Never started: write what is queued here.
		l.flushQueue(nil)
		return
	}
	l.stopOnce.Do(func() { close(l.stop) })
	select {
	case <-l.done:
	case <-ctx.Done():
	}
}
