package core

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	cmtjson "github.com/ballot-bft/ballot/libs/json"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	rpctypes "github.com/ballot-bft/ballot/rpc/jsonrpc/types"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

var ctx0 = &rpctypes.Context{}

// The route table is CometBFT v0.38's: every route with its argument names; the unsafe routes
// only with rpc.unsafe.
func TestRoutes(t *testing.T) {
	want := map[string]string{
		"subscribe": "query", "unsubscribe": "query", "unsubscribe_all": "",
		"health": "", "status": "", "net_info": "", "blockchain": "minHeight,maxHeight", "genesis": "",
		"genesis_chunked": "chunk", "block": "height", "block_by_hash": "hash", "block_results": "height",
		"commit": "height", "header": "height", "header_by_hash": "hash", "check_tx": "tx", "tx": "hash,prove",
		"tx_search": "query,prove,page,per_page,order_by", "block_search": "query,page,per_page,order_by",
		"validators": "height,page,per_page", "dump_consensus_state": "", "consensus_state": "",
		"consensus_params": "height", "unconfirmed_txs": "limit", "num_unconfirmed_txs": "",
		"broadcast_tx_commit": "tx", "broadcast_tx_sync": "tx", "broadcast_tx_async": "tx",
		"abci_query": "path,data,height,prove", "abci_info": "", "broadcast_evidence": "evidence",
	}
	unsafe := map[string]string{
		"dial_seeds": "seeds", "dial_peers": "peers,persistent,unconditional,private", "unsafe_flush_mempool": "",
	}
	for _, on := range []bool{false, true} {
		env := testEnv(t)
		env.Config.Unsafe = on
		routes, err := env.Routes()
		if err != nil {
			t.Fatal(err)
		}
		expected := maps(want)
		if on {
			for k, v := range unsafe {
				expected[k] = v
			}
		}
		if len(routes) != len(expected) {
			t.Errorf("unsafe=%v: %d routes, want %d", on, len(routes), len(expected))
		}
		for name, args := range expected {
			f, ok := routes[name]
			if !ok {
				t.Errorf("unsafe=%v: no route %s", on, name)
				continue
			}
			if got := strings.Join(f.ArgNames(), ","); got != args {
				t.Errorf("%s: arguments %q, want %q", name, got, args)
			}
			if ws := slices.Contains([]string{"subscribe", "unsubscribe", "unsubscribe_all"}, name); f.IsWSOnly() != ws {
				t.Errorf("%s: websocket only = %v", name, f.IsWSOnly())
			}
		}
	}

	env := testEnv(t)
	env.EventBus = nil
	if _, err := env.Routes(); err == nil || err.Error() != "rpc environment: EventBus is not set" {
		t.Errorf("incomplete environment: %v", err)
	}
}

