package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/types"
)

func TestTestnetLocal(t *testing.T) {
	out := t.TempDir()
	stdout := mustRun(t, nil, "testnet", "--v", "4", "--n", "1", "--o", out, "--local", "--p2p-port", "36656", "--home", t.TempDir())
	if !strings.Contains(stdout, "Successfully initialized 5 node directories") {
		t.Fatalf("unexpected output %q", stdout)
	}
	var firstGenesis []byte
	ids := map[string]bool{}
	ports := map[string]bool{}
	for i := 0; i < 5; i++ {
		dir := filepath.Join(out, "node"+string(rune('0'+i)))
		genesis, err := os.ReadFile(filepath.Join(dir, "config/genesis.json"))
		if err != nil {
			t.Fatal(err)
		}
		if firstGenesis == nil {
			firstGenesis = genesis
		} else if !bytes.Equal(genesis, firstGenesis) {
			t.Errorf("node%d has a different genesis", i)
		}
		cfg, unknown, err := config.LoadFromHome(dir)
		if err != nil || len(unknown) > 0 {
			t.Fatalf("node%d config: %v (unknown keys %v)", i, err, unknown)
		}
		for _, addr := range []string{cfg.P2P.ListenAddress, cfg.RPC.ListenAddress, cfg.Instrumentation.PrometheusListenAddr} {
			if !strings.Contains(addr, "127.0.0.1:") {
				t.Errorf("node%d listens on %q, want loopback", i, addr)
			}
			if ports[addr] {
				t.Errorf("node%d reuses address %s", i, addr)
			}
			ports[addr] = true
		}
		if cfg.ProxyApp != "persistent_kvstore" || cfg.P2P.AddrBookStrict || !cfg.P2P.AllowDuplicateIP {
			t.Errorf("node%d: proxy_app=%q addr_book_strict=%v allow_duplicate_ip=%v", i, cfg.ProxyApp, cfg.P2P.AddrBookStrict, cfg.P2P.AllowDuplicateIP)
		}
		if peers := strings.Split(cfg.P2P.PersistentPeers, ","); len(peers) != 4 {
			t.Errorf("node%d has %d persistent peers, want the 4 others", i, len(peers))
		}
		id := strings.TrimSpace(mustRun(t, nil, "show-node-id", "--home", dir))
		if strings.Contains(cfg.P2P.PersistentPeers, id) {
			t.Errorf("node%d lists itself as a persistent peer", i)
		}
		ids[id] = true
	}
	if len(ids) != 5 {
		t.Fatalf("node IDs are not distinct: %v", ids)
	}
	doc, err := types.GenesisDocFromJSON(firstGenesis)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Validators) != 4 || !strings.HasPrefix(doc.ChainID, "chain-") {
		t.Fatalf("genesis: %d validators, chain id %q", len(doc.Validators), doc.ChainID)
	}
	for i, v := range doc.Validators {
		if v.Power != 1 || v.Name != "node"+string(rune('0'+i)) {
			t.Errorf("validator %d: power %d name %q", i, v.Power, v.Name)
		}
	}
}

func TestTestnetHostnamesAndIPs(t *testing.T) {
	cases := []struct {
		opts      testnetOptions
		wantPeers string // node0's persistent peers, with IDs replaced by "ID"
	}{
		{testnetOptions{Validators: 3, HostnamePrefix: "node", HostnameSuffix: ".xyz.com", P2PPort: 26656, PopulatePeers: true, NodeDirPrefix: "node"},
			"ID@node1.xyz.com:26656,ID@node2.xyz.com:26656"},
		{testnetOptions{Validators: 3, StartingIP: "192.168.0.254", P2PPort: 26656, PopulatePeers: true, NodeDirPrefix: "node"},
			"ID@192.168.0.255:26656,ID@192.168.1.0:26656"},
		{testnetOptions{Validators: 2, Hostnames: []string{"alpha", "beta"}, P2PPort: 1234, PopulatePeers: true, NodeDirPrefix: "n"},
			"ID@beta:1234"},
	}
	for _, tc := range cases {
		tc.opts.OutputDir = t.TempDir()
		tc.opts.chainIDForTesting = "chain-test"
		var out bytes.Buffer
		if err := writeTestnet(tc.opts, &out, func() time.Time { return time.Unix(1700000000, 0) }); err != nil {
			t.Fatal(err)
		}
		cfg, _, err := config.LoadFromHome(filepath.Join(tc.opts.OutputDir, tc.opts.NodeDirPrefix+"0"))
		if err != nil {
			t.Fatal(err)
		}
		var masked []string
		for _, p := range strings.Split(cfg.P2P.PersistentPeers, ",") {
			_, addr, _ := strings.Cut(p, "@")
			masked = append(masked, "ID@"+addr)
		}
		if got := strings.Join(masked, ","); got != tc.wantPeers {
			t.Errorf("peers = %s, want %s", got, tc.wantPeers)
		}
	}
}

func TestTestnetBadFlags(t *testing.T) {
	for name, args := range map[string][]string{
		"no nodes":           {"--v", "0"},
		"hostname count":     {"--v", "2", "--hostname", "a"},
		"local and hostname": {"--v", "1", "--local", "--hostname", "a"},
		"ports past 65535":   {"--v", "4", "--local", "--p2p-port", "65530"},
		"bad ip":             {"--v", "2", "--starting-ip-address", "not-an-ip"},
	} {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"testnet", "--o", t.TempDir(), "--home", t.TempDir()}, args...)
			if _, err := run(t, nil, args...); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}
