package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/p2p"
)

// Bound is the longest any wait of a test may take before it fails.
const Bound = 2 * time.Minute

// Network is a running test network of ballot processes.
type Network struct {
	t       testing.TB
	Dir     string
	ChainID string
	Nodes   []*Node
}

// Node is one ballot process of a Network.
type Node struct {
	Name string
	Home string
	RPC  string // http://127.0.0.1:port
	cmd  *exec.Cmd
	log  *nodeLog
	done chan struct{}
}

// StartNetwork writes a --local test network of validators and fulls (non-validating nodes) in
// a temporary directory, on free loopback ports, with short block intervals, and starts every
// node. configure, if given, may change each node's configuration before it starts (the homes of
// every node exist by then). The nodes are stopped when the test ends.
func StartNetwork(t testing.TB, bin string, validators, fulls int, configure ...func(nw *Network, i int, cfg *config.Config)) *Network {
	t.Helper()
	dir := t.TempDir()
	basePort := freePorts(t, validators+fulls)
	out, err := exec.Command(bin, "testnet", "--v", strconv.Itoa(validators), "--n", strconv.Itoa(fulls),
		"--o", dir, "--local", "--p2p-port", strconv.Itoa(basePort)).CombinedOutput()
	if err != nil {
		t.Fatalf("ballot testnet: %v\n%s", err, out)
	}
	nw := &Network{t: t, Dir: dir}
	for i := range validators + fulls {
		home := filepath.Join(dir, fmt.Sprintf("node%d", i))
		cfg, _, err := config.LoadFromHome(home)
		if err != nil {
			t.Fatal(err)
		}
		rpc := strings.Replace(cfg.RPC.ListenAddress, "tcp://", "http://", 1)
		nw.Nodes = append(nw.Nodes, &Node{Name: fmt.Sprintf("node%d", i), Home: home, RPC: rpc})
	}
	for i, n := range nw.Nodes {
		cfg, _, err := config.LoadFromHome(n.Home)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Consensus.TimeoutCommit = 300 * time.Millisecond
		cfg.LogFormat = "plain"
		for _, c := range configure {
			c(nw, i, cfg)
		}
		if err := config.WriteConfigFile(config.ConfigFile(n.Home), cfg); err != nil {
			t.Fatal(err)
		}
	}
	var genesis struct {
		ChainID string `json:"chain_id"`
	}
	b, err := os.ReadFile(filepath.Join(nw.Nodes[0].Home, "config", "genesis.json"))
	if err != nil || json.Unmarshal(b, &genesis) != nil {
		t.Fatalf("reading the genesis: %v", err)
	}
	nw.ChainID = genesis.ChainID
	for _, n := range nw.Nodes {
		n.start(t, bin)
	}
	t.Cleanup(func() {
		for _, n := range nw.Nodes {
			n.stop()
		}
		if t.Failed() {
			for _, n := range nw.Nodes {
				t.Logf("---- %s log ----\n%s", n.Name, n.log.String())
			}
		}
	})
	return nw
}

func (n *Node) start(t testing.TB, bin string) {
	t.Helper()
	n.log = newNodeLog()
	n.cmd = exec.Command(bin, "start", "--home", n.Home)
	n.cmd.Stdout, n.cmd.Stderr = n.log, n.log
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", n.Name, err)
	}
	n.done = make(chan struct{})
	go func() {
		_ = n.cmd.Wait()
		close(n.done)
	}()
}

// kill ends the process with SIGKILL and waits for it.
func (n *Node) kill() {
	_ = n.cmd.Process.Kill()
	<-n.done
}

// stop sends SIGTERM and waits for the process to exit (killing it after the bound).
func (n *Node) stop() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(Bound):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
}

// portStride is the distance between the port ranges of consecutive nodes (testnet --local).
const portStride = 10

// freePorts finds a base port from which the port ranges of n nodes are free on 127.0.0.1 right
// now (each node uses base+stride*i + 0, 1 and 4).
func freePorts(t testing.TB, n int) int {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), uint64(time.Now().UnixNano())))
	for range 100 {
		base := 21000 + rng.IntN(590)*portStride // below Linux's ephemeral ports (32768-60999): a restarted node gets its port back
		free := true
		for i := 0; i < n && free; i++ {
			for _, off := range []int{0, 1, 4} {
				ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+portStride*i+off))
				if err != nil {
					free = false
					break
				}
				ln.Close()
			}
		}
		if free {
			return base
		}
	}
	t.Fatal("no free range of loopback ports")
	return 0
}

// WaitHeight returns once every node has committed height, failing the test after the bound.
func (net *Network) WaitHeight(height int64) {
	net.t.Helper()
	for _, n := range net.Nodes {
		n.WaitHeight(net.t, height)
	}
}

// WaitHeight returns once n has committed height, failing the test after the bound.
func (n *Node) WaitHeight(t testing.TB, height int64) {
	t.Helper()
	timer := time.NewTimer(Bound)
	defer timer.Stop()
	for {
		h, next := n.log.height()
		if h >= height {
			return
		}
		select {
		case <-next:
		case <-n.done:
			t.Fatalf("%s exited before height %d", n.Name, height)
		case <-timer.C:
			t.Fatalf("%s did not commit height %d within %v (at %d)", n.Name, height, Bound, h)
		}
	}
}

// Address is the node's "id@host:port" p2p address.
func (n *Node) Address(t testing.TB) string {
	t.Helper()
	cfg, _, err := config.LoadFromHome(n.Home)
	if err != nil {
		t.Fatal(err)
	}
	key, err := p2p.LoadNodeKey(cfg.NodeKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	return string(key.ID()) + "@" + strings.TrimPrefix(cfg.P2P.ListenAddress, "tcp://")
}

// Height is the last height n committed.
func (n *Node) Height() int64 {
	h, _ := n.log.height()
	return h
}

// Get calls an RPC route by URI (path with its query, e.g. `/validators?height=5`) and decodes
// the result into out.
func (n *Node) Get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.RPC+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", n.Name, path, err)
	}
	defer resp.Body.Close()
	var body struct {
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return fmt.Errorf("%s %s: %w", n.Name, path, err)
	}
	if len(body.Error) > 0 {
		return fmt.Errorf("%s %s: %s", n.Name, path, body.Error)
	}
	return json.Unmarshal(body.Result, out)
}

// Query quotes s as a URI string parameter.
func Query(s string) string { return url.QueryEscape(`"` + s + `"`) }

// nodeLog keeps a node's output and follows its committed heights.
type nodeLog struct {
	mu      sync.Mutex
	buf     strings.Builder
	partial string
	last    int64
	next    chan struct{} // closed at the next committed height, then replaced
}

var committedRE = regexp.MustCompile(`msg="committed block" height=(\d+) `)

func newNodeLog() *nodeLog { return &nodeLog{next: make(chan struct{})} }

func (l *nodeLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	l.partial += string(p)
	for {
		line, rest, complete := strings.Cut(l.partial, "\n")
		if !complete {
			break
		}
		l.partial = rest
		if m := committedRE.FindStringSubmatch(line); m != nil {
			h, _ := strconv.ParseInt(m[1], 10, 64)
			if h > l.last {
				l.last = h
				close(l.next)
				l.next = make(chan struct{})
			}
		}
	}
	return len(p), nil
}

func (l *nodeLog) height() (int64, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last, l.next
}

func (l *nodeLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
