package client

import (
	"context"
	"net"
	"time"

	"github.com/ballot-bft/ballot/libs/log"
)

// DefaultRetryInterval is how long a SocketClient waits between dial attempts while the app is
// not reachable (CometBFT: 3 s).
const DefaultRetryInterval = 3 * time.Second

// retryLogEvery bounds how often a failed dial is logged at INFO; the others go to DEBUG.
const retryLogEvery = 3 * time.Second

// DialFunc opens a connection; it has the signature of net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Option configures a client.
type Option func(*options)

type options struct {
	name          string
	logger        log.Logger
	retryInterval time.Duration
	dial          DialFunc
}

func buildOptions(opts []Option) options {
	o := options{logger: log.NewNop(), retryInterval: DefaultRetryInterval}
	for _, opt := range opts {
		opt(&o)
	}
	if o.dial == nil {
		var d net.Dialer
		o.dial = d.DialContext
	}
	return o
}

// WithConnName names the connection the client carries ("consensus", "mempool", "query",
// "snapshot"); its errors then start with "<name> connection: ".
func WithConnName(name string) Option { return func(o *options) { o.name = name } }

// WithLogger sets the logger (default: discard).
func WithLogger(logger log.Logger) Option {
	return func(o *options) {
		if logger != nil {
			o.logger = logger
		}
	}
}

// WithRetryInterval sets the wait between dial attempts of a SocketClient that need not connect
// at once (default DefaultRetryInterval). Ignored by LocalClient.
func WithRetryInterval(d time.Duration) Option { return func(o *options) { o.retryInterval = d } }

// WithDialer replaces net.Dialer.DialContext for a SocketClient (tests, custom transports).
// Ignored by LocalClient.
func WithDialer(dial DialFunc) Option { return func(o *options) { o.dial = dial } }
