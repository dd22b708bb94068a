package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/cors"
	"golang.org/x/net/netutil"

	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

// uriID is the id of every URI-transport response and of panic responses.
var uriID = types.IntID(-1)

// Listen opens a listener for "tcp://host:port" or "unix:///path/to.sock".
func Listen(addr string) (net.Listener, error) {
	scheme, rest, ok := strings.Cut(addr, "://")
	if !ok || (scheme != "tcp" && scheme != "unix") {
		return nil, fmt.Errorf("invalid listening address %s (use fully formed addresses, including the tcp:// or unix:// prefix)", addr)
	}
	ln, err := net.Listen(scheme, rest)
	if err != nil {
		return nil, fmt.Errorf("failed to listen on %v: %w", addr, err)
	}
	return ln, nil
}

// Serve serves handler on ln until ctx ends, then shuts down: in-flight requests and
// websocket connections see their context canceled, the listener closes, and connections
// still open after cfg.ShutdownTimeout are closed. It returns nil after a shutdown caused
// by ctx, or the error that stopped serving.
//
// handler is wrapped so that every response carries X-Server-Time, bodies are capped at
// cfg.MaxBodyBytes (-32600, HTTP 400), JSON-RPC batches at cfg.MaxRequestBatchSize, and a
// panic becomes -32603 with id -1 and HTTP 500 instead of a dropped connection. CORS
// headers are added when cfg enables CORS, connections are capped at
// cfg.MaxOpenConnections and TLS is used when cfg names a certificate and key. Serve
// owns ln and closes it.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, cfg *Config, logger log.Logger) error {
	if cfg.MaxOpenConnections > 0 {
		ln = netutil.LimitListener(ln, cfg.MaxOpenConnections)
	}
	if len(cfg.CORSAllowedOrigins) > 0 {
		handler = cors.New(cors.Options{
			AllowedOrigins: cfg.CORSAllowedOrigins,
			AllowedMethods: cfg.CORSAllowedMethods,
			AllowedHeaders: cfg.CORSAllowedHeaders,
		}).Handler(handler)
	}
	baseCtx, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           recoverHandler(preChecks(handler, cfg), logger),
		ReadTimeout:       cfg.ReadTimeout,
		ReadHeaderTimeout: cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ErrorLog:          stdlog.New(logWriter{logger}, "", 0),
	}

	shutdownDone := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(shutdownDone)
		cancelBase() // in-flight handlers and websockets wind down
		timeout := cfg.ShutdownTimeout
		if timeout <= 0 {
			timeout = DefaultConfig().ShutdownTimeout
		}
		shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			logger.Info("RPC server did not shut down gracefully", "err", err)
			_ = srv.Close()
		}
	})

	logger.Info("Starting RPC HTTP server", "addr", ln.Addr().String(), "tls", cfg.TLSCertFile != "")
	var err error
	if cfg.TLSCertFile != "" && cfg.TLSKeyFile != "" {
		err = srv.ServeTLS(ln, cfg.TLSCertFile, cfg.TLSKeyFile)
	} else {
		err = srv.Serve(ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		<-shutdownDone
		return nil
	}
	if stop() {
		_ = srv.Close()
	} else {
		<-shutdownDone
	}
	return err
}

// Server serves one handler on any number of listeners.
type Server struct {
	handler   http.Handler
	cfg       *Config
	logger    log.Logger
	mu        sync.Mutex
	listeners []net.Listener
}

// NewServer returns a server for handler (typically from NewHandler). It listens on
// nothing until Listen is called.
func NewServer(handler http.Handler, cfg *Config, logger log.Logger) *Server {
	return &Server{handler: handler, cfg: cfg, logger: logger}
}

// Listen binds one more address ("tcp://…" or "unix://…") and returns the bound address
// (useful with port 0). Call it before Run.
func (s *Server) Listen(laddr string) (net.Addr, error) {
	ln, err := Listen(laddr)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.listeners = append(s.listeners, ln)
	s.mu.Unlock()
	return ln.Addr(), nil
}

