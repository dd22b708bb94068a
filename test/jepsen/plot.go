package jepsen

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"time"
)

// Plot geometry: two panels (throughput above latency) sharing the time axis.
const (
	plotWidth   = 1000.0
	plotLeft    = 70.0
	plotRight   = 20.0
	panelHeight = 180.0
	panelGap    = 50.0
	plotTop     = 40.0
)

// Plot draws the run as an SVG: operations per second (ok, indeterminate, failed) and the
// latency of OK operations (median and maximum per bucket, indeterminate ones as crosses)
// over time, with every fault of the timeline shaded across both panels.
func Plot(ops []Op, events []Event, duration time.Duration) []byte {
	end := max(duration, time.Second)
	for _, o := range ops {
		end = max(end, o.Return)
	}
	bucket := time.Second
	if end > 5*time.Minute {
		bucket = (end / 300).Round(time.Second)
	}
	n := int(end/bucket) + 1
	ok, info, fail := make([]float64, n), make([]float64, n), make([]float64, n)
	lat := make([][]time.Duration, n)
	for _, o := range ops {
		i := int(o.Return / bucket)
		switch o.Status {
		case StatusOK:
			ok[i]++
			lat[i] = append(lat[i], o.Latency())
		case StatusInfo:
			info[i]++
		default:
			fail[i]++
		}
	}
	perSec := bucket.Seconds()
	for i := range n {
		ok[i], info[i], fail[i] = ok[i]/perSec, info[i]/perSec, fail[i]/perSec
	}
	p50, pmax := make([]float64, n), make([]float64, n)
	var latTop float64
	for i, l := range lat {
		if len(l) == 0 {
			p50[i], pmax[i] = math.NaN(), math.NaN()
			continue
		}
		slices.Sort(l)
		p50[i], pmax[i] = l[len(l)/2].Seconds()*1000, l[len(l)-1].Seconds()*1000
		latTop = max(latTop, pmax[i])
	}
	for _, o := range ops {
		if o.Status == StatusInfo {
			latTop = max(latTop, o.Latency().Seconds()*1000)
		}
	}
	rateTop := max(slices.Max(ok), slices.Max(info), slices.Max(fail), 1)

	p := &svgPlot{end: end}
	height := plotTop + 2*panelHeight + panelGap + 60
	fmt.Fprintf(&p.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n",
		plotWidth, height, plotWidth, height)
	fmt.Fprintf(&p.b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	top2 := plotTop + panelHeight + panelGap
	for _, e := range events {
		p.shade(e, plotTop, top2+panelHeight)
	}
	p.axes(plotTop, "operations/s", niceTop(rateTop))
	p.axes(top2, "latency (ms)", niceTop(max(latTop, 1)))
	centers := make([]time.Duration, n)
	for i := range centers {
		centers[i] = time.Duration(i)*bucket + bucket/2
	}
	p.line(centers, ok, plotTop, niceTop(rateTop), "#188038", "ok")
	p.line(centers, info, plotTop, niceTop(rateTop), "#e37400", "indeterminate")
	p.line(centers, fail, plotTop, niceTop(rateTop), "#d93025", "failed")
	p.line(centers, p50, top2, niceTop(max(latTop, 1)), "#1a73e8", "p50")
	p.line(centers, pmax, top2, niceTop(max(latTop, 1)), "#9334e6", "max")
	for _, o := range ops {
		if o.Status == StatusInfo {
			x, y := p.x(o.Return), p.y(top2, niceTop(max(latTop, 1)), o.Latency().Seconds()*1000)
			fmt.Fprintf(&p.b, `<path d="M%.1f %.1fl4 4m0 -4l-4 4" stroke="#e37400" fill="none"><title>%s</title></path>`+"\n", x-2, y-2, esc(o.String()))
		}
	}
	p.legend(plotTop-22, []string{"ok", "indeterminate", "failed"}, []string{"#188038", "#e37400", "#d93025"},
		"shaded: faults (red kill/restart, blue partition, yellow pause, green delay/drop)")
	p.legend(top2-22, []string{"p50 of ok", "max of ok", "indeterminate (x)"}, []string{"#1a73e8", "#9334e6", "#e37400"}, "")
	p.timeAxis(top2 + panelHeight)
	fmt.Fprintf(&p.b, "</svg>\n")
	return p.b.Bytes()
}

type svgPlot struct {
	b   bytes.Buffer
	end time.Duration
}

func (p *svgPlot) x(t time.Duration) float64 {
	return plotLeft + (plotWidth-plotLeft-plotRight)*float64(t)/float64(p.end)
}

func (p *svgPlot) y(top, maxV, v float64) float64 {
	return top + panelHeight - panelHeight*min(v, maxV)/maxV
}

func (p *svgPlot) shade(e Event, top, bottom float64) {
	x0, x1 := p.x(e.Start), p.x(e.End)
	fmt.Fprintf(&p.b, `<rect class="fault" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.7"><title>%s</title></rect>`+"\n",
		x0, top, max(x1-x0, 2), bottom-top, faultColor(e.Kind), esc(fmt.Sprintf("%s: %s (%s to %s)", e.Kind, e.Note, e.Start.Round(time.Millisecond), e.End.Round(time.Millisecond))))
}

func (p *svgPlot) axes(top float64, label string, maxV float64) {
	right := plotWidth - plotRight
	fmt.Fprintf(&p.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#888"/>`+"\n", plotLeft, top, right-plotLeft, panelHeight)
	for i := 0; i <= 4; i++ {
		v := maxV * float64(i) / 4
		y := p.y(top, maxV, v)
		fmt.Fprintf(&p.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/><text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n",
			plotLeft, y, right, y, plotLeft-4, y+4, trimFloat(v))
	}
	fmt.Fprintf(&p.b, `<text x="14" y="%.1f" transform="rotate(-90 14 %.1f)" text-anchor="middle">%s</text>`+"\n", top+panelHeight/2, top+panelHeight/2, label)
}

func (p *svgPlot) line(xs []time.Duration, ys []float64, top, maxV float64, color, name string) {
	var d bytes.Buffer
	pen := false
	for i, v := range ys {
		if math.IsNaN(v) {
			pen = false
			continue
		}
		cmd := 'L'
		if !pen {
			cmd = 'M'
		}
		fmt.Fprintf(&d, "%c%.1f %.1f", cmd, p.x(xs[i]), p.y(top, maxV, v))
		pen = true
	}
	if d.Len() > 0 {
		fmt.Fprintf(&p.b, `<path d="%s" stroke="%s" fill="none" stroke-width="1.5"><title>%s</title></path>`+"\n", d.String(), color, name)
	}
}

func (p *svgPlot) legend(y float64, labels, colors []string, note string) {
	x := plotLeft
	for i, l := range labels {
		fmt.Fprintf(&p.b, `<rect x="%.1f" y="%.1f" width="12" height="4" fill="%s"/><text x="%.1f" y="%.1f">%s</text>`+"\n", x, y+4, colors[i], x+16, y+9, esc(l))
		x += 30 + 7*float64(len(l))
	}
	if note != "" {
		fmt.Fprintf(&p.b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", x+20, y+9, esc(note))
	}
}

func (p *svgPlot) timeAxis(y float64) {
	step := niceStep(p.end)
	for t := time.Duration(0); t <= p.end; t += step {
		x := p.x(t)
		fmt.Fprintf(&p.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#888"/><text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n",
			x, y, x, y+4, x, y+16, t.Round(time.Second))
	}
	fmt.Fprintf(&p.b, `<text x="%.1f" y="%.1f" text-anchor="middle">time since the cluster was built</text>`+"\n", (plotLeft+plotWidth-plotRight)/2, y+34)
}

// niceStep is a tick step giving at most about 12 ticks over d.
func niceStep(d time.Duration) time.Duration {
	for _, s := range []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute} {
		if d/s <= 12 {
			return s
		}
	}
	return d / 10
}

// niceTop rounds v up to 1, 2 or 5 times a power of ten.
func niceTop(v float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

func trimFloat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
