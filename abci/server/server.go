package server

import (
	"github.com/ballot-bft/ballot/abci/client"

	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"sync"

	"github.com/ballot-bft/ballot/abci/types"
	"github.com/ballot-bft/ballot/libs/log"
)

// MaxMessageSize is the largest request a SocketServer accepts (abci.md §2.1: 2^31−1 bytes).
const MaxMessageSize = math.MaxInt32

// SocketServer serves an Application on an ABCI socket. See the package documentation.
type SocketServer struct {
	addr   string
	app    types.Application
	logger log.Logger

	ready     chan struct{}
	readyOnce sync.Once
	mtx       sync.Mutex
	listening net.Addr
}

// NewSocketServer returns a server of app for addr ("tcp://host:port", "unix:///path" or bare
// "host:port"); it does not listen until Run. A nil logger discards.
func NewSocketServer(addr string, app types.Application, logger log.Logger) (*SocketServer, error) {
	if _, _, err := client.ParseAddr(addr); err != nil {
		return nil, err
	}
	if app == nil {
		return nil, errors.New("abci server: nil application")
	}
	if logger == nil {
		logger = log.NewNop()
	}
	return &SocketServer{addr: addr, app: app, logger: logger, ready: make(chan struct{})}, nil
}

// Ready is closed once Run or Serve accepts connections.
func (s *SocketServer) Ready() <-chan struct{} { return s.ready }

// ListenAddr returns the address the server accepts connections on (with the port the system
// chose for ":0"), or nil before Ready is closed.
func (s *SocketServer) ListenAddr() net.Addr {
	s.mtx.Lock()
	defer s.mtx.Unlock()
	return s.listening
}

// Run listens on the server's address and serves until ctx is cancelled (returning nil) or the
// listener fails (returning the error).
func (s *SocketServer) Run(ctx context.Context) error {
	ln, err := Listen(s.addr)
	if err != nil {
		return err
	}
	s.logger.Info("abci server listening", "addr", ln.Addr().String())
	return s.Serve(ctx, ln)
}

// Serve accepts connections on ln until ctx is cancelled or Accept fails, serving each on its own
// goroutine. It takes ownership of ln and closes it. On return every connection is closed and its
// goroutine has finished; the result is nil after a cancellation and Accept's error otherwise.
func (s *SocketServer) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopListening := context.AfterFunc(ctx, func() { _ = ln.Close() }) // unblocks Accept
	defer stopListening()

	s.mtx.Lock()
	s.listening = ln.Addr()
	s.mtx.Unlock()
	s.readyOnce.Do(func() { close(s.ready) })

	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			_ = ln.Close() // the listener is broken; nothing more to report
			return fmt.Errorf("abci server: accepting: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveConn(ctx, conn)
		}()
	}
}

// serveConn serves one connection until the peer leaves, a request fails, or ctx ends.
func (s *SocketServer) serveConn(ctx context.Context, conn net.Conn) {
	logger := s.logger.With("remote", conn.RemoteAddr().String())
	logger.Debug("abci connection accepted")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() }) // unblocks reads and writes
	defer stop()

	err := serveStream(ctx, s.app, bufio.NewReaderSize(conn, bufferSize), conn)
	if closeErr := conn.Close(); closeErr != nil && err == nil && ctx.Err() == nil {
		err = closeErr
	}
	switch {
	case err == nil, ctx.Err() != nil:
		logger.Debug("abci connection closed")
	case errors.Is(err, errRequestFailed):
		logger.Error("abci request failed, closed the connection after an exception", "err", err)
	default:
		logger.Debug("abci connection closed", "err", err)
	}
}
