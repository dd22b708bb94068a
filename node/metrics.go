package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/blocksync"
	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/consensus"
	"github.com/ballot-bft/ballot/libs/metrics"
	"github.com/ballot-bft/ballot/libs/metrics/prom"
	"github.com/ballot-bft/ballot/mempool"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/state"
)

// metricsShutdownTimeout bounds how long the metrics server waits for scrapes in progress when
// the node stops.
const metricsShutdownTimeout = 5 * time.Second

// nodeMetrics are the metrics of every part of the node. With instrumentation.prometheus off
// they do nothing and nothing is served.
type nodeMetrics struct {
	provider *prom.Provider // nil when Prometheus is off

	consensus *consensus.Metrics
	p2p       *p2p.Metrics
	mempool   *mempool.Metrics
	state     *state.Metrics
	blocksync *blocksync.Metrics
	abci      *abciMetrics // nil when Prometheus is off: the connections are not wrapped
}

// newNodeMetrics builds the node's metrics as [instrumentation] says: with prometheus = true,
// named under namespace and labelled with chainID (CometBFT's chain_id label).
func newNodeMetrics(cfg *config.InstrumentationConfig, chainID string) *nodeMetrics {
	var p metrics.Provider = metrics.Nop
	m := &nodeMetrics{}
	if cfg.Prometheus {
		m.provider = prom.New(cfg.Namespace, map[string]string{"chain_id": chainID})
		p = m.provider
		m.abci = newABCIMetrics(p)
	}
	m.consensus = consensus.NewMetrics(p)
	m.p2p = p2p.NewMetrics(p)
	m.mempool = mempool.NewMetrics(p)
	m.state = state.NewMetrics(p)
	m.blocksync = blocksync.NewMetrics(p)
	return m
}

// switchOptions are the p2p switch's metrics options: none when Prometheus is off, so that the
// switch resolves no per-peer instruments.
func (m *nodeMetrics) switchOptions() []p2p.SwitchOption {
	if m.provider == nil {
		return nil
	}
	return []p2p.SwitchOption{p2p.WithMetrics(m.p2p)}
}

// metricsServer serves /metrics on instrumentation.prometheus_listen_addr.
type metricsServer struct {
	listener net.Listener
	handler  http.Handler
}

// listenMetrics binds prometheus_listen_addr ("host:port", as CometBFT takes it; a tcp://
// prefix is accepted) when Prometheus is on; it returns nil otherwise.
func listenMetrics(cfg *config.InstrumentationConfig, m *nodeMetrics) (*metricsServer, error) {
	if m.provider == nil {
		return nil, nil
	}
	addr := cfg.PrometheusListenAddr
	if rest, ok := strings.CutPrefix(addr, "tcp://"); ok {
		addr = rest
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("instrumentation: listening on prometheus_listen_addr %q: %w", cfg.PrometheusListenAddr, err)
	}
	return &metricsServer{listener: ln, handler: m.provider.Handler(cfg.MaxOpenConnections)}, nil
}

// addr is the bound address.
func (s *metricsServer) addr() net.Addr { return s.listener.Addr() }

// close releases the listener (already closed if the server ran).
func (s *metricsServer) close() error {
	if err := s.listener.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// run serves until ctx ends, then shuts the server down (scrapes in progress get
// metricsShutdownTimeout to finish) and returns nil; it returns the error that stopped serving
// otherwise.
func (s *metricsServer) run(ctx context.Context) error {
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(s.listener) }()
	select {
	case err := <-served:
		return fmt.Errorf("instrumentation: metrics server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), metricsShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if err != nil {
		return fmt.Errorf("instrumentation: stopping the metrics server: %w", err)
	}
	return nil
}
