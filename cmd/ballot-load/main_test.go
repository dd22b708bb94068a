package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/test/load"
)

func TestParseFixed(t *testing.T) {
	o, err := parse([]string{"--endpoints", "http://127.0.0.1:1, http://127.0.0.1:2", "--rate", "800", "--duration", "5s",
		"--transport", "websocket", "--mode", "sync", "--seed", "9", "--proc", "node0=11,node1=12", "--json", "x.json", "--plot", "p.svg"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	c := o.cfg
	if len(c.Endpoints) != 2 || c.Endpoints[1] != "http://127.0.0.1:2" || c.Rate != 800 || c.Duration != 5*time.Second ||
		c.Transport != load.TransportWebsocket || c.Mode != load.ModeSync || c.Seed != 9 || o.jsonPath != "x.json" || o.plotPath != "p.svg" {
		t.Errorf("parsed %+v", o)
	}
	if len(c.Procs) != 2 || c.Procs[1] != (load.Proc{Name: "node1", PID: 12}) {
		t.Errorf("procs %+v", c.Procs)
	}
}

func TestParseStepClearsDefaultRate(t *testing.T) {
	o, err := parse([]string{"--step-from", "500", "--step-by", "250", "--step-every", "10s", "--until-saturation", "--duration", "3m"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.cfg.Rate != 0 || o.cfg.StepFrom != 500 || !o.cfg.UntilSaturation || o.cfg.Seed == 0 {
		t.Errorf("parsed %+v", o.cfg)
	}
	if _, err := parse([]string{"--rate", "10", "--step-from", "5", "--step-by", "1", "--step-every", "5s"}, &bytes.Buffer{}); err == nil {
		t.Error("explicit rate with steps accepted")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--plot", "out.png"},
		{"--proc", "node0"},
		{"--transport", "udp"},
		{"extra"},
	} {
		var stderr bytes.Buffer
		if code := run(context.Background(), args, &bytes.Buffer{}, &stderr, false); code != 2 || !strings.Contains(stderr.String(), "ballot-load:") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}
