package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/rpc/jsonrpc/types"
)

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSignedCert(t)
	cfg := DefaultConfig()
	cfg.TLSCertFile, cfg.TLSKeyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cfg.TLSCertFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.TLSKeyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, testRoutes(), cfg)

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + s.addr + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `{"jsonrpc":"2.0","id":-1,"result":{}}` {
		t.Fatalf("over TLS: %s", body)
	}
	// Plain HTTP to the TLS port is refused.
	if r := do(t, "GET", s.url+"/health", ""); r.status != http.StatusBadRequest {
		t.Fatalf("plain HTTP to TLS port: %d %s", r.status, r.body)
	}
}

func selfSignedCert(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ballot test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}

func TestCORS(t *testing.T) {
	rpc := config.DefaultRPCConfig()
	rpc.CORSAllowedOrigins = []string{"https://wallet.example"}
	s := startServer(t, testRoutes(), FromRPCConfig(rpc))

	get := func(origin string) http.Header {
		req, _ := http.NewRequest("GET", s.url+"/health", nil)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.Header
	}
	if got := get("https://wallet.example").Get("Access-Control-Allow-Origin"); got != "https://wallet.example" {
		t.Fatalf("allowed origin: Access-Control-Allow-Origin %q", got)
	}
	if got := get("https://evil.example").Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("other origin: Access-Control-Allow-Origin %q", got)
	}

	req, _ := http.NewRequest("OPTIONS", s.url+"/", nil)
	req.Header.Set("Origin", "https://wallet.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type") // browsers send lower case
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Methods") != "POST" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}

	// Without origins configured there are no CORS headers at all.
	plain := startServer(t, testRoutes(), DefaultConfig())
	req, _ = http.NewRequest("GET", plain.url+"/health", nil)
	req.Header.Set("Origin", "https://wallet.example")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("CORS disabled but got %q", got)
	}
}

func TestUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "rpc.sock")
	ln, err := Listen("unix://" + sock)
	if err != nil {
		t.Fatal(err)
	}
	serveOn(t, ln, testRoutes(), DefaultConfig())
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("http://unix/echo_int?arg=3")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `{"jsonrpc":"2.0","id":-1,"result":{"value":"3"}}` {
		t.Fatalf("over a unix socket: %s", body)
	}
}

func TestListenErrors(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "udp://127.0.0.1:0", "tcp://256.0.0.1:0"} {
		if ln, err := Listen(addr); err == nil {
			ln.Close()
			t.Fatalf("Listen(%q) succeeded", addr)
		}
	}
	_, err := Listen("127.0.0.1:26657")
	if err == nil || !strings.Contains(err.Error(), "tcp:// or unix://") {
		t.Fatalf("missing scheme: %v", err)
	}
}

func TestServerRun(t *testing.T) {
	routes := testRoutes()
	srv := NewServer(NewHandler(routes, nil, log.NewNop()), DefaultConfig(), log.NewNop())
	if err := srv.Run(context.Background()); err == nil {
		t.Fatal("Run without listeners succeeded")
	}
	var addrs []string
	for range 2 {
		addr, err := srv.Listen("tcp://127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, addr.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	for _, addr := range addrs {
		do(t, "GET", "http://"+addr+"/health", "").expect(t, 200, `{"jsonrpc":"2.0","id":-1,"result":{}}`)
	}
	// No websocket manager: /websocket is a plain 404.
	do(t, "GET", "http://"+addrs[0]+"/websocket", "").expect(t, 404, "404 page not found\n")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	for _, addr := range addrs {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			t.Fatalf("%s still accepting after shutdown", addr)
		}
	}
}

// TestShutdownWaitsForInFlight: a request being served when the server stops sees its
// context canceled and still gets its answer.
func TestShutdownWaitsForInFlight(t *testing.T) {
	entered := make(chan struct{})
	routes := testRoutes()
	routes["wait"] = NewRPCFunc(func(ctx *types.Context) (*resultEmpty, error) {
		close(entered)
		<-ctx.Context().Done()
		return nil, ctx.Context().Err()
	}, "")
	s := startServer(t, routes, DefaultConfig())
	answered := make(chan httpResult, 1)
	go func() { answered <- do(t, "GET", s.url+"/wait", "") }()
	<-entered
	s.stop()
	(<-answered).expect(t, 500, `{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"context canceled"}}`)
}

