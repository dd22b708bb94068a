package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/privval"
	"github.com/ballot-bft/ballot/test/crash"
)

var ballotBin string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ballot-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if ballotBin, err = crash.Build(context.Background(), "../..", filepath.Join(dir, "ballot")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

type validatorJSON struct {
	Address     string `json:"address"`
	VotingPower string `json:"voting_power"`
}

type validatorsResult struct {
	BlockHeight string          `json:"block_height"`
	Validators  []validatorJSON `json:"validators"`
	Total       string          `json:"total"`
}

// powers returns the validator set at height as address → power, as node n reports it.
func powers(t *testing.T, n *Node, height int64) map[string]string {
	t.Helper()
	var res validatorsResult
	if err := n.Get(t.Context(), fmt.Sprintf("/validators?height=%d&per_page=100", height), &res); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, v := range res.Validators {
		out[v.Address] = v.VotingPower
	}
	return out
}

func loadKey(t *testing.T, home string) *privval.FilePV {
	t.Helper()
	pv, err := privval.LoadFilePVEmptyState(filepath.Join(home, "config", "priv_validator_key.json"), filepath.Join(t.TempDir(), "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	return pv
}

// A "val=" transaction changes the validator set at H+2 on every node, where H is the height of
// the block holding it: a full node joins the set, then a validator's power changes, then the
// newcomer leaves.
func TestValidatorUpdatesTakeEffectAtHPlus2(t *testing.T) {
	net := StartNetwork(t, ballotBin, 4, 1)
	net.WaitHeight(2)
	newcomer := net.Nodes[4]
	key, err := loadKey(t, newcomer.Home).PubKey()
	if err != nil {
		t.Fatal(err)
	}
	addr := key.Address().String()
	b64 := base64.StdEncoding.EncodeToString(key.Bytes())

	previous := "" // the newcomer's power before the step's change
	for step, change := range []struct {
		power string
		want  string // the newcomer's power in the set from H+2 ("" = not in the set)
	}{{"3", "3"}, {"7", "7"}, {"0", ""}} {
		tx := fmt.Sprintf("val=ed25519!%s!%s", b64, change.power)
		var res struct {
			Height   string `json:"height"`
			TxResult struct {
				Code int    `json:"code"`
				Log  string `json:"log"`
			} `json:"tx_result"`
		}
		if err := net.Nodes[step%4].Get(t.Context(), "/broadcast_tx_commit?tx="+Query(tx), &res); err != nil {
			t.Fatal(err)
		}
		if res.TxResult.Code != 0 {
			t.Fatalf("%s: code %d %s", tx, res.TxResult.Code, res.TxResult.Log)
		}
		var h int64
		fmt.Sscan(res.Height, &h)
		net.WaitHeight(h + 2)
		for _, n := range net.Nodes {
			before, after := powers(t, n, h+1)[addr], powers(t, n, h+2)[addr]
			if after != change.want {
				t.Errorf("step %d: %s reports the newcomer's power at H+2=%d as %q, want %q", step, n.Name, h+2, after, change.want)
			}
			if before != previous {
				t.Errorf("step %d: %s reports the newcomer's power at H+1=%d as %q, want the old %q", step, n.Name, h+1, before, previous)
			}
		}
		previous = change.want
		if change.want != "" { // the newcomer signs the commit of H+2
			var commit struct {
				SignedHeader struct {
					Commit struct {
						Signatures []struct {
							Flag    int    `json:"block_id_flag"`
							Address string `json:"validator_address"`
						} `json:"signatures"`
					} `json:"commit"`
				} `json:"signed_header"`
			}
			net.WaitHeight(h + 3)
			if err := net.Nodes[0].Get(t.Context(), fmt.Sprintf("/commit?height=%d", h+2), &commit); err != nil {
				t.Fatal(err)
			}
			signed := false
			for _, s := range commit.SignedHeader.Commit.Signatures {
				signed = signed || (s.Address == addr && s.Flag == 2)
			}
			if !signed {
				t.Errorf("step %d: the newcomer did not sign the commit of height %d", step, h+2)
			}
		}
	}
}

// A validator that signs two different prevotes at one height and round is caught: the node that
// sees both makes DuplicateVoteEvidence, it is gossiped and committed in a block, and the
// application, told of the misbehavior, lowers the validator's power (the kvstore removes it).
func TestEquivocationEndsUpInABlock(t *testing.T) {
	net := StartNetwork(t, ballotBin, 4, 0)
	net.WaitHeight(2)
	target, culprit := net.Nodes[0], net.Nodes[3]
	key, err := loadKey(t, culprit.Home).PubKey()
	if err != nil {
		t.Fatal(err)
	}
	addr := key.Address().String()
	index := int32(-1)
	var vals validatorsResult
	if err := target.Get(t.Context(), "/validators", &vals); err != nil {
		t.Fatal(err)
	}
	for i, v := range vals.Validators {
		if v.Address == addr {
			index = int32(i)
		}
	}
	if index < 0 {
		t.Fatalf("%s is not in the validator set %+v", addr, vals.Validators)
	}

	inj := NewInjector(t, net.ChainID, culprit.Home, target)
	// Once the target holds the culprit's round-0 prevote of its current height, a second,
	// different prevote of the culprit conflicts with it. (Sent earlier, the second one would be
	// the one held, and peers would never send the culprit's own: they gossip by validator index.)
	var evidenceHeight int64
	first := inj.NextHeight(t, 0)
	for h := first; evidenceHeight == 0; h = inj.NextHeight(t, h) {
		if h > first+20 {
			t.Fatalf("no block of heights %d-%d held evidence of the equivocation", first, h)
		}
		if inj.WaitPrevote(t, h, index) {
			inj.Prevote(t, h, index)
		}
		evidenceHeight = findEvidence(t, target, h-1, addr)
	}
	t.Logf("evidence of %s committed in block %d", addr, evidenceHeight)

	net.WaitHeight(evidenceHeight + 2)
	for _, n := range net.Nodes {
		if p, ok := powers(t, n, evidenceHeight+2)[addr]; ok {
			t.Errorf("%s: the culprit is still a validator at H+2 (power %s)", n.Name, p)
		}
		if _, ok := powers(t, n, evidenceHeight+1)[addr]; !ok {
			t.Errorf("%s: the culprit left the set before H+2", n.Name)
		}
	}
}

// findEvidence looks through the blocks the target has committed up to height for
// DuplicateVoteEvidence against addr, returning the height of the block holding it (0: none).
func findEvidence(t *testing.T, n *Node, upTo int64, addr string) int64 {
	t.Helper()
	for h := max(upTo-3, 1); h <= upTo; h++ {
		var res struct {
			Block struct {
				Evidence struct {
					Evidence []struct {
						Type  string `json:"type"`
						Value struct {
							VoteA struct {
								Address string `json:"validator_address"`
							} `json:"vote_a"`
						} `json:"value"`
					} `json:"evidence"`
				} `json:"evidence"`
			} `json:"block"`
		}
		if err := n.Get(t.Context(), fmt.Sprintf("/block?height=%d", h), &res); err != nil {
			t.Fatal(err)
		}
		for _, ev := range res.Block.Evidence.Evidence {
			if ev.Type == "tendermint/DuplicateVoteEvidence" && ev.Value.VoteA.Address == addr {
				return h
			}
		}
	}
	return 0
}

// A validator killed with -9 comes back on the same chain; a wiped one catches up through block
// sync and goes on signing.
func TestKilledAndWipedValidatorsRejoin(t *testing.T) {
	net := StartNetwork(t, ballotBin, 4, 0)
	net.WaitHeight(3)
	node := net.Nodes[3]

	node.kill()
	node.start(t, ballotBin)
	target := net.Nodes[0].Height() + 3
	net.WaitHeight(target)

	node.stop()
	if out, err := exec.Command(ballotBin, "unsafe-reset-all", "--home", node.Home).CombinedOutput(); err != nil {
		t.Fatalf("unsafe-reset-all: %v\n%s", err, out)
	}
	node.start(t, ballotBin)
	target = net.Nodes[0].Height() + 3
	net.WaitHeight(target)
	if !strings.Contains(node.log.String(), "blocks_synced=") || strings.Contains(node.log.String(), "blocks_synced=0 ") {
		t.Errorf("the wiped node did not catch up through block sync:\n%s", node.log.String())
	}
	var hashes []string
	for _, n := range net.Nodes {
		var res struct {
			BlockID struct {
				Hash string `json:"hash"`
			} `json:"block_id"`
		}
		if err := n.Get(t.Context(), fmt.Sprintf("/block?height=%d", target), &res); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, res.BlockID.Hash)
	}
	for _, h := range hashes[1:] {
		if h != hashes[0] {
			t.Fatalf("the nodes disagree on block %d: %v", target, hashes)
		}
	}
}

// Validators that know only a seed node find each other through peer exchange and make blocks.
func TestValidatorsFindEachOtherThroughASeed(t *testing.T) {
	net := StartNetwork(t, ballotBin, 4, 1, func(nw *Network, i int, cfg *config.Config) {
		cfg.P2P.PersistentPeers = ""
		if i == 4 {
			cfg.P2P.SeedMode = true
			return
		}
		cfg.P2P.Seeds = nw.Nodes[4].Address(t)
	})
	net.WaitHeight(3)
	for _, n := range net.Nodes[:4] {
		var info struct {
			NPeers string `json:"n_peers"`
			Peers  []struct {
				NodeInfo struct {
					Moniker string `json:"moniker"`
				} `json:"node_info"`
			} `json:"peers"`
		}
		if err := n.Get(t.Context(), "/net_info", &info); err != nil {
			t.Fatal(err)
		}
		validators := 0
		for _, p := range info.Peers {
			if p.NodeInfo.Moniker != "node4" {
				validators++
			}
		}
		if validators < 2 { // 2 of the 3 others suffice for blocks; the test waits for none
			t.Errorf("%s is connected to %d other validators (%+v)", n.Name, validators, info.Peers)
		}
	}
}
