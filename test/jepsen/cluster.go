package jepsen

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/p2p"
)

// Spec describes a cluster to build.
type Spec struct {
	Bin        string // the ballot binary
	Dir        string // homes go to Dir/nodes, node logs to Dir/logs
	Validators int    // nodes 0..Validators-1 are validators of power 1
	FullNodes  int    // the next nodes are full nodes
	Ports      *Ports
	// Configure, if set, edits every node's config after the harness's own settings.
	Configure func(*config.Config) error
}

// Cluster is a local network of ballot processes whose peer links all run through the fault
// layer: node i reaches node j only through the proxy of Link{i, j}. Close stops everything.
type Cluster struct {
	Nodes  []*Node
	Faults *Faults
	Clock  *Clock

	proxies []*Proxy
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu      sync.Mutex
	changed chan struct{} // closed and replaced after every commit or exit of any node
}

// ConsensusTimeouts of the harness's chains: fast blocks on loopback that still leave two
// shared cores time to gossip.
func setTimeouts(cfg *config.Config) {
	cs := cfg.Consensus
	cs.TimeoutPropose = 600 * time.Millisecond
	cs.TimeoutProposeDelta = 100 * time.Millisecond
	cs.TimeoutPrevote = 200 * time.Millisecond
	cs.TimeoutPrevoteDelta = 100 * time.Millisecond
	cs.TimeoutPrecommit = 200 * time.Millisecond
	cs.TimeoutPrecommitDelta = 100 * time.Millisecond
	cs.TimeoutCommit = 150 * time.Millisecond
}

// NewCluster writes the homes with `ballot testnet`, rewrites every config.toml (ports of the
// range, persistent peers at the proxies, pex off, JSON logs, fast timeouts) and starts the
// proxies. It starts no node.
func NewCluster(ctx context.Context, spec Spec) (c *Cluster, err error) {
	n := spec.Validators + spec.FullNodes
	if spec.Validators < 1 || spec.FullNodes < 0 {
		return nil, fmt.Errorf("jepsen: a cluster needs at least one validator (got %d validators, %d full nodes)", spec.Validators, spec.FullNodes)
	}
	homes, logs := filepath.Join(spec.Dir, "nodes"), filepath.Join(spec.Dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, spec.Bin, "testnet", "--v", strconv.Itoa(spec.Validators), "--n", strconv.Itoa(spec.FullNodes),
		"--o", homes, "--local", "--hostname-prefix", "node")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("ballot testnet: %w\n%s", err, out)
	}
	pctx, cancel := context.WithCancel(context.Background())
	c = &Cluster{Faults: NewFaults(), Clock: NewClock(), cancel: cancel, changed: make(chan struct{})}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	for i := range n {
		node := &Node{Index: i, Name: "node" + strconv.Itoa(i), Validator: i < spec.Validators, Home: filepath.Join(homes, "node"+strconv.Itoa(i)),
			bin: spec.Bin, logDir: logs, clock: c.Clock, changed: c.notify, byHeight: map[int64]Commit{}}
		key, err := p2p.LoadNodeKey(filepath.Join(node.Home, "config", "node_key.json"))
		if err != nil {
			return nil, err
		}
		node.ID = string(key.ID())
		if node.P2PAddr, err = spec.Ports.Take(); err != nil {
			return nil, err
		}
		if node.RPCAddr, err = spec.Ports.Take(); err != nil {
			return nil, err
		}
		node.RPC = NewRPC(node.RPCAddr)
		c.Nodes = append(c.Nodes, node)
	}
	peers := make([][]string, n)
	for i := range n {
		for j := range n {
			if i == j {
				continue
			}
			ln, err := spec.Ports.Listen()
			if err != nil {
				return nil, err
			}
			p := NewProxy(c.Faults, ln, Link{From: i, To: j}, c.Nodes[j].P2PAddr)
			c.proxies = append(c.proxies, p)
			peers[i] = append(peers[i], c.Nodes[j].ID+"@"+p.Addr())
		}
	}
	for _, p := range c.proxies {
		c.wg.Go(func() { _ = p.Run(pctx) })
	}
	for i, node := range c.Nodes {
		if err := writeNodeConfig(node, strings.Join(peers[i], ","), spec.Configure); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// writeNodeConfig rewrites node's config.toml for the harness.
func writeNodeConfig(node *Node, peers string, configure func(*config.Config) error) error {
	path := config.ConfigFile(node.Home)
	cfg, _, err := config.Load(path)
	if err != nil {
		return fmt.Errorf("%s: %w", node.Name, err)
	}
	cfg.Moniker = node.Name
	cfg.LogFormat = config.LogFormatJSON
	cfg.LogLevel = "info"
	cfg.ProxyApp = "persistent_kvstore"
	cfg.P2P.ListenAddress = "tcp://" + node.P2PAddr
	cfg.P2P.ExternalAddress = ""
	cfg.P2P.PersistentPeers = peers
	cfg.P2P.PexReactor = false
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.AllowDuplicateIP = true
	cfg.P2P.PersistentPeersMaxDialPeriod = 2 * time.Second
	cfg.P2P.DialTimeout = 2 * time.Second
	cfg.P2P.HandshakeTimeout = 5 * time.Second
	cfg.RPC.ListenAddress = "tcp://" + node.RPCAddr
	cfg.RPC.TimeoutBroadcastTxCommit = 5 * time.Second
	cfg.Instrumentation.Prometheus = false
	setTimeouts(cfg)
	if configure != nil {
		if err := configure(cfg); err != nil {
			return fmt.Errorf("%s: %w", node.Name, err)
		}
	}
	if err := config.WriteConfigFile(path, cfg); err != nil {
		return fmt.Errorf("%s: %w", node.Name, err)
	}
	return nil
}

// notify wakes everyone waiting for a change of the cluster.
func (c *Cluster) notify() {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.changed)
	c.changed = make(chan struct{})
}

