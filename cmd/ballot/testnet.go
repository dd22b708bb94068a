package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/types"
)

// testnetOptions are the flags of `ballot testnet`; all but Local match `cometbft testnet`.
type testnetOptions struct {
	Validators        int
	NonValidators     int
	OutputDir         string
	NodeDirPrefix     string
	HostnamePrefix    string
	HostnameSuffix    string
	Hostnames         []string
	StartingIP        string
	P2PPort           int
	PopulatePeers     bool
	RandomMonikers    bool
	InitialHeight     int64
	ConfigTemplate    string
	Local             bool
	LocalPortStride   int
	LocalBuiltinApp   string
	chainIDForTesting string // set by tests for reproducible output
}

func newTestnetCmd(e *env) *cobra.Command {
	opts := testnetOptions{}
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Write the home directories of a local test network",
		Long: `Write the home directories of a test network: one per node, each with keys and config,
sharing one genesis file in which every validator has power 1.

With --local every node listens on 127.0.0.1 with its own ports, so the whole network runs on one
machine: node i uses p2p port P+S*i, RPC port P+1+S*i and metrics port P+4+S*i, where P is
--p2p-port and S is --local-port-stride, and runs the built-in kvstore application.

'ballot testnet run' then runs every node of the directory as a process.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return writeTestnet(opts, e.stdout, time.Now)
		},
	}
	cmd.AddCommand(newTestnetRunCmd(e))
	f := cmd.Flags()
	f.IntVar(&opts.Validators, "v", 4, "number of validators to initialize the testnet with")
	f.IntVar(&opts.NonValidators, "n", 0, "number of non-validators to initialize the testnet with")
	f.StringVar(&opts.OutputDir, "o", "./mytestnet", "directory to store initialization data for the testnet")
	f.StringVar(&opts.NodeDirPrefix, "node-dir-prefix", "node", "prefix of the node directories (node0, node1, ...)")
	f.StringVar(&opts.HostnamePrefix, "hostname-prefix", "node", "hostname prefix (\"node\" results in persistent peers list ID0@node0:26656, ID1@node1:26656, ...)")
	f.StringVar(&opts.HostnameSuffix, "hostname-suffix", "", "hostname suffix (\".xyz.com\" results in persistent peers list ID0@node0.xyz.com:26656, ...)")
	f.StringArrayVar(&opts.Hostnames, "hostname", nil, "hostname or IP of each node, repeated once per node (overrides the prefix and suffix)")
	f.StringVar(&opts.StartingIP, "starting-ip-address", "", "starting IP address (\"192.168.0.1\" results in persistent peers list ID0@192.168.0.1:26656, ID1@192.168.0.2:26656, ...)")
	f.IntVar(&opts.P2PPort, "p2p-port", 26656, "P2P port")
	f.BoolVar(&opts.PopulatePeers, "populate-persistent-peers", true, "update config of every node with the other nodes as persistent peers")
	f.BoolVar(&opts.RandomMonikers, "random-monikers", false, "randomize the moniker of each node")
	f.Int64Var(&opts.InitialHeight, "initial-height", 0, "initial height of the first block")
	f.StringVar(&opts.ConfigTemplate, "config", "", "config.toml to use as the template for every node")
	f.BoolVar(&opts.Local, "local", false, "run every node on 127.0.0.1 with its own ports and the built-in kvstore app")
	f.IntVar(&opts.LocalPortStride, "local-port-stride", 10, "with --local: how far apart the port ranges of consecutive nodes are")
	f.StringVar(&opts.LocalBuiltinApp, "local-app", "persistent_kvstore", "with --local: proxy_app of every node")
	return cmd
}

// testnetNode is one node being written.
type testnetNode struct {
	dir     string
	cfg     *config.Config
	host    string
	p2pPort int
	id      string
	pubKey  crypto.PubKey
}

func (o testnetOptions) validate() error {
	switch {
	case o.Validators < 0 || o.NonValidators < 0:
		return fmt.Errorf("--v and --n can't be negative (got %d and %d)", o.Validators, o.NonValidators)
	case o.Validators+o.NonValidators == 0:
		return errors.New("a testnet needs at least one node: set --v or --n")
	case len(o.Hostnames) > 0 && len(o.Hostnames) != o.Validators+o.NonValidators:
		return fmt.Errorf("--hostname was given %d times, but the testnet has %d nodes (--v + --n)", len(o.Hostnames), o.Validators+o.NonValidators)
	case o.StartingIP != "" && len(o.Hostnames) > 0:
		return errors.New("--starting-ip-address and --hostname can't be used together")
	case o.Local && (o.StartingIP != "" || len(o.Hostnames) > 0):
		return errors.New("--local can't be combined with --starting-ip-address or --hostname")
	case o.P2PPort <= 0 || o.P2PPort > 65535:
		return fmt.Errorf("--p2p-port must be a port number (got %d)", o.P2PPort)
	case o.InitialHeight < 0:
		return fmt.Errorf("--initial-height can't be negative (got %d)", o.InitialHeight)
	case o.Local && o.LocalPortStride < 5:
		return fmt.Errorf("--local-port-stride must be at least 5 (got %d)", o.LocalPortStride)
	}
	if o.Local {
		last := o.P2PPort + o.LocalPortStride*(o.Validators+o.NonValidators-1) + 4
		if last > 65535 {
			return fmt.Errorf("--local: node ports would reach %d, past 65535; lower --p2p-port or --local-port-stride", last)
		}
	}
	return nil
}

// writeTestnet writes the node directories, a shared genesis file, and per-node configs.
func writeTestnet(o testnetOptions, out io.Writer, now func() time.Time) error {
	if err := o.validate(); err != nil {
		return err
	}
	total := o.Validators + o.NonValidators
	nodes := make([]*testnetNode, total)
	for i := range nodes {
		n, err := o.prepareNode(i)
		if err != nil {
			return err
		}
		nodes[i] = n
	}

	chainID := o.chainIDForTesting
	if chainID == "" {
		var err error
		if chainID, err = randomChainID("chain-"); err != nil {
			return err
		}
	}
	doc := &types.GenesisDoc{
		ChainID:         chainID,
		GenesisTime:     now().UTC(),
		InitialHeight:   o.InitialHeight,
		ConsensusParams: types.DefaultConsensusParams(),
	}
	for i, n := range nodes[:o.Validators] {
		doc.Validators = append(doc.Validators, types.GenesisValidator{
			Address: n.pubKey.Address(),
			PubKey:  n.pubKey,
			Power:   1,
			Name:    o.nodeDirName(i),
		})
	}
	for _, n := range nodes {
		if err := doc.SaveAs(n.cfg.GenesisFile()); err != nil {
			return err
		}
	}

	for i, n := range nodes {
		if err := o.finishConfig(i, n, nodes); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(out, "Successfully initialized %d node directories\n", total)
	return err
}

func (o testnetOptions) nodeDirName(i int) string { return o.NodeDirPrefix + strconv.Itoa(i) }

// prepareNode creates node i's directories and keys.
func (o testnetOptions) prepareNode(i int) (*testnetNode, error) {
	dir := filepath.Join(o.OutputDir, o.nodeDirName(i))
	cfg, err := o.baseConfig()
	if err != nil {
		return nil, err
	}
	cfg.SetRoot(dir)
	for _, sub := range []string{filepath.Dir(cfg.GenesisFile()), cfg.DBDir()} {
		if err := os.MkdirAll(sub, 0o700); err != nil {
			return nil, fmt.Errorf("creating %s: %w", sub, err)
		}
	}
	quiet := log.NewNop() // testnet prints one summary line, like cometbft's
	pv, err := loadOrGenPrivValidator(cfg, quiet)
	if err != nil {
		return nil, err
	}
	key, err := loadOrGenNodeKey(cfg, quiet)
	if err != nil {
		return nil, err
	}
	pubKey, err := pv.PubKey()
	if err != nil {
		return nil, err
	}
	host, err := o.host(i)
	if err != nil {
		return nil, err
	}
	port := o.P2PPort
	if o.Local {
		port += o.LocalPortStride * i
	}
	return &testnetNode{dir: dir, cfg: cfg, host: host, p2pPort: port, id: string(key.ID()), pubKey: pubKey}, nil
}

func (o testnetOptions) baseConfig() (*config.Config, error) {
	if o.ConfigTemplate == "" {
		return config.DefaultConfig(), nil
	}
	cfg, _, err := config.Load(o.ConfigTemplate)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	return cfg, nil
}

// host returns the address peers use to reach node i.
func (o testnetOptions) host(i int) (string, error) {
	switch {
	case o.Local:
		return "127.0.0.1", nil
	case len(o.Hostnames) > 0:
		return o.Hostnames[i], nil
	case o.StartingIP != "":
		ip := net.ParseIP(o.StartingIP).To4()
		if ip == nil {
			return "", fmt.Errorf("--starting-ip-address %q is not an IPv4 address", o.StartingIP)
		}
		next := make(net.IP, len(ip))
		copy(next, ip)
		for j := 0; j < i; j++ {
			for k := len(next) - 1; k >= 0; k-- {
				next[k]++
				if next[k] != 0 {
					break
				}
			}
		}
		return next.String(), nil
	default:
		return o.HostnamePrefix + strconv.Itoa(i) + o.HostnameSuffix, nil
	}
}

// finishConfig sets node i's moniker, peers and (with --local) ports, and writes its config.toml.
func (o testnetOptions) finishConfig(i int, n *testnetNode, nodes []*testnetNode) error {
	cfg := n.cfg
	cfg.P2P.AddrBookStrict = false
	cfg.P2P.AllowDuplicateIP = true
	switch {
	case o.RandomMonikers || o.StartingIP != "":
		moniker, err := randomString(16, "0123456789abcdef")
		if err != nil {
			return err
		}
		cfg.Moniker = moniker
	case len(o.Hostnames) > 0:
		cfg.Moniker = o.Hostnames[i]
	default:
		cfg.Moniker = o.HostnamePrefix + strconv.Itoa(i) + o.HostnameSuffix
	}
	if o.PopulatePeers {
		peers := make([]string, 0, len(nodes)-1)
		for j, other := range nodes {
			if j != i {
				peers = append(peers, fmt.Sprintf("%s@%s", other.id, net.JoinHostPort(other.host, strconv.Itoa(other.p2pPort))))
			}
		}
		cfg.P2P.PersistentPeers = strings.Join(peers, ",")
	}
	if o.Local {
		base := n.p2pPort
		cfg.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", base)
		cfg.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", base+1)
		cfg.Instrumentation.PrometheusListenAddr = fmt.Sprintf("127.0.0.1:%d", base+4)
		cfg.ProxyApp = o.LocalBuiltinApp
	} else {
		cfg.P2P.ListenAddress = fmt.Sprintf("tcp://0.0.0.0:%d", o.P2PPort)
	}
	return config.WriteConfigFile(config.ConfigFile(n.dir), cfg)
}
