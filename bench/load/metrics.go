package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// samples are a /metrics scrape: each sample line's value by its name with
// labels, as written ("name{a=\"b\"}").
type samples map[string]float64

// get returns the value of the sample written exactly as name (0 when
// absent).
func (s samples) get(name string) float64 { return s[name] }

// sum adds up every sample of the metric name, whatever its labels.
func (s samples) sum(name string) float64 {
	var t float64
	for k, v := range s {
		if k == name || strings.HasPrefix(k, name+"{") {
			t += v
		}
	}
	return t
}

var metricsClient = &http.Client{Timeout: 5 * time.Second}

// scrape reads the server's /metrics.
func scrape(base string) (samples, error) {
	resp, err := metricsClient.Get(strings.TrimRight(base, "/") + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	s := samples{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		s[line[:i]] = v
	}
	return s, sc.Err()
}

// machineCPU is the machine's CPU time from /proc/stat's first line, in
// clock ticks: busy (user, nice, system, irq, softirq, steal), idle and
// iowait.
type machineCPU struct{ busy, idle, iowait, steal uint64 }

func readMachineCPU() machineCPU {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return machineCPU{}
	}
	v := make([]uint64, 8)
	for i := range v {
		v[i], _ = strconv.ParseUint(f[i+1], 10, 64)
	}
	// user nice system idle iowait irq softirq steal
	return machineCPU{busy: v[0] + v[1] + v[2] + v[5] + v[6] + v[7], idle: v[3], iowait: v[4], steal: v[7]}
}

// busyShare is the share of the machine's CPU time that was busy between
// a and b (0 to 1), and the share spent waiting for I/O.
func busyShare(a, b machineCPU) (busy, iowait float64) {
	total := float64((b.busy - a.busy) + (b.idle - a.idle) + (b.iowait - a.iowait))
	if total <= 0 {
		return 0, 0
	}
	return float64(b.busy-a.busy) / total, float64(b.iowait-a.iowait) / total
}
