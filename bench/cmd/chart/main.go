// Command chart draws docs/benchmarks.png from benchmark output: for each
// workload, the median time per check (ns/op, log scale) against the number
// of statements (log scale), one line per system. Run from the bench module:
//
//	go run ./cmd/chart -in results.txt -out ../docs/benchmarks.png
//
// It reads the BenchmarkCheck/<workload>/<size>/<system> lines of `go test
// -bench` output (any -count; the median of the runs is drawn) and ignores
// every other line.
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
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "chart:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
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
	return draw3(medians(samples), out)
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
		p.Y.Label.Text = "ns per check (median)"
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
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
