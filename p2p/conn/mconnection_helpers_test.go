package conn

import (
	"bufio"
	"context"
	"net"
	"sync"
	"testing"

	"github.com/ballot-bft/ballot/libs/protoio"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

type received struct {
	ch  byte
	msg []byte
}

// testPeer is an MConnection under test with its callbacks recorded.
type testPeer struct {
	mc      *MConnection
	recv    chan received
	onErr   chan error // onError calls
	result  chan error // Run's return value
	cancel  context.CancelFunc
	started bool
}

func newTestPeer(t *testing.T, c net.Conn, descs []ChannelDescriptor, cfg MConnConfig) *testPeer {
	t.Helper()
	p := &testPeer{recv: make(chan received, 100_000), onErr: make(chan error, 2), result: make(chan error, 1)}
	mc, err := NewMConnection(c, descs,
		func(ch byte, msg []byte) { p.recv <- received{ch, msg} },
		func(err error) { p.onErr <- err },
		cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.mc = mc
	return p
}

// start runs the MConnection until the test ends.
func (p *testPeer) start(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.started = true
	go func() { p.result <- p.mc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
	})
}

// stop cancels Run and returns its result.
func (p *testPeer) stop() error {
	p.cancel()
	return <-p.result
}

// testConfig is the default config with unlimited rates unless a test sets them.
func testConfig() MConnConfig {
	cfg := DefaultMConnConfig()
	cfg.SendRate, cfg.RecvRate = 0, 0
	return cfg
}

// mconnPair returns two MConnections (not yet running) over SecretConnections on a net.Pipe.
func mconnPair(t *testing.T, descsA, descsB []ChannelDescriptor, cfgA, cfgB MConnConfig) (*testPeer, *testPeer) {
	t.Helper()
	sa, sb := secretPair(t)
	return newTestPeer(t, sa, descsA, cfgA), newTestPeer(t, sb, descsB, cfgB)
}

// rawPeerConn is the far end of an MConnection, read and written packet by packet.
type rawPeerConn struct {
	conn net.Conn
	r    *protoio.Reader
	mu   sync.Mutex
	w    *protoio.Writer
}

// rawPair returns an MConnection (not running) on one end of a net.Pipe and the other end.
func rawPair(t *testing.T, descs []ChannelDescriptor, cfg MConnConfig) (*testPeer, *rawPeerConn) {
	t.Helper()
	near, far := net.Pipe()
	t.Cleanup(func() { far.Close() })
	return newTestPeer(t, near, descs, cfg), &rawPeerConn{
		conn: far,
		r:    protoio.NewDelimitedReader(bufio.NewReader(far), 1<<20),
		w:    protoio.NewDelimitedWriter(far),
	}
}

func (r *rawPeerConn) read() (*tmp2p.Packet, error) {
	var pkt tmp2p.Packet
	_, err := r.r.ReadMsg(&pkt)
	return &pkt, err
}

func (r *rawPeerConn) write(pkt *tmp2p.Packet) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.w.WriteMsg(pkt)
	return err
}

func (r *rawPeerConn) writeRaw(b []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.conn.Write(b)
	return err
}
