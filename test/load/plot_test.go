package load

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

func TestWriteSVG(t *testing.T) {
	s := &Summary{RunID: "0badcafe", Label: "a <label> & more", Timeline: []Second{
		{T: 0, Offered: 100, Sent: 100, Committed: 90, P50: 300, P99: 500},
		{T: 1, Offered: 100, Sent: 100, Committed: 0},
		{T: 2, Offered: 100, Sent: 100, Committed: 110, P50: 320, P99: 640},
	}}
	var buf bytes.Buffer
	if err := s.WriteSVG(&buf); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, buf.String())
		}
	}
	svg := buf.String()
	// 3 throughput lines; each latency line is broken at the second without commits,
	// leaving lone points drawn as dots.
	if n, dots := strings.Count(svg, "<polyline"), strings.Count(svg, "<circle"); n != 3 || dots != 2*2 {
		t.Errorf("%d polylines and %d dots, want 3 and 4", n, dots)
	}
	if !strings.Contains(svg, "a &lt;label&gt; &amp; more") {
		t.Error("label not escaped")
	}
}

func TestNiceCeil(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.7: 0.8, 1: 1, 2130: 2500, 1270: 1500, 640: 800, 8001: 10000, 99: 100} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", in, got, want)
		}
	}
}
