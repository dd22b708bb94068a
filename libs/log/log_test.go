package log

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseLevels(t *testing.T) {
	cases := []struct {
		spec    string
		module  string
		want    Level
		wantErr string
	}{
		{spec: "", module: "x", want: LevelInfo},
		{spec: "debug", module: "x", want: LevelDebug},
		{spec: "none", module: "x", want: LevelNone},
		{spec: "consensus:debug,*:error", module: "consensus", want: LevelDebug},
		{spec: "consensus:debug,*:error", module: "p2p", want: LevelError},
		{spec: "consensus:debug", module: "p2p", want: LevelInfo},
		{spec: "verbose", wantErr: `unknown level "verbose"`},
		{spec: "consensus", wantErr: `unknown level "consensus"`},
		{spec: "consensus:loud,*:info", wantErr: `bad log_level item "consensus:loud"`},
		{spec: ":debug,*:info", wantErr: `bad log_level item ":debug"`},
	}
	for _, tc := range cases {
		levels, err := ParseLevels(tc.spec)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseLevels(%q) error = %v, want it to contain %q", tc.spec, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("ParseLevels(%q): %v", tc.spec, err)
		}
		if got := levels.forModule(tc.module); got != tc.want {
			t.Errorf("ParseLevels(%q) module %q = %v, want %v", tc.spec, tc.module, got, tc.want)
		}
	}
}

func TestModuleFiltering(t *testing.T) {
	var buf bytes.Buffer
	l, err := New(&buf, FormatPlain, "consensus:debug,*:error")
	if err != nil {
		t.Fatal(err)
	}
	l.With("module", "consensus").Debug("entering round", "height", 5)
	l.With("module", "p2p").Info("peer connected")
	l.With("module", "p2p").Error("dial failed", "err", "refused")
	out := buf.String()
	if !strings.Contains(out, `msg="entering round"`) || !strings.Contains(out, "height=5") {
		t.Errorf("consensus debug line missing:\n%s", out)
	}
	if strings.Contains(out, "peer connected") {
		t.Errorf("p2p info line should be filtered:\n%s", out)
	}
	if !strings.Contains(out, `msg="dial failed"`) || !strings.Contains(out, "module=p2p") {
		t.Errorf("p2p error line missing:\n%s", out)
	}
}

func TestJSONFormat(t *testing.T) {
	var buf bytes.Buffer
	l, err := New(&buf, FormatJSON, "info")
	if err != nil {
		t.Fatal(err)
	}
	l.With("module", "state").Info("committed block", "height", int64(7))
	var line map[string]any
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("not JSON: %v: %s", err, buf.String())
	}
	if line["msg"] != "committed block" || line["module"] != "state" || line["level"] != "info" {
		t.Errorf("unexpected line %v", line)
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := New(&bytes.Buffer{}, "xml", "info"); err == nil {
		t.Fatal("want an error for an unknown format")
	}
}
