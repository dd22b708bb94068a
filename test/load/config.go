package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// Transport is how transactions reach the nodes.
type Transport string

// The transports.
const (
	// TransportHTTP posts one JSON-RPC request per transaction.
	TransportHTTP Transport = "http"
	// TransportHTTPBatch posts JSON-RPC batches of Config.Batch transactions.
	TransportHTTPBatch Transport = "http-batch"
	// TransportWebsocket sends one JSON-RPC request frame per transaction over /websocket,
	// pipelined up to Config.InFlight outstanding requests per connection.
	TransportWebsocket Transport = "websocket"
)

// Mode is the broadcast route used.
type Mode string

// The broadcast modes.
const (
	// ModeAsync uses broadcast_tx_async (answer after the mempool's pre-checks).
	ModeAsync Mode = "async"
	// ModeSync uses broadcast_tx_sync (answer after the app's CheckTx).
	ModeSync Mode = "sync"
)

// Watch is how committed blocks are observed.
type Watch string

// The block watchers.
const (
	// WatchWebsocket subscribes to tm.event='NewBlock' on the watch endpoint.
	WatchWebsocket Watch = "websocket"
	// WatchPoll polls `status` and fetches each new height with `block`.
	WatchPoll Watch = "poll"
)

// Proc names a node process whose CPU time and peak resident memory are reported.
type Proc struct {
	Name string `json:"name"`
	PID  int    `json:"pid"`
}

// Config is one run's settings. It is plain data; Validate reports what is wrong with it.
type Config struct {
	// Endpoints are the nodes' RPC base URLs (http://host:port); requests go round-robin.
	Endpoints []string `json:"endpoints"`
	// WatchEndpoint is the node whose committed blocks are watched; Endpoints[0] when empty.
	WatchEndpoint string `json:"watch_endpoint"`

	// Rate is the fixed offered load in tx/s. Zero when stepping (StepFrom > 0).
	Rate float64 `json:"rate,omitempty"`
	// StepFrom, StepBy and StepEvery describe a stepped load: StepFrom tx/s, raised by StepBy
	// every StepEvery.
	StepFrom  float64       `json:"step_from,omitempty"`
	StepBy    float64       `json:"step_by,omitempty"`
	StepEvery time.Duration `json:"step_every,omitempty"`
	// UntilSaturation ends a stepped run once SaturationPatience consecutive steps were
	// saturated (committed rate below SaturationRatio of the offered rate, or more than 5% of
	// the offered transactions rejected, failed or not sent).
	UntilSaturation    bool    `json:"until_saturation,omitempty"`
	SaturationRatio    float64 `json:"saturation_ratio,omitempty"`
	SaturationPatience int     `json:"saturation_patience,omitempty"`

	// Duration caps the sending time (the whole of a fixed run).
	Duration time.Duration `json:"duration"`
	// Count, when positive, stops sending after that many transactions.
	Count int64 `json:"count,omitempty"`
	// Drain is how long to keep watching blocks after sending stops for the transactions
	// still pending.
	Drain time.Duration `json:"drain"`

	Size        int       `json:"size"`
	Transport   Transport `json:"transport"`
	Batch       int       `json:"batch"`
	Mode        Mode      `json:"mode"`
	Connections int       `json:"connections"` // per endpoint
	InFlight    int       `json:"in_flight"`   // per websocket connection
	Queue       int       `json:"queue"`       // queued requests per endpoint before "not sent"
	// RequestTimeout bounds each HTTP request and each wait for a websocket answer.
	RequestTimeout time.Duration `json:"request_timeout"`

	Watch        Watch         `json:"watch"`
	PollInterval time.Duration `json:"poll_interval,omitempty"`

	// Seed makes the run id and the padding reproducible.
	Seed int64 `json:"seed"`
	// Procs are node processes to measure (Linux /proc); empty = none.
	Procs []Proc `json:"procs,omitempty"`
}

// DefaultConfig returns the settings of ballot-load's flags before parsing.
func DefaultConfig() Config {
	return Config{
		Endpoints:          []string{"http://127.0.0.1:26657"},
		Rate:               500,
		SaturationRatio:    0.9,
		SaturationPatience: 2,
		Duration:           30 * time.Second,
		Drain:              15 * time.Second,
		Size:               250,
		Transport:          TransportHTTP,
		Batch:              10,
		Mode:               ModeAsync,
		Connections:        4,
		InFlight:           64,
		Queue:              64,
		RequestTimeout:     10 * time.Second,
		Watch:              WatchWebsocket,
		PollInterval:       100 * time.Millisecond,
	}
}

// ErrConfig is wrapped by every error of Validate.
var ErrConfig = errors.New("invalid load config")

