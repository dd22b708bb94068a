package evidence

import (
	"fmt"
	"testing"
	"time"

	dbm "github.com/cometbft/cometbft-db"

	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// realChain is a chain kept in the real block and state stores, built with state.MakeBlock and
// state.UpdateState.
type realChain struct {
	t        testing.TB
	keys     map[string]ed25519.PrivKey
	states   *state.DBStore
	blocks   *blockstore.BlockStore
	st       state.State
	lastSeen *types.Commit
}

func newRealChain(t testing.TB, secrets ...string) *realChain {
	t.Helper()
	g := &types.GenesisDoc{GenesisTime: genesisTime, ChainID: testChainID}
	rc := &realChain{t: t, keys: make(map[string]ed25519.PrivKey)}
	for _, s := range secrets {
		k := keyOf(s)
		rc.keys[string(k.PubKey().Address())] = k
		g.Validators = append(g.Validators, types.GenesisValidator{PubKey: k.PubKey(), Power: 10, Name: s})
	}
	if err := g.ValidateAndComplete(); err != nil {
		t.Fatal(err)
	}
	st, err := state.MakeGenesisState(g)
	if err != nil {
		t.Fatal(err)
	}
	rc.states = state.NewStore(dbm.NewMemDB(), state.StoreOptions{})
	if err := rc.states.Save(st); err != nil {
		t.Fatal(err)
	}
	if rc.blocks, err = blockstore.New(dbm.NewMemDB()); err != nil {
		t.Fatal(err)
	}
	rc.st = st
	return rc
}

// commit decides, stores and applies the next block with evidence, the way the node does, and
// returns the block and the new state (already saved).
func (rc *realChain) commit(evidence ...types.Evidence) (*types.Block, state.State) {
	rc.t.Helper()
	st := rc.st
	h := st.LastBlockHeight + 1
	lastCommit := &types.Commit{}
	if h > st.InitialHeight {
		lastCommit = rc.lastSeen
	}
	block := st.MakeBlock(h, nil, lastCommit, evidence, st.Validators.GetProposer().Address)
	parts, err := block.MakePartSet(types.BlockPartSizeBytes)
	if err != nil {
		rc.t.Fatal(err)
	}
	id := types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
	seen := &types.Commit{Height: h, BlockID: id, Signatures: make([]types.CommitSig, st.Validators.Size())}
	for i, v := range st.Validators.Validators {
		vote := &types.Vote{
			Type: types.PrecommitType, Height: h, BlockID: id, Timestamp: block.Time.Add(time.Second),
			ValidatorAddress: v.Address, ValidatorIndex: int32(i),
		}
		if vote.Signature, err = rc.keys[string(v.Address)].Sign(vote.SignBytes(st.ChainID)); err != nil {
			rc.t.Fatal(err)
		}
		seen.Signatures[i] = vote.CommitSig()
	}
	if err := rc.blocks.SaveBlock(block, parts, seen); err != nil {
		rc.t.Fatal(err)
	}
	next, err := state.UpdateState(st, id, &block.Header, state.BlockResults{
		AppHash: hashOf(fmt.Sprint("app ", h)), LastResultsHash: hashOf("results"),
	})
	if err != nil {
		rc.t.Fatal(err)
	}
	if err := rc.states.Save(next); err != nil {
		rc.t.Fatal(err)
	}
	rc.st, rc.lastSeen = next, seen
	return block, next
}

// vote returns a signed prevote of validator i of the current set at height for block.
func (rc *realChain) vote(i int, height int64, block string) *types.Vote {
	v := rc.st.Validators.Validators[i]
	vote := &types.Vote{
		Type: types.PrevoteType, Height: height, BlockID: blockIDOf(block),
		Timestamp: genesisTime.Add(time.Hour), ValidatorAddress: v.Address, ValidatorIndex: int32(i),
	}
	sig, err := rc.keys[string(v.Address)].Sign(vote.SignBytes(rc.st.ChainID))
	if err != nil {
		rc.t.Fatal(err)
	}
	vote.Signature = sig
	return vote
}

// An equivocation seen by one validator's consensus becomes evidence, is gossiped to a second
// node, proposed, checked by the second node, committed, and handed to the app as Misbehavior.
func TestEquivocationToBlockOverRealStores(t *testing.T) {
	rc := newRealChain(t, "a", "b", "c", "d")
	rc.commit()
	rc.commit()
	detector, err := NewPool(dbm.NewMemDB(), rc.states, rc.blocks, nil)
	if err != nil {
		t.Fatal(err)
	}
	peer, err := NewPool(dbm.NewMemDB(), rc.states, rc.blocks, nil)
	if err != nil {
		t.Fatal(err)
	}

	// Height 3 is being decided; validator 2 prevotes for two blocks.
	detector.ReportConflictingVotes(rc.vote(2, 3, "one"), rc.vote(2, 3, "two"))
	block3, st := rc.commit()
	detector.Update(st, block3.Evidence.Evidence)
	peer.Update(st, block3.Evidence.Evidence)

	entry, ok := detector.EvidenceFront()
	if !ok {
		t.Fatal("no evidence after the height was committed")
	}
	dve := entry.Evidence.(*types.DuplicateVoteEvidence)
	if !dve.Timestamp.Equal(block3.Time) || dve.TotalVotingPower != 40 || dve.ValidatorPower != 10 {
		t.Fatalf("evidence %v does not carry block 3's time %v and the set's powers", dve, block3.Time)
	}
	// Gossip: the peer verifies it against its own stores.
	if err := peer.AddEvidence(entry.Evidence); err != nil {
		t.Fatalf("peer rejects gossiped evidence: %v", err)
	}

	// The detector proposes height 4 with it; the peer checks the proposal.
	proposal, size := detector.PendingEvidence(rc.st.ConsensusParams.Evidence.MaxBytes)
	if len(proposal) != 1 || size <= 0 {
		t.Fatalf("proposal evidence %v (%d bytes)", proposal, size)
	}
	if err := peer.CheckEvidence(proposal); err != nil {
		t.Fatalf("peer rejects the proposal's evidence: %v", err)
	}
	misbehavior, err := state.MisbehaviorFromEvidence(proposal)
	if err != nil || len(misbehavior) != 1 || misbehavior[0].Height != 3 ||
		string(misbehavior[0].Validator.Address) != string(rc.st.Validators.Validators[2].Address) {
		t.Fatalf("misbehavior %v (%v), want validator 2 at height 3", misbehavior, err)
	}
	block4, st := rc.commit(proposal...)
	detector.Update(st, block4.Evidence.Evidence)
	peer.Update(st, block4.Evidence.Evidence)
	for name, p := range map[string]*Pool{"detector": detector, "peer": peer} {
		if p.Size() != 0 {
			t.Errorf("%s: evidence still pending after commit", name)
		}
		if err := p.CheckEvidence(proposal); err == nil {
			t.Errorf("%s: accepts the committed evidence in another block", name)
		}
	}
	// A node restarted after height 4 (a fresh pool over the same stores) knows block 4's
	// evidence is committed.
	restarted, err := NewPool(dbm.NewMemDB(), rc.states, rc.blocks, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := restarted.CheckEvidence(proposal); err == nil {
		t.Error("restarted pool accepts the evidence of its last block")
	}
}