// WaitUntil waits until cond holds, evaluating it after every commit or exit of a node. It
// returns ctx's error if ctx is done first.
func (c *Cluster) WaitUntil(ctx context.Context, cond func() bool) error {
	for {
		c.mu.Lock()
		ch := c.changed
		c.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// MaxHeight is the highest height any node logged as committed.
func (c *Cluster) MaxHeight() int64 {
	var h int64
	for _, n := range c.Nodes {
		h = max(h, n.Height())
	}
	return h
}

// WaitHeight waits until every node of nodes has logged a committed block of at least height.
func (c *Cluster) WaitHeight(ctx context.Context, nodes []int, height int64) error {
	err := c.WaitUntil(ctx, func() bool {
		for _, i := range nodes {
			if c.Nodes[i].Height() < height {
				return false
			}
		}
		return true
	})
	if err != nil {
		var behind []string
		for _, i := range nodes {
			if h := c.Nodes[i].Height(); h < height {
				behind = append(behind, fmt.Sprintf("%s at %d (%s)", c.Nodes[i].Name, h, c.Nodes[i].State()))
			}
		}
		return fmt.Errorf("waiting for height %d: %w; behind: %s", height, err, strings.Join(behind, ", "))
	}
	return nil
}

// All returns the indexes of every node.
func (c *Cluster) All() []int {
	all := make([]int, len(c.Nodes))
	for i := range all {
		all[i] = i
	}
	return all
}

// Validators returns the indexes of the validators.
func (c *Cluster) Validators() []int {
	var vs []int
	for _, n := range c.Nodes {
		if n.Validator {
			vs = append(vs, n.Index)
		}
	}
	return vs
}

// FullNodes returns the indexes of the full nodes.
func (c *Cluster) FullNodes() []int {
	var fs []int
	for _, n := range c.Nodes {
		if !n.Validator {
			fs = append(fs, n.Index)
		}
	}
	return fs
}

// ProxyStats returns every proxy's counters by link.
func (c *Cluster) ProxyStats() map[Link]ProxyStats {
	out := map[Link]ProxyStats{}
	for _, p := range c.proxies {
		out[p.link] = p.Stats()
	}
	return out
}

// Close kills every node still running (SIGKILL), stops the proxies and waits for them.
func (c *Cluster) Close() {
	for _, n := range c.Nodes {
		n.Kill()
	}
	c.cancel()
	c.wg.Wait()
}
