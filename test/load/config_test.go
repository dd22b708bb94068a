package load

import (
	"errors"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	if c := DefaultConfig(); c.Validate() != nil {
		t.Fatalf("default config: %v", c.Validate())
	}
	for name, mutate := range map[string]func(*Config){
		"no endpoints":        func(c *Config) { c.Endpoints = nil },
		"bad endpoint":        func(c *Config) { c.Endpoints = []string{"127.0.0.1:26657"} },
		"rate and steps":      func(c *Config) { c.StepFrom, c.StepBy, c.StepEvery = 10, 10, 10*time.Second },
		"no rate":             func(c *Config) { c.Rate = 0 },
		"short steps":         func(c *Config) { c.Rate, c.StepFrom, c.StepBy, c.StepEvery = 0, 10, 10, time.Second },
		"saturation no steps": func(c *Config) { c.UntilSaturation = true },
		"tiny tx":             func(c *Config) { c.Size = 10 },
		"bad transport":       func(c *Config) { c.Transport = "carrier-pigeon" },
		"bad mode":            func(c *Config) { c.Mode = "commit" },
		"zero batch":          func(c *Config) { c.Transport, c.Batch = TransportHTTPBatch, 0 },
		"zero connections":    func(c *Config) { c.Connections = 0 },
		"zero duration":       func(c *Config) { c.Duration = 0 },
		"bad watch":           func(c *Config) { c.Watch = "tea-leaves" },
		"bad proc":            func(c *Config) { c.Procs = []Proc{{Name: "n", PID: 0}} },
	} {
		c := DefaultConfig()
		mutate(&c)
		if err := c.Validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
	c := DefaultConfig()
	c.Rate, c.StepFrom, c.StepBy, c.StepEvery, c.UntilSaturation = 0, 500, 250, 10*time.Second, true
	if err := c.Validate(); err != nil {
		t.Errorf("step config: %v", err)
	}
}
