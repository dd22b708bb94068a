package mempool

import (
	"reflect"
	"testing"

	"github.com/ballot-bft/ballot/config"
)

func TestNewByType(t *testing.T) {
	app := newFakeApp(true)
	for typ, want := range map[string]string{"": "*mempool.Pool", "flood": "*mempool.Pool", "nop": "mempool.Nop"} {
		cfg := config.TestMempoolConfig()
		cfg.Type = typ
		m, err := New(cfg, app, 0)
		if err != nil {
			t.Fatalf("type %q: %v", typ, err)
		}
		if got := typeName(m); got != want {
			t.Errorf("type %q: got %s, want %s", typ, got, want)
		}
	}
	bad := config.TestMempoolConfig()
	bad.Size = -1
	if _, err := New(bad, app, 0); err == nil {
		t.Error("invalid config accepted")
	}
	if _, err := NewPool(config.TestMempoolConfig(), nil, 0); err == nil {
		t.Error("nil app accepted")
	}
}

func typeName(m Mempool) string {
	switch m.(type) {
	case *Pool:
		return "*mempool.Pool"
	case Nop:
		return "mempool.Nop"
	}
	return "?"
}

func TestMetricDescsCoverMetrics(t *testing.T) {
	fields := reflect.TypeOf(Metrics{})
	if specs := MetricSpecs(); fields.NumField() != len(specs) {
		t.Fatalf("%d metric descriptions for %d Metrics fields", len(specs), fields.NumField())
	}
	nop := reflect.ValueOf(*NopMetrics())
	for i := range fields.NumField() {
		if nop.Field(i).IsNil() {
			t.Errorf("NopMetrics left %s nil", fields.Field(i).Name)
		}
	}
}
