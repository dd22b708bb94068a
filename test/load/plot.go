package load

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
)

// Plot geometry (SVG user units).
const (
	plotWidth   = 960
	panelHeight = 260
	marginLeft  = 70
	marginRight = 150
	marginTop   = 40
	panelGap    = 50
)

type series struct {
	name   string
	color  string
	values []float64
}

// WriteSVG draws the timeline of s as a self-contained SVG image: throughput per second
// (offered, sent, committed) above, commit latency per second (p50, p99) below.
func (s *Summary) WriteSVG(w io.Writer) error {
	n := len(s.Timeline)
	col := func(f func(Second) float64) []float64 {
		v := make([]float64, n)
		for i, sec := range s.Timeline {
			v[i] = f(sec)
		}
		return v
	}
	throughput := []series{
		{"offered", "#999999", col(func(x Second) float64 { return float64(x.Offered) })},
		{"sent", "#1f77b4", col(func(x Second) float64 { return float64(x.Sent) })},
		{"committed", "#2ca02c", col(func(x Second) float64 { return float64(x.Committed) })},
	}
	// Seconds without commits have no latency: NaN breaks the line there.
	lat := func(f func(Second) float64) func(Second) float64 {
		return func(x Second) float64 {
			if x.Committed == 0 {
				return math.NaN()
			}
			return f(x)
		}
	}
	latency := []series{
		{"p50", "#ff7f0e", col(lat(func(x Second) float64 { return x.P50 }))},
		{"p99", "#d62728", col(lat(func(x Second) float64 { return x.P99 }))},
	}
	height := marginTop + 2*panelHeight + panelGap + 40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		plotWidth, height, plotWidth, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	title := "ballot-load run " + s.RunID
	if s.Label != "" {
		title = s.Label + " — " + title
	}
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15">%s</text>`+"\n", marginLeft, html.EscapeString(title))
	panel(&b, marginTop, "tx/s", n, throughput)
	panel(&b, marginTop+panelHeight+panelGap, "commit latency (ms)", n, latency)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">seconds since the start of sending</text>`+"\n",
		marginLeft+(plotWidth-marginLeft-marginRight)/2, height-8)
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// panel draws one chart with its top edge at top.
func panel(b *strings.Builder, top int, ylabel string, n int, ss []series) {
	innerW := float64(plotWidth - marginLeft - marginRight)
	innerH := float64(panelHeight)
	var ymax float64
	for _, s := range ss {
		for _, v := range s.values {
			if !math.IsNaN(v) {
				ymax = max(ymax, v)
			}
		}
	}
	ymax = niceCeil(ymax)
	xmax := float64(max(n-1, 1))
	x := func(i int) float64 { return float64(marginLeft) + float64(i)/xmax*innerW }
	y := func(v float64) float64 { return float64(top) + innerH - v/ymax*innerH }

	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%.0f" height="%.0f" fill="none" stroke="#333"/>`+"\n", marginLeft, top, innerW, innerH)
	for k := 0; k <= 5; k++ {
		v := ymax * float64(k) / 5
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#ddd"/>`+"\n", marginLeft, y(v), float64(marginLeft)+innerW, y(v))
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`+"\n", marginLeft-6, y(v)+4, trimFloat(v))
	}
	step := max(1, niceStep(float64(n)/10))
	for i := 0; i < n; i += step {
		fmt.Fprintf(b, `<text x="%.1f" y="%.0f" text-anchor="middle">%d</text>`+"\n", x(i), float64(top)+innerH+16, i)
	}
	fmt.Fprintf(b, `<text transform="translate(16 %.0f) rotate(-90)" text-anchor="middle">%s</text>`+"\n", float64(top)+innerH/2, html.EscapeString(ylabel))
	for k, s := range ss {
		var pts strings.Builder
		npts, lastX, lastY := 0, 0.0, 0.0
		flush := func() {
			switch {
			case npts == 1: // a lone point would be invisible as a line
				fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="2" fill="%s"/>`+"\n", lastX, lastY, s.color)
			case npts > 1:
				fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`+"\n", s.color, strings.TrimSpace(pts.String()))
			}
			pts.Reset()
			npts = 0
		}
		for i, v := range s.values {
			if math.IsNaN(v) {
				flush()
				continue
			}
			lastX, lastY = x(i), y(v)
			fmt.Fprintf(&pts, "%.1f,%.1f ", lastX, lastY)
			npts++
		}
		flush()
		ly := top + 14 + 18*k
		lx := float64(marginLeft) + innerW + 12
		fmt.Fprintf(b, `<line x1="%.0f" y1="%d" x2="%.0f" y2="%d" stroke="%s" stroke-width="3"/>`+"\n", lx, ly-4, lx+20, ly-4, s.color)
		fmt.Fprintf(b, `<text x="%.0f" y="%d">%s</text>`+"\n", lx+26, ly, s.name)
	}
}

// niceCeil rounds v up to 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten (1 for v ≤ 0).
func niceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// niceStep is a tick spacing of 1, 2 or 5 times a power of ten, at least v.
func niceStep(v float64) int {
	if v <= 1 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return int(m * p)
		}
	}
	return int(10 * p)
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2g", v)
}
