package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/crypto/encoding"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
)

func TestHandshakeInitChainRequest(t *testing.T) {
	cfg := chainConfig{validators: fourVals, appState: json.RawMessage(`{"accounts":[1,2]}`)}
	n := startTestNode(t, cfg, newNodeDBs())
	if len(n.app.initReqs) != 1 {
		t.Fatalf("InitChain called %d times", len(n.app.initReqs))
	}
	req := n.app.initReqs[0]
	if req.ChainId != execChainID || req.InitialHeight != 1 || !req.Time.Equal(execGenesisTime) ||
		string(req.AppStateBytes) != `{"accounts":[1,2]}` {
		t.Fatalf("InitChain request %+v", req)
	}
	wantParams := n.genDoc.ConsensusParams.ToProto()
	if !req.ConsensusParams.Equal(&wantParams) || req.ConsensusParams.Abci == nil || req.ConsensusParams.Version == nil {
		t.Fatalf("InitChain params %v, want %v", req.ConsensusParams, wantParams)
	}
	genVals, err := n.genDoc.ValidatorSet()
	if err != nil {
		t.Fatal(err)
	}
	if len(req.Validators) != genVals.Size() {
		t.Fatalf("InitChain has %d validators", len(req.Validators))
	}
	for i, u := range req.Validators {
		pk, err := encoding.PubKeyFromProto(u.PubKey)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pk.Address(), genVals.Validators[i].Address) || u.Power != 10 {
			t.Fatalf("InitChain validator %d is not the set's %d-th", i, i)
		}
	}

	// The genesis state, completed from Info and InitChain, is saved.
	want := sha256.Sum256(nil)
	if !bytes.Equal(n.state.LastResultsHash, want[:]) {
		t.Fatalf("last results hash %X, want SHA-256(\"\")", []byte(n.state.LastResultsHash))
	}
	if n.state.Version.Consensus.App != kvstore.AppVersion {
		t.Fatalf("app version %d, want Info's %d", n.state.Version.Consensus.App, kvstore.AppVersion)
	}
	saved, err := n.store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !saved.Equals(n.state) {
		t.Fatal("the state after InitChain was not saved")
	}
}

func TestHandshakeAdoptsInitChainResponse(t *testing.T) {
	cfg := chainConfig{validators: fourVals, extraKeys: []string{"e"}}
	n := newTestNode(t, cfg, newNodeDBs())
	ePub, err := encoding.PubKeyToProto(execKey("e").PubKey())
	if err != nil {
		t.Fatal(err)
	}
	n.app.initChain = func(_ *abci.RequestInitChain, resp *abci.ResponseInitChain) {
		resp.AppHash = []byte("initial app hash")
		resp.Validators = []abci.ValidatorUpdate{{PubKey: ePub, Power: 7}}
		resp.ConsensusParams = &tmproto.ConsensusParams{
			Block:   &tmproto.BlockParams{MaxBytes: 3000000, MaxGas: 50},
			Version: &tmproto.VersionParams{App: 9},
		}
	}
	if err := n.handshake(); err != nil {
		t.Fatal(err)
	}
	st := n.state
	eAddr := execKey("e").PubKey().Address()
	if st.Validators.Size() != 1 || !st.Validators.HasAddress(eAddr) || st.NextValidators.Size() != 1 {
		t.Fatalf("validators not replaced: %v", st.Validators)
	}
	if string(st.AppHash) != "initial app hash" {
		t.Fatalf("app hash %q", st.AppHash)
	}
	if p := st.ConsensusParams; p.Block.MaxBytes != 3000000 || p.Block.MaxGas != 50 || p.Version.App != 9 ||
		p.Evidence.MaxBytes != n.genDoc.ConsensusParams.Evidence.MaxBytes {
		t.Fatalf("params %+v", p)
	}
	if st.Version.Consensus.App != 9 {
		t.Fatalf("app version %d, want the params' 9", st.Version.Consensus.App)
	}
	saved, err := n.store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if !saved.Equals(st) {
		t.Fatal("adopted state not saved")
	}
	b := n.commitBlock(txsOf(1, 1)...)
	if string(b.AppHash) != "initial app hash" || !bytes.Equal(b.ProposerAddress, eAddr) {
		t.Fatal("block 1 does not follow the InitChain response")
	}
}

func TestHandshakeErrors(t *testing.T) {
	t.Run("no validators anywhere", func(t *testing.T) {
		n := newTestNode(t, chainConfig{}, newNodeDBs())
		err := n.handshake()
		if err == nil || !strings.Contains(err.Error(), "the genesis has no validators and the application returned none") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("validators from InitChain only", func(t *testing.T) {
		n := newTestNode(t, chainConfig{extraKeys: []string{"e"}}, newNodeDBs())
		pk, _ := encoding.PubKeyToProto(execKey("e").PubKey())
		n.app.initChain = func(_ *abci.RequestInitChain, resp *abci.ResponseInitChain) {
			resp.Validators = []abci.ValidatorUpdate{{PubKey: pk, Power: 1}}
		}
		if err := n.handshake(); err != nil {
			t.Fatal(err)
		}
		n.commitBlock()
		n.commitBlock()
	})
	t.Run("invalid params from InitChain", func(t *testing.T) {
		n := newTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
		n.app.initChain = func(_ *abci.RequestInitChain, resp *abci.ResponseInitChain) {
			resp.ConsensusParams = &tmproto.ConsensusParams{Block: &tmproto.BlockParams{MaxBytes: 0, MaxGas: -1}}
		}
		if err := n.handshake(); err == nil || !strings.Contains(err.Error(), "InitChain returned consensus params") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("negative app height", func(t *testing.T) {
		n := newTestNode(t, chainConfig{validators: fourVals}, newNodeDBs())
		n.app.info = func(resp *abci.ResponseInfo) { resp.LastBlockHeight = -1 }
		if err := n.handshake(); err == nil || !strings.Contains(err.Error(), "negative last block height -1") {
			t.Fatalf("err = %v", err)
		}
	})
}
