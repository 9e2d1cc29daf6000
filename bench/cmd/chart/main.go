// Command chart draws docs/benchmarks.png from benchmark output: for each
// workload, the median time per check (ns/op, log scale) against the number
// of statements (log scale), one line per system. Run from the bench module:
//
//	go run ./cmd/chart -in results.txt -out ../docs/benchmarks.png
//
// It reads the BenchmarkCheck/<workload>/<size>/<system> lines of `go test
// -bench` output (any -count; the median of the runs is drawn) and ignores
// every other line. With -table FILE it also writes a Markdown table of the
// medians and of each peer's ratio to gatehouse.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"image/color"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// line matches "BenchmarkCheck/rbac/1000/opa-2   100   12345 ns/op ...".
var line = regexp.MustCompile(`^BenchmarkCheck/([^/\s]+)/(\d+)/([^/\s]+?)(?:-\d+)?\s+\d+\s+([0-9.e+]+) ns/op`)

// order fixes the workload panels and the system colours.
var (
	workloadOrder = []string{"rbac", "wildcard", "tenant"}
	systemOrder   = []string{"gatehouse", "cedar", "opa", "casbin"}
	colours       = map[string]color.Color{
		"gatehouse": color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
		"cedar":     color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
		"opa":       color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
		"casbin":    color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	}
)

type key struct {
	workload, system string
	size             int
}

func main() {
	in := flag.String("in", "results.txt", "benchmark output to read (- for standard input)")
	out := flag.String("out", "../docs/benchmarks.png", "PNG file to write")
	table := flag.String("table", "", "also write a Markdown table of medians and ratios to this file")
	flag.Parse()
	if err := run(*in, *out, *table); err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

func run(in, out, table string) error {
	var r io.Reader = os.Stdin
	if in != "-" {
		f, err := os.Open(in)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	samples, err := parse(r)
	if err != nil {
		return err
	}
	if len(samples) == 0 {
		return fmt.Errorf("%s has no BenchmarkCheck results", in)
	}
	med := medians(samples)
	if table != "" {
		if err := os.WriteFile(table, []byte(markdown(med)), 0o644); err != nil {
			return err
		}
	}
	return draw3(med, out)
}

// markdown renders the medians as a table: one row per workload and size,
// one column per system, then each peer's time divided by gatehouse's.
func markdown(med map[key]float64) string {
	var b strings.Builder
	b.WriteString("| workload | statements |")
	for _, sys := range systemOrder {
		fmt.Fprintf(&b, " %s |", sys)
	}
	for _, sys := range systemOrder[1:] {
		fmt.Fprintf(&b, " %s / gatehouse |", sys)
	}
	b.WriteString("\n|---|---:|")
	b.WriteString(strings.Repeat("---:|", 2*len(systemOrder)-1))
	b.WriteString("\n")
	sizes := map[string][]int{}
	for k := range med {
		if !slices.Contains(sizes[k.workload], k.size) {
			sizes[k.workload] = append(sizes[k.workload], k.size)
		}
	}
	for _, wl := range workloadOrder {
		slices.Sort(sizes[wl])
		for _, size := range sizes[wl] {
			fmt.Fprintf(&b, "| %s | %d |", wl, size)
			for _, sys := range systemOrder {
				if v, ok := med[key{wl, sys, size}]; ok {
					fmt.Fprintf(&b, " %s |", duration(v))
				} else {
					b.WriteString(" — |")
				}
			}
			base, okBase := med[key{wl, "gatehouse", size}]
			for _, sys := range systemOrder[1:] {
				if v, ok := med[key{wl, sys, size}]; ok && okBase && base > 0 {
					fmt.Fprintf(&b, " %s× |", ratio(v/base))
				} else {
					b.WriteString(" — |")
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// labelled is a log-scale ticker whose labels are formatted by label.
type labelled struct{ label func(float64) string }

// Ticks implements plot.Ticker.
func (l labelled) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = l.label(ts[i].Value)
		}
	}
	return ts
}

// count formats a statement count: 10, 100, 1k, 10k, 100k.
func count(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%gk", v/1000)
	}
	return fmt.Sprintf("%g", v)
}

// duration formats nanoseconds with three significant digits.
func duration(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.3g ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.3g µs", ns/1e3)
	}
	return fmt.Sprintf("%.3g ns", ns)
}

func ratio(r float64) string {
	if r >= 100 {
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.2g", r)
}

func parse(r io.Reader) (map[key][]float64, error) {
	samples := map[key][]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		size, err := strconv.Atoi(m[2])
		if err != nil {
			return nil, err
		}
		ns, err := strconv.ParseFloat(m[4], 64)
		if err != nil {
			return nil, err
		}
		k := key{m[1], m[3], size}
		samples[k] = append(samples[k], ns)
	}
	return samples, sc.Err()
}

func medians(samples map[key][]float64) map[key]float64 {
	out := map[key]float64{}
	for k, v := range samples {
		s := slices.Clone(v)
		sort.Float64s(s)
		n := len(s)
		if n%2 == 1 {
			out[k] = s[n/2]
		} else {
			out[k] = (s[n/2-1] + s[n/2]) / 2
		}
	}
	return out
}

// draw3 draws one panel per workload side by side and writes the PNG.
func draw3(med map[key]float64, out string) error {
	var plots []*plot.Plot
	for _, wl := range workloadOrder {
		p := plot.New()
		p.Title.Text = wl
		p.X.Label.Text = "statements"
		p.Y.Label.Text = "time per check (median)"
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker = labelled{func(v float64) string { return count(v) }}
		p.Y.Tick.Marker = labelled{duration}
		p.Legend.Top, p.Legend.Left = true, true
		p.Add(plotter.NewGrid())
		for _, sys := range systemOrder {
			var pts plotter.XYs
			for k, v := range med {
				if k.workload == wl && k.system == sys && v > 0 {
					pts = append(pts, plotter.XY{X: float64(k.size), Y: v})
				}
			}
			if len(pts) == 0 {
				continue
			}
			sort.Slice(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
			l, s, err := plotter.NewLinePoints(pts)
			if err != nil {
				return err
			}
			l.Color, s.Color = colours[sys], colours[sys]
			l.Width = vg.Points(1.5)
			s.Shape = draw.CircleGlyph{}
			p.Add(l, s)
			p.Legend.Add(sys, l, s)
		}
		plots = append(plots, p)
	}
	const w, h = 15 * vg.Inch, 5 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Inch / 4, PadTop: vg.Inch / 8, PadBottom: vg.Inch / 8, PadLeft: vg.Inch / 8, PadRight: vg.Inch / 8}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
