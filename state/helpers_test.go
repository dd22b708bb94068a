package state

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/types"
)

// testGenesisTime is the genesis time of the test chains.
var testGenesisTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

const testChainID = "test-chain"

// keyOf returns the deterministic test key GenPrivKeyFromSecret(secret).
func keyOf(secret string) ed25519.PrivKey {
	return ed25519.GenPrivKeyFromSecret([]byte(secret))
}

// validatorOf returns the validator of secret's key with power.
func validatorOf(secret string, power int64) *types.Validator {
	return types.NewValidator(keyOf(secret).PubKey(), power)
}

// testGenesis returns a completed genesis document with one validator per secret, with the
// given powers.
func testGenesis(t testing.TB, secrets []string, powers []int64) *types.GenesisDoc {
	t.Helper()
	g := &types.GenesisDoc{GenesisTime: testGenesisTime, ChainID: testChainID}
	for i, s := range secrets {
		g.Validators = append(g.Validators, types.GenesisValidator{PubKey: keyOf(s).PubKey(), Power: powers[i], Name: s})
	}
	if err := g.ValidateAndComplete(); err != nil {
		t.Fatal(err)
	}
	return g
}

// testKeys maps addresses to the keys of secrets.
func testKeys(secrets ...string) map[string]ed25519.PrivKey {
	keys := make(map[string]ed25519.PrivKey, len(secrets))
	for _, s := range secrets {
		k := keyOf(s)
		keys[string(k.PubKey().Address())] = k
	}
	return keys
}

// blockIDOf returns the ID of block (with a part set of the standard part size).
func blockIDOf(t testing.TB, block *types.Block) (types.BlockID, *types.PartSet) {
	t.Helper()
	parts, err := block.MakePartSet(types.BlockPartSizeBytes)
	if err != nil {
		t.Fatal(err)
	}
	return types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}, parts
}

// signCommit returns the commit of blockID at height by the validators of vals, each signing
// with its key from keys at times[i] (by validator index; a zero time means absent).
func signCommit(t testing.TB, vals *types.ValidatorSet, keys map[string]ed25519.PrivKey,
	height int64, blockID types.BlockID, times []time.Time,
) *types.Commit {
	t.Helper()
	commit := &types.Commit{Height: height, BlockID: blockID, Signatures: make([]types.CommitSig, vals.Size())}
	for i, v := range vals.Validators {
		if times[i].IsZero() {
			commit.Signatures[i] = types.NewCommitSigAbsent()
			continue
		}
		vote := &types.Vote{
			Type: types.PrecommitType, Height: height, BlockID: blockID, Timestamp: times[i],
			ValidatorAddress: v.Address, ValidatorIndex: int32(i),
		}
		sig, err := keys[string(v.Address)].Sign(vote.SignBytes(testChainID))
		if err != nil {
			t.Fatal(err)
		}
		vote.Signature = sig
		commit.Signatures[i] = vote.CommitSig()
	}
	return commit
}

// sameTimes returns n copies of tm.
func sameTimes(n int, tm time.Time) []time.Time {
	out := make([]time.Time, n)
	for i := range out {
		out[i] = tm
	}
	return out
}

// advance executes one empty block on state with res and returns the block, its ID and the new
// state. The block's last commit is signed by every validator of state.LastValidators at
// commitTime.
func advance(t testing.TB, state State, keys map[string]ed25519.PrivKey, commitTime time.Time, res BlockResults) (*types.Block, types.BlockID, State) {
	t.Helper()
	height := state.nextHeight()
	lastCommit := &types.Commit{}
	if height > state.InitialHeight {
		lastCommit = signCommit(t, state.LastValidators, keys, height-1, state.LastBlockID,
			sameTimes(state.LastValidators.Size(), commitTime))
	}
	block := state.MakeBlock(height, nil, lastCommit, nil, state.Validators.GetProposer().Address)
	id, _ := blockIDOf(t, block)
	next, err := UpdateState(state, id, &block.Header, res)
	if err != nil {
		t.Fatalf("height %d: %v", height, err)
	}
	return block, id, next
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	bz, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(bz, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// prioritiesByName returns the proposer priorities of vals by the secret of each validator.
func prioritiesByName(vals *types.ValidatorSet, secrets ...string) map[string]int64 {
	names := map[string]string{}
	for _, s := range secrets {
		names[string(keyOf(s).PubKey().Address())] = s
	}
	out := map[string]int64{}
	for _, v := range vals.Validators {
		out[names[string(v.Address)]] = v.ProposerPriority
	}
	return out
}

// nameOf returns which of secrets has address addr.
func nameOf(addr crypto.Address, secrets ...string) string {
	for _, s := range secrets {
		if string(keyOf(s).PubKey().Address()) == string(addr) {
			return s
		}
	}
	return "?"
}

// sameSet reports whether two validator sets have the same stored form: members, order, powers,
// priorities and proposer.
func sameSet(a, b *types.ValidatorSet) bool {
	pa, errA := a.ToProto()
	pb, errB := b.ToProto()
	if errA != nil || errB != nil {
		return false
	}
	ba, _ := pa.Marshal()
	bb, _ := pb.Marshal()
	return string(ba) == string(bb)
}
