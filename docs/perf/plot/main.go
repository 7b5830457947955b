// Command plot draws docs/perf/scaling.svg from "go test -bench" output:
// how the cost grows with users (BenchmarkScale: setup time), contacts
// (BenchmarkRoutingFanout: time per presence broadcast) and script steps
// (BenchmarkReplaySteps: time per replay), each on log-log axes with a
// dashed line of linear growth through the smallest size. Repeated runs
// (-count) are reduced to their median.
//
//	go test -run '^$' -bench 'Scale|RoutingFanout' -count 5 ./model > /tmp/b.txt
//	go test -run '^$' -bench 'ReplaySteps' -count 5 ./scenarios >> /tmp/b.txt
//	go run ./docs/perf/plot < /tmp/b.txt > docs/perf/scaling.svg
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// panel is one chart: a benchmark family, the size parameter and the
// metric plotted.
type panel struct {
	title, prefix, metric, xlabel, ylabel string
	scale                                 float64 // metric value * scale = plotted value
	points                                map[float64][]float64
}

var lineRE = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+(.*)$`)

func main() {
	panels := []*panel{
		{title: "Users (Scale): setup time", prefix: "Scale/N=", metric: "setup-s", xlabel: "users N", ylabel: "seconds", scale: 1},
		{title: "Contacts (RoutingFanout): one presence change", prefix: "RoutingFanout/K=", metric: "ns/op", xlabel: "contacts K", ylabel: "µs per broadcast", scale: 1e-3},
		{title: "Steps (ReplaySteps): parse + run", prefix: "ReplaySteps/n=", metric: "ns/op", xlabel: "message steps n (2 actions each)", ylabel: "ms per replay", scale: 1e-6},
	}
	if err := read(os.Stdin, panels); err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
	n := 0
	for _, p := range panels {
		n += len(p.points)
	}
	if n == 0 {
		fmt.Fprintln(os.Stderr, "plot: no Scale, RoutingFanout or ReplaySteps lines in the input")
		os.Exit(1)
	}
	draw(os.Stdout, panels)
}

func read(r io.Reader, panels []*panel) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := lineRE.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		name, fields := m[1], strings.Fields(m[2])
		for _, p := range panels {
			if !strings.HasPrefix(name, p.prefix) {
				continue
			}
			x, err := strconv.ParseFloat(strings.TrimPrefix(name, p.prefix), 64)
			if err != nil {
				continue
			}
			for i := 0; i+1 < len(fields); i += 2 {
				if fields[i+1] == p.metric {
					v, err := strconv.ParseFloat(fields[i], 64)
					if err == nil {
						if p.points == nil {
							p.points = map[float64][]float64{}
						}
						p.points[x] = append(p.points[x], v*p.scale)
					}
				}
			}
		}
	}
	return sc.Err()
}

func median(vs []float64) float64 {
	s := append([]float64(nil), vs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

const (
	pw, ph           = 360, 300 // panel size
	ml, mr, mt, mb   = 60, 15, 40, 45
	fontFamily       = "sans-serif"
	colorLine, color = "#1f77b4", "#555"
)

func draw(w io.Writer, panels []*panel) {
	width := pw * len(panels)
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="%s" font-size="11">`+"\n", width, ph, width, ph, fontFamily)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	for i, p := range panels {
		drawPanel(w, p, float64(i*pw))
	}
	fmt.Fprintln(w, "</svg>")
}

func drawPanel(w io.Writer, p *panel, x0 float64) {
	fmt.Fprintf(w, `<text x="%.1f" y="18" font-size="12" font-weight="bold">%s</text>`+"\n", x0+10, esc(p.title))
	if len(p.points) == 0 {
		fmt.Fprintf(w, `<text x="%.1f" y="%d" fill="%s">no data</text>`+"\n", x0+ml, ph/2, color)
		return
	}
	var xs []float64
	for x := range p.points {
		xs = append(xs, x)
	}
	sort.Float64s(xs)
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = median(p.points[x])
	}
	// Decade bounds covering the data and the linear reference.
	lx0, lx1 := math.Floor(math.Log10(xs[0])), math.Ceil(math.Log10(xs[len(xs)-1]))
	if lx1 == lx0 {
		lx1++
	}
	ref := func(x float64) float64 { return ys[0] * x / xs[0] }
	lo, hi := ys[0], ys[0]
	for i, x := range xs {
		lo, hi = math.Min(lo, math.Min(ys[i], ref(x))), math.Max(hi, math.Max(ys[i], ref(x)))
	}
	ly0, ly1 := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if ly1 == ly0 {
		ly1++
	}
	px := func(x float64) float64 {
		return x0 + ml + (math.Log10(x)-lx0)/(lx1-lx0)*float64(pw-ml-mr)
	}
	py := func(y float64) float64 {
		return float64(ph-mb) - (math.Log10(y)-ly0)/(ly1-ly0)*float64(ph-mt-mb)
	}
	// Axes and decade grid.
	for d := lx0; d <= lx1; d++ {
		x := px(math.Pow(10, d))
		fmt.Fprintf(w, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>`+"\n", x, mt, x, ph-mb)
		fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="middle" fill="%s">%s</text>`+"\n", x, ph-mb+14, color, num(math.Pow(10, d)))
	}
	for d := ly0; d <= ly1; d++ {
		y := py(math.Pow(10, d))
		fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x0+ml, y, x0+pw-mr, y)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="end" fill="%s">%s</text>`+"\n", x0+ml-4, y+4, color, num(math.Pow(10, d)))
	}
	fmt.Fprintf(w, `<text x="%.1f" y="%d" text-anchor="middle" fill="%s">%s</text>`+"\n", x0+ml+float64(pw-ml-mr)/2, ph-12, color, esc(p.xlabel))
	fmt.Fprintf(w, `<text transform="translate(%.1f %d) rotate(-90)" text-anchor="middle" fill="%s">%s</text>`+"\n", x0+14, mt+(ph-mt-mb)/2, color, esc(p.ylabel))
	// Linear reference, then the data.
	fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999" stroke-dasharray="4 3"/>`+"\n",
		px(xs[0]), py(ref(xs[0])), px(xs[len(xs)-1]), py(ref(xs[len(xs)-1])))
	var path strings.Builder
	for i, x := range xs {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, px(x), py(ys[i]))
	}
	fmt.Fprintf(w, `<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.TrimSpace(path.String()), colorLine)
	for i, x := range xs {
		fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s: %s</title></circle>`+"\n", px(x), py(ys[i]), colorLine, num(x), num(ys[i]))
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" fill="%s" font-size="10">%s</text>`+"\n", px(x)+5, py(ys[i])-5, colorLine, num(ys[i]))
	}
	fmt.Fprintf(w, `<text x="%.1f" y="%d" fill="#999" font-size="10">dashed: linear growth</text>`+"\n", x0+ml+4, mt-6)
}

// num renders v compactly: 1000 -> 1k, 0.01 -> 0.01.
func num(v float64) string {
	switch {
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 3, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'g', 3, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
