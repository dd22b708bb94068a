package metrics

import (
	"slices"
	"testing"
)

// The bucket helpers give exactly the bounds a CometBFT v0.38.26 node serves (captured from its
// /metrics: consensus_round_duration_seconds, state_block_processing_time,
// mempool_tx_size_bytes, consensus_block_interval_seconds).
func TestBucketsMatchCometBFT(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  []float64
		want []float64
	}{
		{"exponential range 0.1..100, 8", ExponentialBucketsRange(0.1, 100, 8), []float64{
			0.1, 0.2682695795279726, 0.7196856730011522, 1.9306977288832508, 5.1794746792312125,
			13.894954943731381, 37.27593720314942, 100.00000000000006}},
		{"linear 1 by 10, 10", LinearBuckets(1, 10, 10), []float64{1, 11, 21, 31, 41, 51, 61, 71, 81, 91}},
		{"exponential 1 by 3, 7", ExponentialBuckets(1, 3, 7), []float64{1, 3, 9, 27, 81, 243, 729}},
		{"default", DefaultBuckets(), []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestBucketHelpersRefuseBadArguments(t *testing.T) {
	for name, f := range map[string]func(){
		"linear count 0":           func() { LinearBuckets(1, 1, 0) },
		"exponential factor 1":     func() { ExponentialBuckets(1, 1, 3) },
		"exponential start 0":      func() { ExponentialBuckets(0, 2, 3) },
		"range with one bucket":    func() { ExponentialBucketsRange(1, 2, 1) },
		"range with hi below lo":   func() { ExponentialBucketsRange(2, 1, 3) },
		"range starting from zero": func() { ExponentialBucketsRange(0, 1, 3) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestFullName(t *testing.T) {
	d := Desc{Subsystem: "consensus", Name: "height"}
	if got := d.FullName("cometbft"); got != "cometbft_consensus_height" {
		t.Errorf("FullName = %q", got)
	}
	if got := d.FullName(""); got != "consensus_height" {
		t.Errorf("FullName without namespace = %q", got)
	}
	if got := (Desc{Name: "up"}).FullName("x"); got != "x_up" {
		t.Errorf("FullName without subsystem = %q", got)
	}
}

// Specs lists what a constructor asks for, in order, with kinds, labels and buckets.
func TestSpecsRecordsAConstructor(t *testing.T) {
	specs := Specs(func(p Provider) {
		s := Subsystem{Provider: p, Name: "demo"}
		s.Gauge("height", "Height.").With().Set(3)
		s.Counter("bytes", "Bytes.", "peer_id", "chID").With("a", "0x20").Add(1)
		s.Histogram("seconds", "Seconds.", LinearBuckets(1, 1, 2), "step").With("Propose").Observe(1)
	})
	want := []Spec{
		{KindGauge, Desc{Subsystem: "demo", Name: "height", Help: "Height."}},
		{KindCounter, Desc{Subsystem: "demo", Name: "bytes", Help: "Bytes.", Labels: []string{"peer_id", "chID"}}},
		{KindHistogram, Desc{Subsystem: "demo", Name: "seconds", Help: "Seconds.", Labels: []string{"step"}, Buckets: []float64{1, 2}}},
	}
	if len(specs) != len(want) {
		t.Fatalf("got %d specs, want %d", len(specs), len(want))
	}
	for i := range want {
		g, w := specs[i], want[i]
		if g.Kind != w.Kind || g.Subsystem != w.Subsystem || g.Name != w.Name || g.Help != w.Help ||
			!slices.Equal(g.Labels, w.Labels) || !slices.Equal(g.Buckets, w.Buckets) {
			t.Errorf("spec %d = %+v, want %+v", i, g, w)
		}
	}
	if KindHistogram.String() != "histogram" || Kind(9).String() != "Kind(9)" {
		t.Errorf("Kind names: %q, %q", KindHistogram, Kind(9))
	}
}

func TestNopDoesNothingAndTakesAnyLabels(t *testing.T) {
	Nop.Counter(Desc{}).With("a", "b").Add(1)
	Nop.Gauge(Desc{}).With().Set(1)
	Nop.Gauge(Desc{}).With().Add(-1)
	Nop.Histogram(Desc{}).With("x").Observe(1)
}
