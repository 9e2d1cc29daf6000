package sqlite

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"gatehouse.dev/gatehouse/store"
)

// policyBody is a typical object: a small policy document.
func policyBody(i int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["orders:Read","orders:List"],"Resource":"orders:acme/%d"}]},"description":"policy %d"}`, i, i))
}

// populate writes n objects in commits of 1,000, then replaces every tenth
// one, so that history exists beside the live versions. It returns the
// revision at which all n objects first existed.
func populate(b *testing.B, s *Store, n int) int64 {
	b.Helper()
	ctx := b.Context()
	if _, err := s.CreateStore(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	var rev int64
	commit := func(cs []store.Change) {
		var err error
		if rev, err = s.Commit(ctx, "bench", rev, cs); err != nil {
			b.Fatal(err)
		}
	}
	var cs []store.Change
	for i := range n {
		cs = append(cs, store.Change{Kind: "policy", ID: fmt.Sprintf("p%07d", i), Body: policyBody(i)})
		if len(cs) == 1000 || i == n-1 {
			commit(cs)
			cs = nil
		}
	}
	full := rev
	for i := 0; i < n; i += 10 {
		cs = append(cs, store.Change{Kind: "policy", ID: fmt.Sprintf("p%07d", i), Body: policyBody(i + 1)})
		if len(cs) == 1000 || i+10 >= n {
			commit(cs)
			cs = nil
		}
	}
	return full
}

// BenchmarkLoad rebuilds a store of n objects, at its current revision and
// at a past one.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		s, err := Open(b.Context(), filepath.Join(b.TempDir(), "data"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		full := populate(b, s, n)
		for _, at := range []struct {
			name string
			rev  int64
		}{{"current", 0}, {"past", full}} {
			b.Run(fmt.Sprintf("objects=%d/%s", n, at.name), func(b *testing.B) {
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					snap, err := s.Load(b.Context(), "bench", at.rev)
					if err != nil || len(snap.Objects) != n {
						b.Fatalf("Load: %d objects, %v", len(snap.Objects), err)
					}
				}
				reportCPU(b, cpu)
			})
		}
		s.Close()
	}
}

// BenchmarkCommit measures one acknowledged (fsynced) commit of a few
// changes into a store of 10,000 objects.
func BenchmarkCommit(b *testing.B) {
	for _, size := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("changes=%d", size), func(b *testing.B) {
			s, err := Open(b.Context(), filepath.Join(b.TempDir(), "data"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			rev := populate(b, s, 10_000)
			rev, _ = s.Revision(b.Context(), "bench")
			b.ReportAllocs()
			cpu := cpuTime()
			i := 0
			for b.Loop() {
				cs := make([]store.Change, size)
				for j := range cs {
					i++
					cs[j] = store.Change{Kind: "policy", ID: fmt.Sprintf("p%07d", i%20_000), Body: policyBody(i)}
				}
				if rev, err = s.Commit(b.Context(), "bench", rev, cs); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkAppendDecisions measures the decision log in batches, as the
// server writes it.
func BenchmarkAppendDecisions(b *testing.B) {
	record := json.RawMessage(`{"principal":{"type":"user","id":"1"},"action":"orders:Read","resource":{"name":"orders:acme/17"},"decision":"allow","reason":"allowed","roles":[{"role":"admin","via":"role mapping 7"}]}`)
	for _, batch := range []int{100, 1000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s, err := Open(b.Context(), filepath.Join(b.TempDir(), "data"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if _, err := s.CreateStore(b.Context(), "bench"); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu := cpuTime()
			n := 0
			for b.Loop() {
				ds := make([]store.Decision, batch)
				for i := range ds {
					n++
					ds[i] = store.Decision{ID: fmt.Sprintf("%026d", n), Store: "bench", Revision: 1, At: time.Now(), Record: record}
				}
				if err := s.AppendDecisions(b.Context(), ds); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "decisions/s")
			reportCPU(b, cpu)
		})
	}
}