func maps(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func routesOf(t *testing.T, env *Environment) {
	t.Helper()
	if _, err := env.Routes(); err != nil {
		t.Fatal(err)
	}
}

// genesis serves the document while its JSON fits one 16 MiB chunk; genesis_chunked serves the
// chunks as base64.
func TestGenesisRoutes(t *testing.T) {
	env := testEnv(t)
	routesOf(t, env)
	res, err := env.Genesis(ctx0)
	if err != nil || res.Genesis != env.GenesisDoc {
		t.Fatalf("genesis: %v, %v", res, err)
	}
	chunk, err := env.GenesisChunked(ctx0, 0)
	if err != nil {
		t.Fatal(err)
	}
	docJSON, err := cmtjson.Marshal(env.GenesisDoc)
	if err != nil {
		t.Fatal(err)
	}
	if chunk.TotalChunks != 1 || chunk.ChunkNumber != 0 || chunk.Data != base64.StdEncoding.EncodeToString(docJSON) {
		t.Errorf("chunk 0: %+v", chunk)
	}
	if _, err := env.GenesisChunked(ctx0, 1); errText(err) != "there are 0 chunks, 1 is invalid" {
		t.Errorf("chunk 1: %v", err)
	}

	// A document over one chunk (here: chunks of 100 bytes) is served in pieces only.
	chunks, err := genesisChunks(env.GenesisDoc, 100)
	if err != nil {
		t.Fatal(err)
	}
	env.genesisChunks = chunks
	if _, err := env.Genesis(ctx0); errText(err) != "genesis response is large, please use the genesis_chunked API instead" {
		t.Errorf("large genesis: %v", err)
	}
	var joined []byte
	for i := uint(0); ; i++ {
		c, err := env.GenesisChunked(ctx0, i)
		if err != nil {
			if want := fmt.Sprintf("there are %d chunks, %d is invalid", len(chunks)-1, i); errText(err) != want {
				t.Errorf("past the last chunk: %v, want %q", err, want)
			}
			break
		}
		if c.TotalChunks != len(chunks) || c.ChunkNumber != int(i) {
			t.Errorf("chunk %d: %+v", i, c)
		}
		part, err := base64.StdEncoding.DecodeString(c.Data)
		if err != nil {
			t.Fatal(err)
		}
		joined = append(joined, part...)
	}
	if len(chunks) < 2 || string(joined) != string(docJSON) {
		t.Errorf("%d chunks do not join into the genesis JSON:\n%s\n%s", len(chunks), joined, docJSON)
	}
}

func TestBlockRoutes(t *testing.T) {
	env := testEnv(t)
	store := env.BlockStore.(*chain)

	latest, err := env.Block(ctx0, nil)
	if err != nil || latest.Block.Height != 5 || !latest.BlockID.Equals(store.metas[5].BlockID) {
		t.Fatalf("block: %+v, %v", latest, err)
	}
	if _, err := env.Block(ctx0, ptr[int64](6)); errText(err) != "height 6 must be less than or equal to the current blockchain height 5" {
		t.Errorf("block 6: %v", err)
	}
	byHash, err := env.BlockByHash(ctx0, store.metas[3].BlockID.Hash)
	if err != nil || byHash.Block.Height != 3 {
		t.Errorf("block_by_hash: %+v, %v", byHash, err)
	}
	unknown, err := env.BlockByHash(ctx0, []byte{0xAB})
	if err != nil || unknown.Block != nil || !unknown.BlockID.IsNil() {
		t.Errorf("unknown block_by_hash: %+v, %v", unknown, err)
	}
	if h, err := env.Header(ctx0, ptr[int64](2)); err != nil || h.Header.Height != 2 {
		t.Errorf("header 2: %+v, %v", h, err)
	}
	if h, err := env.HeaderByHash(ctx0, []byte{1}); err != nil || h.Header != nil {
		t.Errorf("unknown header_by_hash: %+v, %v", h, err)
	}
	if c, err := env.Commit(ctx0, ptr[int64](4)); err != nil || !c.Canonical || c.SignedHeader.Commit != store.blocks[5].LastCommit {
		t.Errorf("commit 4 must be the canonical one carried by block 5: %+v, %v", c, err)
	}
	if c, err := env.Commit(ctx0, nil); err != nil || c.Canonical || c.SignedHeader.Height != 5 {
		t.Errorf("latest commit must be the seen one: %+v, %v", c, err)
	}
	info, err := env.BlockchainInfo(ctx0, 0, 0)
	if err != nil || info.LastHeight != 5 || len(info.BlockMetas) != 5 || info.BlockMetas[0].Header.Height != 5 {
		t.Errorf("blockchain: %+v, %v", info, err)
	}

	// Blocks are written with [] for empty lists, as CometBFT writes them, without touching the
	// stored block.
	empty := types.MakeBlock(6, nil, &types.Commit{}, nil)
	shown := blockJSON(empty)
	if shown.Data.Txs == nil || shown.Evidence.Evidence == nil || empty.Data.Txs != nil || empty.Evidence.Evidence != nil {
		t.Errorf("blockJSON: shown %v/%v, stored %v/%v", shown.Data.Txs, shown.Evidence.Evidence, empty.Data.Txs, empty.Evidence.Evidence)
	}
	js, err := cmtjson.Marshal(shown)
	if err != nil || !strings.Contains(string(js), `"data":{"txs":[]},"evidence":{"evidence":[]}`) {
		t.Errorf("block JSON: %s, %v", js, err)
	}
}

func TestBlockResults(t *testing.T) {
	env := testEnv(t)
	results := env.StateStore.(*stateStore).results
	results[3] = &abci.ResponseFinalizeBlock{AppHash: []byte{3}, TxResults: []*abci.ExecTxResult{{Code: 1}}}
	results[4] = state.ErrFinalizeBlockResponsesNotPersisted
	results[5] = errors.New("disk on fire")
	for _, tc := range []struct {
		height *int64
		err    string
	}{
		{ptr[int64](3), ""},
		{ptr[int64](2), "could not find results for height #2"},
		{ptr[int64](4), "node is not persisting finalize block responses"},
		{ptr[int64](5), "disk on fire"},
	} {
		res, err := env.BlockResults(ctx0, tc.height)
		if errText(err) != tc.err {
			t.Errorf("block_results %d: %v, want %q", *tc.height, err, tc.err)
		}
		if err == nil && (res.Height != 3 || len(res.TxsResults) != 1 || string(res.AppHash) != "\x03") {
			t.Errorf("block_results 3: %+v", res)
		}
	}
	// The default is the last executed block: block 5 is stored but consensus still decides 5.
	env.Consensus = consensusState{rs: &RoundState{Height: 5}}
	results[4] = &abci.ResponseFinalizeBlock{}
	if res, err := env.BlockResults(ctx0, nil); err != nil || res.Height != 4 {
		t.Errorf("block_results while block 5 executes: %+v, %v; want height 4", res, err)
	}
}

func TestValidatorsAndParams(t *testing.T) {
	env := testEnv(t)
	res, err := env.Validators(ctx0, nil, nil, nil)
	if err != nil || res.BlockHeight != 6 || res.Count != 1 || res.Total != 1 {
		t.Fatalf("validators: %+v, %v", res, err)
	}
	if _, err := env.Validators(ctx0, nil, ptr(2), ptr(1)); errText(err) != "page should be within [1, 1] range, given 2" {
		t.Errorf("validators page 2: %v", err)
	}
	if _, err := env.Validators(ctx0, ptr[int64](7), nil, nil); errText(err) != "height 7 must be less than or equal to the current blockchain height 6" {
		t.Errorf("validators 7: %v", err)
	}
	params, err := env.ConsensusParams(ctx0, ptr[int64](2))
	if err != nil || params.BlockHeight != 2 || params.ConsensusParams.Block.MaxBytes != types.DefaultConsensusParams().Block.MaxBytes {
		t.Errorf("consensus_params 2: %+v, %v", params, err)
	}
}

func TestStatus(t *testing.T) {
	env := testEnv(t)
	st, err := env.Status(ctx0)
	if err != nil {
		t.Fatal(err)
	}
	store := env.BlockStore.(*chain)
	if st.SyncInfo.LatestBlockHeight != 5 || st.SyncInfo.EarliestBlockHeight != 1 ||
		!st.SyncInfo.LatestBlockTime.Equal(store.blocks[5].Time) || st.SyncInfo.CatchingUp {
		t.Errorf("sync info: %+v", st.SyncInfo)
	}
	if st.ValidatorInfo.VotingPower != 10 || st.ValidatorInfo.Address.String() != env.PubKey.Address().String() {
		t.Errorf("validator info: %+v", st.ValidatorInfo)
	}

	env.BlockStore = &chain{}
	env.Consensus = consensusState{rs: &RoundState{Height: 1}}
	st, err = env.Status(ctx0)
	if err != nil {
		t.Fatal(err)
	}
	js, err := cmtjson.Marshal(st.SyncInfo)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"latest_block_hash":"","latest_app_hash":"","latest_block_height":"0","latest_block_time":"1970-01-01T00:00:00Z",` +
		`"earliest_block_hash":"","earliest_app_hash":"","earliest_block_height":"0","earliest_block_time":"1970-01-01T00:00:00Z","catching_up":false}`
	if string(js) != want {
		t.Errorf("empty store:\n got %s\nwant %s", js, want)
	}
}

// Without a peer-to-peer layer net_info reports nothing and the dial routes refuse after
// checking their arguments as CometBFT does.
func TestNetRoutesWithoutP2P(t *testing.T) {
	env := testEnv(t)
	info, err := env.NetInfo(ctx0)
	if err != nil {
		t.Fatal(err)
	}
	if js, _ := cmtjson.Marshal(info); string(js) != `{"listening":false,"listeners":[],"n_peers":"0","peers":[]}` {
		t.Errorf("net_info: %s", js)
	}
	for _, tc := range []struct {
		call func() error
		want string
	}{
		{func() error { _, err := env.UnsafeDialSeeds(ctx0, nil); return err }, "no seeds provided"},
		{func() error { _, err := env.UnsafeDialSeeds(ctx0, []string{"id@1.2.3.4:5"}); return err }, ErrNoP2P.Error()},
		{func() error { _, err := env.UnsafeDialPeers(ctx0, nil, false, false, false); return err }, "no peers provided"},
		{func() error {
			_, err := env.UnsafeDialPeers(ctx0, []string{"1.2.3.4:5"}, false, false, false)
			return err
		},
			"address (1.2.3.4:5) does not contain ID"},
		{func() error { _, err := env.UnsafeDialPeers(ctx0, []string{"a@b@c"}, true, false, false); return err },
			"address (a@b@c) does not contain ID"},
		{func() error {
			_, err := env.UnsafeDialPeers(ctx0, []string{"id@1.2.3.4:5"}, true, true, true)
			return err
		}, ErrNoP2P.Error()},
	} {
		if err := tc.call(); errText(err) != tc.want {
			t.Errorf("%v, want %q", err, tc.want)
		}
	}
	dump, err := env.DumpConsensusState(ctx0)
	if err != nil || dump.Peers == nil || len(dump.Peers) != 0 {
		t.Errorf("dump_consensus_state peers: %v, %v", dump, err)
	}
}

func TestABCIAndEvidenceRoutes(t *testing.T) {
	env := testEnv(t)
	q, err := env.ABCIQuery(ctx0, "/store", []byte("k"), 3, false)
	if err != nil || string(q.Response.Key) != "k" || q.Response.Height != 3 {
		t.Errorf("abci_query: %+v, %v", q, err)
	}
	js, err := cmtjson.Marshal(q)
	if err != nil || !strings.Contains(string(js), `"proofOps":null`) || !strings.Contains(string(js), `"code":0`) {
		t.Errorf("abci_query JSON must have every field (jsonpb): %s, %v", js, err)
	}
	if info, err := env.ABCIInfo(ctx0); err != nil || info.Response.Version != "1.0" {
		t.Errorf("abci_info: %+v, %v", info, err)
	}
	env.AppQuery = app{err: errors.New("app exploded")}
	if _, err := env.ABCIQuery(ctx0, "", nil, 0, false); errText(err) != "app exploded" {
		t.Errorf("app error: %v", err)
	}

	if _, err := env.BroadcastEvidence(ctx0, nil); errText(err) != "no evidence was provided" {
		t.Errorf("nil evidence: %v", err)
	}
	if _, err := env.BroadcastEvidence(ctx0, &types.DuplicateVoteEvidence{}); !strings.HasPrefix(errText(err), "evidence.ValidateBasic failed: ") {
		t.Errorf("invalid evidence: %v", err)
	}
	ev := duplicateVoteEvidence(t)
	env.Evidence = evidencePool{err: fmt.Errorf("%w: not ours", types.ErrInvalidEvidence)}
	if _, err := env.BroadcastEvidence(ctx0, ev); !strings.HasPrefix(errText(err), "failed to add evidence: ") {
		t.Errorf("refused evidence: %v", err)
	}
	env.Evidence = evidencePool{}
	res, err := env.BroadcastEvidence(ctx0, ev)
	if err != nil || string(res.Hash) != string(ev.Hash()) {
		t.Errorf("accepted evidence: %+v, %v", res, err)
	}
}
