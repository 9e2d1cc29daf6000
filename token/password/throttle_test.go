package password

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// step is one call in a throttle script: at t0+at, op ("check", "fail",
// "ok" for Success, or "try": Check that must pass followed by Failure).
// For "check", ok and wait are the expected answer.
type step struct {
	at   time.Duration
	op   string
	user string
	addr string
	ok   bool
	wait time.Duration
}

// tries is n failed logins at the same time (each checked, then failed).
func tries(at time.Duration, n int, user, addr string) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = step{at: at, op: "try", user: user, addr: addr}
	}
	return out
}

func join(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestThrottleScripts(t *testing.T) {
	const s, m, h = time.Second, time.Minute, time.Hour
	small := Config{
		User:           Rule{Free: 3, BaseDelay: s, MaxDelay: 8 * s, Forget: h, MaxKeys: 100},
		Addr:           Rule{Free: 6, BaseDelay: s, MaxDelay: 8 * s, Forget: 10 * m, MaxKeys: 100},
		AttemptTimeout: m,
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"free failures cost nothing", join(tries(0, 3, "ann", "10.0.0.1"), []step{
			{at: 0, op: "check", user: "ann", addr: "10.0.0.1", ok: true},
		})},
		{"the first failure past Free locks for BaseDelay", join(tries(0, 4, "ann", "10.0.0.1"), []step{
			{at: 0, op: "check", user: "ann", addr: "10.0.0.1", wait: s},
			{at: 500 * time.Millisecond, op: "check", user: "ann", addr: "10.0.0.1", wait: 500 * time.Millisecond},
			{at: s, op: "check", user: "ann", addr: "10.0.0.1", ok: true},
		})},
		{"delays double up to MaxDelay", join(tries(0, 4, "ann", ""), []step{
			{at: s, op: "try", user: "ann"}, {at: s, op: "check", user: "ann", wait: 2 * s},
			{at: 3 * s, op: "try", user: "ann"}, {at: 3 * s, op: "check", user: "ann", wait: 4 * s},
			{at: 7 * s, op: "try", user: "ann"}, {at: 7 * s, op: "check", user: "ann", wait: 8 * s},
			{at: 15 * s, op: "try", user: "ann"}, {at: 15 * s, op: "check", user: "ann", wait: 8 * s},
		})},
		{"a lock on the user holds from any address", join(tries(0, 4, "ann", "10.0.0.1"), []step{
			{at: 0, op: "check", user: "ann", addr: "10.0.0.2", wait: s},
			{at: 0, op: "check", user: "bob", addr: "10.0.0.2", ok: true},
		})},
		{"success forgets the user's failures", join(tries(0, 3, "ann", "10.0.0.1"), []step{
			{at: 0, op: "check", user: "ann", addr: "10.0.0.1", ok: true},
			{at: 0, op: "ok", user: "ann", addr: "10.0.0.1"},
		}, tries(0, 3, "ann", "10.0.0.1"), []step{
			{at: 0, op: "check", user: "ann", addr: "10.0.0.1", ok: true},
		})},
		{"success does not forget the address's failures", join(tries(0, 6, "", "10.0.0.1"), []step{
			{at: 0, op: "check", user: "real", addr: "10.0.0.1", ok: true},
			{at: 0, op: "ok", user: "real", addr: "10.0.0.1"},
			{at: 0, op: "try", user: "other", addr: "10.0.0.1"},
			{at: 0, op: "check", user: "third", addr: "10.0.0.1", wait: s},
		})},
		{"spraying many users from one address locks the address", join(
			tries(0, 1, "u1", "10.0.0.1"), tries(0, 1, "u2", "10.0.0.1"), tries(0, 1, "u3", "10.0.0.1"),
			tries(0, 1, "u4", "10.0.0.1"), tries(0, 1, "u5", "10.0.0.1"), tries(0, 1, "u6", "10.0.0.1"),
			tries(0, 1, "u7", "10.0.0.1"), []step{
				{at: 0, op: "check", user: "u8", addr: "10.0.0.1", wait: s},
				{at: 0, op: "check", user: "u8", addr: "10.0.0.2", ok: true},
			})},
		{"failures are forgotten Forget after the last one", join(tries(0, 3, "ann", ""), tries(30*m, 1, "ann", ""), []step{
			{at: 30*m + 1, op: "check", user: "ann", wait: s - 1},
			{at: 30*m + h, op: "try", user: "ann"},
			{at: 30*m + h, op: "check", user: "ann", ok: true},
		})},
		{"IPv6 addresses of one /64 share a key", join(tries(0, 7, "", "[2001:db8:1:2::1]:4000"), []step{
			{at: 0, op: "check", addr: "2001:db8:1:2:ffff::9", wait: s},
			{at: 0, op: "check", addr: "2001:db8:1:3::1", ok: true},
		})},
		{"an IPv4 address with or without port or v6 mapping is one key", join(tries(0, 7, "", "192.0.2.7:5555"), []step{
			{at: 0, op: "check", addr: "192.0.2.7", wait: s},
			{at: 0, op: "check", addr: "[::ffff:192.0.2.7]:80", wait: s},
			{at: 0, op: "check", addr: "192.0.2.8", ok: true},
		})},
		{"no user and no address is never throttled", join(tries(0, 50, "", ""), []step{
			{at: 0, op: "check", ok: true},
		})},
		{"concurrent attempts cannot overrun the free failures", []step{
			{at: 0, op: "check", user: "ann", ok: true},
			{at: 0, op: "check", user: "ann", ok: true},
			{at: 0, op: "check", user: "ann", ok: true},
			{at: 0, op: "check", user: "ann", wait: s}, // a 4th could lock: it must wait
			{at: 0, op: "fail", user: "ann"},
			{at: 0, op: "check", user: "ann", wait: s},
			{at: 0, op: "ok", user: "ann"},
			{at: 0, op: "check", user: "ann", ok: true},
		}},
		{"past the free failures attempts go one at a time", join(tries(0, 3, "ann", ""), []step{
			{at: 0, op: "check", user: "ann", ok: true},
			{at: 0, op: "check", user: "ann", wait: s},
			{at: 0, op: "fail", user: "ann"},
			{at: 0, op: "check", user: "ann", wait: s},
		})},
		{"an attempt never reported frees its slot after AttemptTimeout", join(tries(0, 3, "ann", ""), []step{
			{at: 0, op: "check", user: "ann", ok: true},
			{at: 30 * s, op: "check", user: "ann", wait: s},
			{at: m, op: "check", user: "ann", ok: true},
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th, err := NewThrottle(small)
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range tt.steps {
				now := t0.Add(st.at)
				switch st.op {
				case "try":
					if ok, wait := th.Check(st.user, st.addr, now); !ok {
						t.Fatalf("step %d: Check refused a try (wait %s)", i, wait)
					}
					th.Failure(st.user, st.addr, now)
				case "fail":
					th.Failure(st.user, st.addr, now)
				case "ok":
					th.Success(st.user, st.addr, now)
				case "check":
					ok, wait := th.Check(st.user, st.addr, now)
					if ok != st.ok || wait != st.wait {
						t.Fatalf("step %d: Check(%q, %q) at +%s = %v, %s; want %v, %s", i, st.user, st.addr, st.at, ok, wait, st.ok, st.wait)
					}
				default:
					t.Fatalf("step %d: unknown op %q", i, st.op)
				}
			}
		})
	}
}

func TestThrottleDefaults(t *testing.T) {
	th, err := NewThrottle(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := th.Config(), DefaultConfig(); got != want {
		t.Errorf("zero Config gives %+v, want %+v", got, want)
	}
	// Five free failures per user, then 1 s, 2 s, … up to 15 minutes.
	for i := range 5 {
		if ok, _ := th.Check("ann", "", t0); !ok {
			t.Fatalf("failure %d refused", i+1)
		}
		th.Failure("ann", "", t0)
	}
	now := t0
	for i, want := range []time.Duration{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900} {
		if ok, wait := th.Check("ann", "", now); !ok {
			t.Fatalf("attempt %d refused, wait %s", i, wait)
		}
		th.Failure("ann", "", now)
		_, wait := th.Check("ann", "", now)
		if wait != want*time.Second {
			t.Fatalf("after %d failures past the free ones: wait %s, want %s", i+1, wait, want*time.Second)
		}
		now = now.Add(wait)
	}
}

func TestThrottleConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{User: Rule{Free: -1}},
		{Addr: Rule{BaseDelay: -time.Second}},
		{User: Rule{BaseDelay: time.Minute, MaxDelay: time.Second}},
		{User: Rule{MaxKeys: maxTrackedKeys + 1}},
		{User: Rule{Forget: 400 * 24 * time.Hour}},
		{AttemptTimeout: -time.Second},
	} {
		if _, err := NewThrottle(cfg); err == nil {
			t.Errorf("NewThrottle(%+v) accepted", cfg)
		}
	}
	// A rule that sets only Free keeps it, even 0, and takes the rest from the defaults.
	th, err := NewThrottle(Config{User: Rule{Free: 0, MaxKeys: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if r := th.Config().User; r.Free != 0 || r.MaxKeys != 10 || r.BaseDelay != time.Second {
		t.Errorf("rule %+v", r)
	}
}

// TestThrottleBoundedUnderFlood floods the throttle with distinct
// addresses and user names: the tables never grow past MaxKeys, the heap
// stays flat, and a user locked after many failures is not evicted by it.
func TestThrottleBoundedUnderFlood(t *testing.T) {
	const maxKeys = 5_000
	cfg := DefaultConfig()
	cfg.User.MaxKeys, cfg.Addr.MaxKeys = maxKeys, maxKeys
	th, err := NewThrottle(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The victim: locked after 12 failures.
	now := t0
	for i := range 12 {
		ok, wait := th.Check("victim", "", now)
		if !ok {
			now = now.Add(wait)
			if ok, _ = th.Check("victim", "", now); !ok {
				t.Fatalf("victim attempt %d refused after waiting", i)
			}
		}
		th.Failure("victim", "", now)
	}
	start := now
	flood := func(from, to int) {
		for i := from; i < to; i++ {
			now := start.Add(time.Duration(i) * time.Microsecond)
			user := fmt.Sprintf("user-%d", i)
			addr := fmt.Sprintf("2001:db8:%x:%x::1", i>>16, i&0xffff) // a new /64 each time
			if ok, _ := th.Check(user, addr, now); ok {
				th.Failure(user, addr, now)
			}
		}
	}
	flood(0, 2*maxKeys) // fill the tables
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	flood(2*maxKeys, 200_000)
	runtime.GC()
	runtime.ReadMemStats(&after)

	users, addrs := th.Len()
	t.Logf("after 200,000 distinct users and /64s: %d users, %d addresses tracked; heap %d → %d bytes", users, addrs, before.HeapAlloc, after.HeapAlloc)
	if users > maxKeys || addrs > maxKeys {
		t.Errorf("tracking %d users and %d addresses, bound %d", users, addrs, maxKeys)
	}
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 1<<20 {
		t.Errorf("heap grew by %d bytes under the flood", grew)
	}
	if ok, _ := th.Check("victim", "", start.Add(time.Second)); ok {
		t.Error("the flood evicted a locked user")
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th, err := NewThrottle(Config{User: Rule{Free: 3, MaxKeys: 50}, Addr: Rule{Free: 1000, MaxKeys: 50}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted := 0
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				user := fmt.Sprintf("u%d", i%100)
				addr := fmt.Sprintf("10.0.%d.%d", g, i%200)
				if ok, _ := th.Check(user, addr, t0); ok {
					if user == "u0" {
						mu.Lock()
						admitted++
						mu.Unlock()
					}
					th.Failure(user, addr, t0)
				}
			}
		})
	}
	wg.Wait()
	if users, addrs := th.Len(); users > 50 || addrs > 50 {
		t.Errorf("tracking %d users and %d addresses, bound 50", users, addrs)
	}
	// u0 may lose its entry to eviction in this small table, so only an
	// upper bound holds: it is never tried more than its free failures plus
	// one per time it was forgotten, far below the 160 attempts made.
	if admitted >= 160 {
		t.Errorf("u0 was tried %d times at one instant", admitted)
	}
}

func BenchmarkThrottle(b *testing.B) {
	th, err := NewThrottle(Config{})
	if err != nil {
		b.Fatal(err)
	}
	users := make([]string, 1024)
	addrs := make([]string, 1024)
	for i := range users {
		users[i] = fmt.Sprintf("user-%d", i)
		addrs[i] = fmt.Sprintf("192.0.2.%d:443", i%256)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		u, a := users[i%1024], addrs[i%1024]
		if ok, _ := th.Check(u, a, t0); ok {
			th.Failure(u, a, t0)
		}
		i++
	}
}
