package main

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHistogramQuantiles compares the histogram's quantiles with the exact
// ones of the same values: within the bucket width (1/128), never below.
func TestHistogramQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	h := newHistogram()
	var vals []time.Duration
	for range 100000 {
		// Log-uniform from 1 ns to about 1 s.
		v := time.Duration(math.Exp2(r.Float64() * 30))
		vals = append(vals, v)
		h.record(v)
	}
	slices.Sort(vals)
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 0.999, 1} {
		rank := max(int(q*float64(len(vals))+0.5), 1)
		exact := vals[rank-1]
		got := h.quantile(q)
		if got < exact || float64(got-exact) > float64(exact)/128+1 {
			t.Errorf("q%v: got %v, exact %v", q, got, exact)
		}
	}
	if h.min != uint64(vals[0]) || h.max != uint64(vals[len(vals)-1]) {
		t.Errorf("min %d max %d, want %d %d", h.min, h.max, vals[0], vals[len(vals)-1])
	}
}

func TestBuckets(t *testing.T) {
	prev := -1
	for v := uint64(0); v < 1<<20; v++ {
		b := bucketOf(v)
		if b < prev || b > prev+1 {
			t.Fatalf("bucketOf(%d) = %d after %d: not contiguous", v, b, prev)
		}
		if bucketHigh(b) < v {
			t.Fatalf("bucketHigh(%d) = %d < %d", b, bucketHigh(b), v)
		}
		prev = b
	}
	if b := bucketOf(1 << 62); b != len(newHistogram().counts)-1 {
		t.Errorf("a huge value goes to bucket %d, not the last", b)
	}
}

func TestHistogramMerge(t *testing.T) {
	a, b := newHistogram(), newHistogram()
	a.record(10 * time.Microsecond)
	b.record(30 * time.Microsecond)
	b.record(20 * time.Microsecond)
	a.merge(b)
	if a.n != 3 || a.min != 10000 || a.max != 30000 || a.mean() != 20*time.Microsecond {
		t.Errorf("merged: n %d min %d max %d mean %v", a.n, a.min, a.max, a.mean())
	}
}

func TestParseAnswer(t *testing.T) {
	plain := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 5\r\n\r\nhello" + "HTTP/1.1 200 OK\r\n"
	chunked := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nTrailer: 1\r\n\r\n"
	closing := "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
	for _, tc := range []struct {
		name, in   string
		status     int
		body       string
		size       int
		close      bool
		incomplete bool
		err        bool
	}{
		{name: "content-length", in: plain, status: 200, body: "hello", size: len(plain) - len("HTTP/1.1 200 OK\r\n")},
		{name: "chunked", in: chunked, status: 200, body: "hello world", size: len(chunked)},
		{name: "close", in: closing, status: 503, size: len(closing), close: true},
		{name: "headers cut", in: plain[:20], incomplete: true},
		{name: "body cut", in: plain[:len(plain)-len("HTTP/1.1 200 OK\r\n")-1], incomplete: true},
		{name: "chunk cut", in: chunked[:len(chunked)-3], incomplete: true},
		{name: "bad status", in: "HTTX/1.1 200 OK\r\n\r\n", err: true},
		{name: "bad length", in: "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", err: true},
		{name: "no length", in: "HTTP/1.1 200 OK\r\n\r\n", err: true},
		{name: "bad chunk", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Fed whole, and byte by byte as a socket might.
			for _, feed := range []int{len(tc.in), 1} {
				var buf, scratch []byte
				var a answer
				var ok bool
				var err error
				for i := 0; i < len(tc.in) && !ok && err == nil; {
					n := min(feed, len(tc.in)-i)
					buf = append(buf, tc.in[i:i+n]...)
					i += n
					a, ok, scratch, err = parseAnswer(buf, scratch)
				}
				switch {
				case tc.err:
					if err == nil {
						t.Errorf("feed %d: no error", feed)
					}
				case tc.incomplete:
					if ok || err != nil {
						t.Errorf("feed %d: ok %v err %v, want incomplete", feed, ok, err)
					}
				case err != nil || !ok:
					t.Errorf("feed %d: ok %v err %v", feed, ok, err)
				case a.status != tc.status || string(a.body) != tc.body || a.size != tc.size || a.close != tc.close:
					t.Errorf("feed %d: got %d %q size %d close %v", feed, a.status, a.body, a.size, a.close)
				}
			}
		})
	}
}

// TestBodies checks that the generated checks are valid JSON of the
// expected shape and repeatable from their seed.
func TestBodies(t *testing.T) {
	a := checkBodies(7, 50, 0, 1000)
	b := checkBodies(7, 50, 0, 1000)
	for i := range a {
		if string(a[i]) != string(b[i]) {
			t.Fatalf("body %d differs between two runs of the same seed", i)
		}
		if !strings.HasPrefix(string(a[i]), `{"action":"orders:`) {
			t.Errorf("body %d: %s", i, a[i])
		}
	}
	batch := checkBodies(7, 2, 100, 1000)
	if n := strings.Count(string(batch[0]), `"principal"`); n != 100 {
		t.Errorf("a batch of 100 holds %d checks", n)
	}
}