// maxRate bounds the offered rate; beyond it the pacer's arithmetic and the tracker's
// capacity (maxTxs) stop being meaningful for any run length.
const maxRate = 1_000_000

// Validate checks c and returns an error wrapping ErrConfig naming the first bad setting.
func (c *Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	if len(c.Endpoints) == 0 {
		return bad("no endpoints")
	}
	for _, e := range append([]string{c.WatchEndpoint}, c.Endpoints...) {
		if e == "" {
			continue
		}
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("endpoint %q is not an http(s)://host:port URL", e)
		}
	}
	stepping := c.StepFrom > 0 || c.StepBy > 0 || c.StepEvery > 0
	switch {
	case stepping && c.Rate > 0:
		return bad("give either a fixed rate or a step schedule, not both")
	case stepping && (c.StepFrom <= 0 || c.StepBy < 0 || c.StepEvery < 2*time.Second):
		return bad("step schedule needs step-from > 0, step-by >= 0 and step-every >= 2s")
	case stepping && (c.StepFrom > maxRate || c.StepBy > maxRate):
		return bad("step rates above %d tx/s", maxRate)
	case !stepping && (c.Rate <= 0 || c.Rate > maxRate):
		return bad("rate %v tx/s out of (0, %d]", c.Rate, maxRate)
	case c.UntilSaturation && !stepping:
		return bad("until-saturation needs a step schedule")
	case c.UntilSaturation && (c.SaturationRatio <= 0 || c.SaturationRatio > 1 || c.SaturationPatience < 1):
		return bad("saturation ratio must be in (0,1] and patience >= 1")
	case c.Duration <= 0:
		return bad("duration must be positive")
	case c.Count < 0:
		return bad("count must not be negative")
	case c.Drain < 0:
		return bad("drain must not be negative")
	case c.Size < minTxSize || c.Size > maxTxSize:
		return bad("size %d out of [%d, %d]", c.Size, minTxSize, maxTxSize)
	case c.Mode != ModeAsync && c.Mode != ModeSync:
		return bad("mode %q (want async or sync)", c.Mode)
	case c.Connections < 1 || c.Connections > 1024:
		return bad("connections %d out of [1, 1024]", c.Connections)
	case c.Queue < 1 || c.Queue > 1<<16:
		return bad("queue %d out of [1, 65536]", c.Queue)
	case c.RequestTimeout <= 0:
		return bad("request timeout must be positive")
	}
	switch c.Transport {
	case TransportHTTP:
	case TransportHTTPBatch:
		if c.Batch < 1 || c.Batch > 10000 {
			return bad("batch %d out of [1, 10000]", c.Batch)
		}
	case TransportWebsocket:
		if c.InFlight < 1 || c.InFlight > 1<<16 {
			return bad("in-flight %d out of [1, 65536]", c.InFlight)
		}
	default:
		return bad("transport %q (want http, http-batch or websocket)", c.Transport)
	}
	switch c.Watch {
	case WatchWebsocket:
	case WatchPoll:
		if c.PollInterval <= 0 {
			return bad("poll interval must be positive")
		}
	default:
		return bad("watch %q (want websocket or poll)", c.Watch)
	}
	for _, p := range c.Procs {
		if p.PID <= 0 || p.Name == "" {
			return bad("process %q: needs a name and a positive pid", p.Name)
		}
	}
	return nil
}

// stepping reports whether c describes a stepped load.
func (c *Config) stepping() bool { return c.StepFrom > 0 }

// batchSize is the number of transactions per request.
func (c *Config) batchSize() int {
	if c.Transport == TransportHTTPBatch {
		return c.Batch
	}
	return 1
}

// watchEndpoint is the endpoint whose blocks are watched.
func (c *Config) watchEndpoint() string {
	if c.WatchEndpoint != "" {
		return c.WatchEndpoint
	}
	return c.Endpoints[0]
}

// Env is what a run touches outside its Config. The zero value means the real network, no
// progress output and no TTY.
type Env struct {
	// Dial, when set, replaces the network dialer for every HTTP and websocket connection
	// (tests use in-memory pipes).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Progress receives one progress line per second; nil = none.
	Progress io.Writer
	// TTY makes the progress line overwrite itself (carriage return) instead of scrolling.
	TTY bool
	// ReadProc reads /proc files for Config.Procs; nil = os.ReadFile.
	ReadProc func(path string) ([]byte, error)
}

// websocketURL turns an http(s) endpoint into its /websocket URL.
func websocketURL(endpoint string) string {
	u := strings.TrimSuffix(endpoint, "/")
	switch {
	case strings.HasPrefix(u, "https://"):
		u = "wss://" + strings.TrimPrefix(u, "https://")
	default:
		u = "ws://" + strings.TrimPrefix(u, "http://")
	}
	return u + "/websocket"
}
