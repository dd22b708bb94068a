package sim

import (
	"bytes"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

// The kinds of invariant violation.
const (
	ViolationAgreement   = "agreement"     // two honest nodes committed different blocks at a height
	ViolationValidity    = "validity"      // a committed block fails block validation
	ViolationAppHash     = "app-hash"      // two honest nodes have different app hashes after a height
	ViolationTxTwice     = "tx-twice"      // a transaction is in the chain twice
	ViolationTxLost      = "tx-lost"       // an acknowledged transaction is not in the chain
	ViolationDoubleSign  = "double-sign"   // an honest node signed two votes (or proposals) for one height/round/type
	ViolationValSet      = "validator-set" // a block or a vote breaks the H+2 rule of validator updates
	ViolationSignRefused = "sign-refused"  // an honest machine asked its guard for a conflicting signature
	ViolationLiveness    = "liveness"      // no new height within the bound after the faults healed
	ViolationPanic       = "panic"         // the consensus core panicked
	ViolationRestart     = "restart"       // a node could not restart from its durable state
	ViolationDriver      = "driver"        // the simulated driver hit an impossible state
)

// Violation is a broken invariant: what, when (simulated time), where.
type Violation struct {
	Kind   string
	At     time.Duration
	Node   int // -1: not one node's
	Height int64
	Detail string
}

func (v *Violation) Error() string {
	where := "network"
	if v.Node >= 0 {
		where = string(peerID(v.Node))
	}
	return fmt.Sprintf("%s violation at %v on %s, height %d: %s", v.Kind, v.At, where, v.Height, v.Detail)
}

// canonical is the first block an honest node committed at a height, the app hash after it and
// the validator updates the application returned for it.
type canonical struct {
	blockID types.BlockID
	block   *types.Block
	appHash []byte
	updates []*types.Validator
	node    int
}

type voteKey struct {
	address string
	height  int64
	round   int32
	typ     types.SignedMsgType
}

// checker holds the global view the invariants are checked against. Byzantine nodes (twins and
// equivocators) are not held to them; their effect on the honest nodes is.
type checker struct {
	sim       *Sim
	chain     map[int64]*canonical
	txHeight  map[string]int64 // transaction -> canonical height
	signed    map[voteKey]types.BlockID
	maxHeight int64 // highest canonical height
	// sets holds the validator set of each height, by its own H+2 model: the genesis set
	// decides heights 1 and 2, and the updates of canonical block h change the set of h+2.
	sets *valSets
}

func newChecker(s *Sim) *checker {
	return &checker{sim: s, chain: map[int64]*canonical{}, txHeight: map[string]int64{}, signed: map[voteKey]types.BlockID{},
		sets: newValSets(s.genesis.state.Validators)}
}

// onSign checks a fresh vote signature of an honest node against every earlier one.
func (c *checker) onSign(n *node, v *types.Vote) {
	if n.behaviour != Honest {
		return
	}
	if set := c.sets.at(v.Height); set != nil && !set.HasAddress(v.ValidatorAddress) {
		c.sim.violate(ViolationValSet, n.index, v.Height,
			fmt.Sprintf("signed a %v at round %d but is not in the validator set of height %d", v.Type, v.Round, v.Height))
		return
	}
	key := voteKey{string(v.ValidatorAddress), v.Height, v.Round, v.Type}
	if prev, ok := c.signed[key]; ok && !prev.Equals(v.BlockID) {
		c.sim.violate(ViolationDoubleSign, n.index, v.Height,
			fmt.Sprintf("%v at round %d for %v, earlier for %v", v.Type, v.Round, v.BlockID, prev))
		return
	}
	c.signed[key] = v.BlockID
}

// onSignProposal checks a fresh proposal signature of an honest node: one block per height
// and round.
func (c *checker) onSignProposal(n *node, p *types.Proposal) {
	if n.behaviour != Honest {
		return
	}
	key := voteKey{string(n.address), p.Height, p.Round, types.ProposalType}
	if prev, ok := c.signed[key]; ok && !prev.Equals(p.BlockID) {
		c.sim.violate(ViolationDoubleSign, n.index, p.Height,
			fmt.Sprintf("proposal at round %d for %v, earlier for %v", p.Round, p.BlockID, prev))
		return
	}
	c.signed[key] = p.BlockID
}

// onCommit checks a block an honest node committed (after applying it) against the canonical
// chain, and extends the chain with it when it is the first at its height.
func (c *checker) onCommit(n *node, a core.Commit) {
	if n.behaviour != Honest {
		return
	}
	id := types.BlockID{Hash: a.Block.Hash(), PartSetHeader: a.Parts.Header()}
	if canon := c.chain[a.Height]; canon != nil {
		switch {
		case !canon.blockID.Equals(id):
			c.sim.violate(ViolationAgreement, n.index, a.Height,
				fmt.Sprintf("committed %v, but %s committed %v", id, peerID(canon.node), canon.blockID))
		case !bytes.Equal(canon.appHash, n.chain.appHash):
			c.sim.violate(ViolationAppHash, n.index, a.Height,
				fmt.Sprintf("app hash %X, but %s has %X", n.chain.appHash, peerID(canon.node), canon.appHash))
		case !sameUpdates(canon.updates, n.chain.updates[a.Height]):
			c.sim.violate(ViolationAppHash, n.index, a.Height,
				fmt.Sprintf("validator updates %v, but %s has %v", n.chain.updates[a.Height], peerID(canon.node), canon.updates))
		}
		return
	}
	if err := c.validate(a.Block); err != nil {
		c.sim.violate(ViolationValidity, n.index, a.Height, err.Error())
		return
	}
	if err := c.checkValidators(a, id); err != nil {
		c.sim.violate(ViolationValSet, n.index, a.Height, err.Error())
		return
	}
	if err := c.checkCommitPower(a, id); err != nil {
		c.sim.violate(ViolationValidity, n.index, a.Height, err.Error())
		return
	}
	updates := n.chain.updates[a.Height]
	if err := c.sets.update(a.Height, updates); err != nil {
		c.sim.violate(ViolationValSet, n.index, a.Height, err.Error())
		return
	}
	c.sim.stats.ValUpdates += len(updates)
	c.chain[a.Height] = &canonical{blockID: id, block: a.Block, appHash: n.chain.appHash, updates: updates, node: n.index}
	c.maxHeight = max(c.maxHeight, a.Height)
	for _, tx := range a.Block.Txs {
		if h, ok := c.txHeight[string(tx)]; ok {
			c.sim.violate(ViolationTxTwice, n.index, a.Height, fmt.Sprintf("transaction %q, already at height %d", []byte(tx), h))
			return
		}
		c.txHeight[string(tx)] = a.Height
	}
}

// validate checks a new canonical block against the canonical chain below it, independently of
// any node's state: it links to the previous block, its last commit commits that block, its time
// is the commit's median and its app hash the one after the previous block.
func (c *checker) validate(b *types.Block) error {
	g := c.sim.genesis
	if err := b.ValidateBasic(); err != nil {
		return err
	}
	if b.Height == 1 {
		if !b.LastBlockID.IsNil() || !b.Time.Equal(g.time) || !bytes.Equal(b.AppHash, g.appHash) {
			return fmt.Errorf("initial block: last block %v, time %v, app hash %X", b.LastBlockID, b.Time, []byte(b.AppHash))
		}
		return nil
	}
	prev := c.chain[b.Height-1]
	if prev == nil {
		return fmt.Errorf("no canonical block at height %d below it", b.Height-1)
	}
	if !b.LastBlockID.Equals(prev.blockID) {
		return fmt.Errorf("last block %v, canonical %v", b.LastBlockID, prev.blockID)
	}
	lastSet := c.sets.at(b.Height - 1)
	if err := lastSet.VerifyCommit(g.chainID, prev.blockID, b.Height-1, b.LastCommit); err != nil {
		return fmt.Errorf("last commit: %w", err)
	}
	if median := types.MedianTime(b.LastCommit, lastSet); !b.Time.Equal(median) || !b.Time.After(prev.block.Time) {
		return fmt.Errorf("time %v, median of the last commit %v, previous block %v", b.Time, median, prev.block.Time)
	}
	if !bytes.Equal(b.AppHash, prev.appHash) {
		return fmt.Errorf("app hash %X, canonical after height %d: %X", []byte(b.AppHash), b.Height-1, prev.appHash)
	}
	return nil
}

// checkValidators checks a new canonical block against the H+2 model: its header names the
// sets of its height and the next.
func (c *checker) checkValidators(a core.Commit, id types.BlockID) error {
	h := a.Height
	set, next := c.sets.at(h), c.sets.at(h+1)
	switch {
	case !bytes.Equal(a.Block.ValidatorsHash, set.Hash()):
		return fmt.Errorf("header validators hash %X, but the set of height %d is %v", []byte(a.Block.ValidatorsHash), h, set)
	case !bytes.Equal(a.Block.NextValidatorsHash, next.Hash()):
		return fmt.Errorf("header next validators hash %X, but the set of height %d is %v", []byte(a.Block.NextValidatorsHash), h+1, next)
	}
	return nil
}

// checkCommitPower checks that the commit that decided a new canonical block holds +2/3 of the
// voting power of its height's set (the model's).
func (c *checker) checkCommitPower(a core.Commit, id types.BlockID) error {
	set := c.sets.at(a.Height)
	if err := set.VerifyCommit(c.sim.genesis.chainID, id, a.Height, a.SeenCommit.ToCommit()); err != nil {
		return fmt.Errorf("decided without +2/3 of the voting power of height %d's validators: %w", a.Height, err)
	}
	return nil
}

// finish checks that every acknowledged transaction is in the chain.
func (c *checker) finish(acked map[string]int64) {
	for _, tx := range sortedKeys(acked) {
		if _, ok := c.txHeight[tx]; !ok {
			c.sim.violate(ViolationTxLost, -1, acked[tx], fmt.Sprintf("transaction %q was acknowledged at height %d", tx, acked[tx]))
			return
		}
	}
}