func TestFromRPCConfig(t *testing.T) {
	rpc := config.DefaultRPCConfig()
	rpc.TimeoutBroadcastTxCommit = 30 * time.Second
	rpc.RootDir = "/home/x"
	rpc.TLSCertFile, rpc.TLSKeyFile = "cert.pem", "/abs/key.pem"
	cfg := FromRPCConfig(rpc)
	if cfg.WriteTimeout != 31*time.Second || cfg.ReadTimeout != 10*time.Second {
		t.Fatalf("timeouts %v/%v", cfg.ReadTimeout, cfg.WriteTimeout)
	}
	if cfg.MaxOpenConnections != 900 || cfg.MaxBodyBytes != 1000000 || cfg.MaxHeaderBytes != 1<<20 || cfg.MaxRequestBatchSize != 10 {
		t.Fatalf("limits %+v", cfg)
	}
	if cfg.TLSCertFile != "/home/x/config/cert.pem" || cfg.TLSKeyFile != "/abs/key.pem" {
		t.Fatalf("TLS files %q %q", cfg.TLSCertFile, cfg.TLSKeyFile)
	}
	if len(cfg.CORSAllowedOrigins) != 0 {
		t.Fatal("CORS enabled by default")
	}
	rpc.TimeoutBroadcastTxCommit = time.Second
	if cfg := FromRPCConfig(rpc); cfg.WriteTimeout != 10*time.Second {
		t.Fatalf("write timeout %v", cfg.WriteTimeout)
	}
	var o wsOptions
	for _, opt := range WSOptionsFromRPCConfig(rpc) {
		opt(&o)
	}
	if o.writeQueueSize != 200 || o.readLimit != 1000000 {
		t.Fatalf("websocket options %+v", o)
	}
}

func TestMaxHeaderBytes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxHeaderBytes = 1024
	s := startServer(t, testRoutes(), cfg)
	req, _ := http.NewRequest("GET", s.url+"/health", nil)
	req.Header.Set("X-Big", strings.Repeat("x", 8192))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("oversized headers: HTTP %d", resp.StatusCode)
	}
}

func TestNewRPCFuncRejectsBadRoutes(t *testing.T) {
	good := func(*types.Context, int64) (*resultEmpty, error) { return nil, nil }
	for _, tc := range []struct {
		name  string
		fn    any
		names string
		opts  []Option
	}{
		{"not a function", 5, "", nil},
		{"no context", func(int64) (*resultEmpty, error) { return nil, nil }, "h", nil},
		{"one result", func(*types.Context) error { return nil }, "", nil},
		{"second result not error", func(*types.Context) (int, int) { return 0, 0 }, "", nil},
		{"variadic", func(*types.Context, ...int64) (*resultEmpty, error) { return nil, nil }, "h", nil},
		{"too few names", good, "", nil},
		{"too many names", good, "a,b", nil},
		{"empty name", func(*types.Context, int64, int64) (*resultEmpty, error) { return nil, nil }, "a,", nil},
		{"repeated name", func(*types.Context, int64, int64) (*resultEmpty, error) { return nil, nil }, "a,a", nil},
		{"cacheable unknown arg", good, "height", []Option{Cacheable("nope")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("NewRPCFunc accepted a bad route")
				}
			}()
			NewRPCFunc(tc.fn, tc.names, tc.opts...)
		})
	}
	f := NewRPCFunc(good, " height ", Cacheable("height"))
	if len(f.ArgNames()) != 1 || f.ArgNames()[0] != "height" || f.IsWSOnly() {
		t.Fatalf("names %q wsOnly %v", f.ArgNames(), f.IsWSOnly())
	}
	if !NewWSRPCFunc(good, "height").IsWSOnly() {
		t.Fatal("NewWSRPCFunc not websocket-only")
	}
}