// Run serves every bound listener until ctx ends (then returns nil once all have shut
// down) or one of them fails (then the others are shut down and that error returned).
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	listeners := s.listeners
	s.listeners = nil
	s.mu.Unlock()
	if len(listeners) == 0 {
		return errors.New("rpc server: no listeners (call Listen first)")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(listeners))
	for _, ln := range listeners {
		go func() {
			err := Serve(ctx, ln, s.handler, s.cfg, s.logger)
			if err != nil {
				cancel()
			}
			errs <- err
		}()
	}
	var first error
	for range listeners {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// preChecks reads the whole body under the MaxBodyBytes cap (an oversized or unreadable
// body gets -32600, HTTP 400) and rejects batches over MaxRequestBatchSize with one
// -32600 response (HTTP 200), as CometBFT v0.38 does for every path.
func preChecks(next http.Handler, cfg *Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, cfg.MaxBodyBytes))
		if err != nil {
			writeHTTPError(w, http.StatusBadRequest,
				types.RPCInvalidRequestError(types.ID{}, fmt.Errorf("error reading request body: %w", err)))
			return
		}
		if cfg.MaxRequestBatchSize > 0 && isBatch(body) {
			var batch []json.RawMessage
			if json.Unmarshal(body, &batch) == nil && len(batch) > cfg.MaxRequestBatchSize {
				writeResponses(w, false, types.RPCInvalidRequestError(types.ID{},
					fmt.Errorf("batch request exceeds maximum (%d) allowed number of requests", cfg.MaxRequestBatchSize)))
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// isBatch reports whether a body looks like a JSON array.
func isBatch(body []byte) bool {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '['
}

// recoverHandler stamps X-Server-Time and turns a panic into -32603 with id -1 and HTTP
// 500 (when nothing was written yet).
func recoverHandler(next http.Handler, logger log.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Server-Time", strconv.FormatInt(time.Now().Unix(), 10))
		rw := &statusWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
				panic(p)
			}
			logger.Error("Panic in RPC HTTP handler", "panic", p, "stack", string(debug.Stack()))
			if !rw.wroteHeader {
				writeHTTPError(rw, http.StatusInternalServerError, types.RPCInternalError(uriID, panicError(p)))
			}
		}()
		next.ServeHTTP(rw, r)
	})
}

// panicError turns a recovered value into an error.
func panicError(p any) error {
	switch v := p.(type) {
	case error:
		return v
	case string:
		return errors.New(v)
	case fmt.Stringer:
		return errors.New(v.String())
	default:
		return fmt.Errorf("%v", v)
	}
}

// statusWriter remembers whether the header was written; it passes Hijack and Flush
// through so websockets and streaming still work.
type statusWriter struct {
	http.ResponseWriter
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	w.wroteHeader = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (Flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection over (websocket upgrades).
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.wroteHeader = true
	}
	return conn, rw, err
}

// writeHTTPError writes one error response with the given HTTP status.
func writeHTTPError(w http.ResponseWriter, status int, resp types.RPCResponse) {
	body, err := json.Marshal(resp)
	if err != nil {
		panic(fmt.Sprintf("rpc: cannot encode an error response: %v", err)) // plain strings and ints always encode
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeResponses writes responses with HTTP 200: one response as an object, several as an
// array (as CometBFT does — so a batch that yields one response gets an object).
func writeResponses(w http.ResponseWriter, cacheable bool, responses ...types.RPCResponse) {
	var v any = responses
	if len(responses) == 1 {
		v = responses[0]
	}
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("rpc: cannot encode responses: %v", err)) // results are pre-encoded JSON
	}
	w.Header().Set("Content-Type", "application/json")
	if cacheable {
		w.Header().Set("Cache-Control", "public, max-age=86400")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// logWriter sends net/http's own log lines (TLS handshake errors and the like) to the
// logger at debug level.
type logWriter struct{ logger log.Logger }

func (l logWriter) Write(p []byte) (int, error) {
	l.logger.Debug("RPC HTTP server", "msg", strings.TrimSpace(string(p)))
	return len(p), nil
}
