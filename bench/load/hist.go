package main

import (
	"math/bits"
	"time"
)

// histogram records latencies in nanoseconds in log-linear buckets, as
// HdrHistogram does: values below 2·subBuckets are exact, and above that
// every power-of-two range is split into subBuckets equal buckets, so a
// recorded value is known to within 1/subBuckets (0.8 %) of itself. It is
// not safe for concurrent use: each connection records into its own and
// the run merges them.
type histogram struct {
	counts   []uint64
	n        uint64
	sum      uint64
	min, max uint64
}

const (
	subBits    = 7
	subBuckets = 1 << subBits
	// maxExp is the largest shift recorded: values up to about 2^(maxExp+8)
	// ns (about 4.9 hours); larger ones are clamped.
	maxExp = 36
)

func newHistogram() *histogram {
	return &histogram{counts: make([]uint64, 2*subBuckets+maxExp*subBuckets)}
}

// bucketOf returns the bucket index of v.
func bucketOf(v uint64) int {
	if v < 2*subBuckets {
		return int(v)
	}
	e := bits.Len64(v) - subBits - 1 // v>>e is in [subBuckets, 2·subBuckets)
	if e > maxExp {
		return 2*subBuckets + maxExp*subBuckets - 1
	}
	return 2*subBuckets + (e-1)*subBuckets + int(v>>e) - subBuckets
}

// bucketHigh returns the largest value that falls into bucket i.
func bucketHigh(i int) uint64 {
	if i < 2*subBuckets {
		return uint64(i)
	}
	e := (i-2*subBuckets)/subBuckets + 1
	m := uint64((i-2*subBuckets)%subBuckets + subBuckets)
	return (m+1)<<e - 1
}

// record adds one latency.
func (h *histogram) record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	h.max = max(h.max, v)
	h.n++
	h.sum += v
}

// merge adds o's values to h.
func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// quantile returns the value at quantile q (0 ≤ q ≤ 1): the upper bound of
// the bucket holding the ⌈q·n⌉-th smallest value, never above the largest
// value recorded.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(bucketHigh(i), h.max))
		}
	}
	return time.Duration(h.max)
}

func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / h.n)
}
