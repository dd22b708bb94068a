package core

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/types"
)

// The harness runs one Machine ("us") against validator stubs that the test drives by hand, in the
// style of Tendermint's consensus tests. The fake driver answers every request at once, as the
// driver contract says; timeouts are recorded and fired by the test (a mock ticker).

const testChainID = "test-chain"

var genesisTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

type harness struct {
	t      testing.TB
	cfg    Config
	keys   map[string]crypto.PrivKey // by address
	vals   *types.ValidatorSet
	us     crypto.PrivKey
	m      *Machine
	now    time.Time
	height int64

	lastBlockID types.BlockID
	lastCommit  *types.ExtendedCommit

	// Behaviour of the fake driver.
	txs             types.Txs               // what BuildProposal puts in our blocks
	acceptProposal  func(*types.Block) bool // the application's ProcessProposal
	holdProcess     bool                    // don't answer ProcessProposal (test answers)
	heldProcess     *ProcessProposal        // the unanswered request
	extensionHeight int64                   // vote_extensions_enable_height
	autoCommit      bool                    // answer Commit with the next height

	// What the machine did.
	actions   []Action
	timeouts  []ScheduleTimeout
	sent      []Input // our broadcasts
	events    []Event
	rejected  []Rejected
	conflicts []ReportConflict
	commits   []Commit
}

// newHarness makes a network of n equal-power validators; "us" is the proposer of round
// ourRound at height 1. With n equal validators the proposers of rounds 0..n-1 are all different,
// so ourRound = n-1 makes us a validator that proposes none of the rounds before it.
func newHarness(t testing.TB, n int, ourRound int32) *harness {
	t.Helper()
	h := &harness{
		t:              t,
		cfg:            testConfig(),
		keys:           map[string]crypto.PrivKey{},
		now:            genesisTime,
		height:         1,
		acceptProposal: func(*types.Block) bool { return true },
		autoCommit:     true,
	}
	var vals []*types.Validator
	for i := 0; i < n; i++ {
		key := ed25519.GenPrivKeyFromSecret([]byte(fmt.Sprintf("validator-%d", i)))
		h.keys[string(key.PubKey().Address())] = key
		vals = append(vals, types.NewValidator(key.PubKey(), 10))
	}
	set, err := types.NewValidatorSet(vals)
	if err != nil {
		t.Fatal(err)
	}
	h.vals = set
	h.us = h.proposerAt(ourRound)
	return h
}

func testConfig() Config {
	return Config{
		TimeoutPropose: 3 * time.Second, TimeoutProposeDelta: 500 * time.Millisecond,
		TimeoutPrevote: time.Second, TimeoutPrevoteDelta: 500 * time.Millisecond,
		TimeoutPrecommit: time.Second, TimeoutPrecommitDelta: 500 * time.Millisecond,
		TimeoutCommit:     time.Second,
		CreateEmptyBlocks: true,
	}
}

// heightInfo describes the harness's current height for the machine.
func (h *harness) heightInfo() Height {
	var lastVals *types.ValidatorSet
	if h.height > 1 {
		lastVals = h.vals
	}
	return Height{
		ChainID:                    testChainID,
		Height:                     h.height,
		InitialHeight:              1,
		Validators:                 h.vals,
		LastValidators:             lastVals,
		LastCommit:                 h.lastCommit,
		BlockMaxBytes:              types.MaxBlockSizeBytes,
		VoteExtensionsEnableHeight: h.extensionHeight,
		NeedProofBlock:             h.height == 1,
		ValidateBlock:              h.validateBlock,
	}
}

// validateBlock is the stand-in for the chain-state checks: a block is invalid if it carries the
// transaction "invalid" or is for another height.
func (h *harness) validateBlock(b *types.Block, _ time.Time) error {
	if b.Height != h.height {
		return fmt.Errorf("block of height %d at height %d", b.Height, h.height)
	}
	for _, tx := range b.Txs {
		if bytes.Equal(tx, []byte("invalid")) {
			return errors.New("block carries an invalid transaction")
		}
	}
	return nil
}

// start creates the machine and starts it.
func (h *harness) start() {
	h.t.Helper()
	m, err := New(h.cfg, Identity{Address: h.us.PubKey().Address()}, h.heightInfo())
	if err != nil {
		h.t.Fatal(err)
	}
	h.m = m
	h.handle(m.Start(h.now))
}

// feed gives the machine one input and carries out what it asks.
func (h *harness) feed(in Input) {
	h.t.Helper()
	h.handle(h.m.Step(h.now, in))
}

// handle carries out the actions of one step in order and then feeds back the answers to its
// requests, as the driver contract says.
func (h *harness) handle(actions []Action) {
	h.t.Helper()
	var answers []Input
	for _, a := range actions {
		h.actions = append(h.actions, a)
		switch a := a.(type) {
		case ScheduleTimeout:
			h.timeouts = append(h.timeouts, a)
		case Broadcast:
			h.sent = append(h.sent, a.Message)
		case Publish:
			h.events = append(h.events, a.Event)
		case Rejected:
			h.rejected = append(h.rejected, a)
		case ReportConflict:
			h.conflicts = append(h.conflicts, a)
		case BuildProposal:
			block, parts := h.makeBlock(a.Height, h.txs, h.us.PubKey().Address(), a.LastCommit)
			answers = append(answers, ProposalBlockBuilt{Height: a.Height, Round: a.Round, Block: block, Parts: parts})
		case SignProposal:
			p := *a.Proposal
			h.sign(&p)
			answers = append(answers, ProposalMessage{Proposal: &p})
			for i := 0; i < int(a.Parts.Total()); i++ {
				answers = append(answers, BlockPartMessage{Height: p.Height, Round: p.Round, Part: a.Parts.GetPart(i)})
			}
		case SignVote:
			v := *a.Vote
			if a.ExtendBlock != nil {
				v.Extension = []byte("extension")
			}
			h.signVote(h.us, &v)
			answers = append(answers, VoteMessage{Vote: &v})
		case ProcessProposal:
			if h.holdProcess {
				req := a
				h.heldProcess = &req
				continue
			}
			answers = append(answers, ProposalProcessed{Height: a.Height, Round: a.Round, BlockHash: a.Block.Hash(), Accepted: h.acceptProposal(a.Block)})
		case Commit:
			h.commits = append(h.commits, a)
			if h.autoCommit {
				answers = append(answers, Committed{Next: h.advance(a)})
			}
		default:
			h.t.Fatalf("unexpected action %T", a)
		}
	}
	for _, in := range answers {
		h.feed(in)
	}
}

// answerProcess answers the held ProcessProposal request.
func (h *harness) answerProcess(accept bool) {
	h.t.Helper()
	req := h.heldProcess
	if req == nil {
		h.t.Fatal("no ProcessProposal request is held")
	}
	h.heldProcess = nil
	h.feed(ProposalProcessed{Height: req.Height, Round: req.Round, BlockHash: req.Block.Hash(), Accepted: accept})
}

// advance records a commit and returns the next height's description.
func (h *harness) advance(c Commit) Height {
	h.lastBlockID = types.BlockID{Hash: c.Block.Hash(), PartSetHeader: c.Parts.Header()}
	h.lastCommit = c.SeenCommit
	h.height++
	return h.heightInfo()
}

// makeBlock builds a block at height proposed by proposer.
func (h *harness) makeBlock(height int64, txs types.Txs, proposer crypto.Address, lastCommit *types.ExtendedCommit) (*types.Block, *types.PartSet) {
	commit := &types.Commit{}
	blockTime := genesisTime
	if lastCommit != nil {
		commit = lastCommit.ToCommit()
		blockTime = genesisTime.Add(time.Duration(height) * time.Second)
	}
	block := types.MakeBlock(height, txs, commit, nil)
	block.Header.Populate(block.Version, testChainID, blockTime, h.lastBlockID,
		h.vals.Hash(), h.vals.Hash(), make([]byte, 32), nil, make([]byte, 32), proposer)
	parts, err := block.MakePartSet(types.BlockPartSizeBytes)
	if err != nil {
		h.t.Fatal(err)
	}
	return block, parts
}

// proposerAt returns the proposer of round r at the current height.
func (h *harness) proposerAt(r int32) crypto.PrivKey {
	vals := h.vals.Copy()
	if r > 0 {
		vals.IncrementProposerPriority(r)
	}
	return h.keys[string(vals.GetProposer().Address)]
}

// stubs returns the validator keys other than ours, in validator-set order.
func (h *harness) stubs() []crypto.PrivKey {
	var out []crypto.PrivKey
	for _, v := range h.vals.Validators {
		if !bytes.Equal(v.Address, h.us.PubKey().Address()) {
			out = append(out, h.keys[string(v.Address)])
		}
	}
	return out
}

func (h *harness) sign(p *types.Proposal) {
	key := h.proposerAt(p.Round)
	sig, err := key.Sign(p.SignBytes(testChainID))
	if err != nil {
		h.t.Fatal(err)
	}
	p.Signature = sig
}

func (h *harness) signVote(key crypto.PrivKey, v *types.Vote) {
	sig, err := key.Sign(v.SignBytes(testChainID))
	if err != nil {
		h.t.Fatal(err)
	}
	v.Signature = sig
	if v.Type == types.PrecommitType && !v.BlockID.IsNil() && h.extensionHeight > 0 && v.Height >= h.extensionHeight {
		extSig, err := key.Sign(v.ExtensionSignBytes(testChainID))
		if err != nil {
			h.t.Fatal(err)
		}
		v.ExtensionSignature = extSig
	}
}

// stubVote makes a vote signed by key.
func (h *harness) stubVote(key crypto.PrivKey, t types.SignedMsgType, round int32, id types.BlockID) *types.Vote {
	index, _ := h.vals.GetByAddress(key.PubKey().Address())
	v := &types.Vote{
		Type: t, Height: h.height, Round: round, BlockID: id,
		Timestamp:        h.now.Add(time.Millisecond),
		ValidatorAddress: key.PubKey().Address(), ValidatorIndex: index,
	}
	if t == types.PrecommitType && !id.IsNil() && h.extensionHeight > 0 && h.height >= h.extensionHeight {
		v.Extension = []byte("stub extension")
	}
	h.signVote(key, v)
	return v
}

// votes feeds votes of type t for id in round from the given stubs, each from its own peer.
// All votes are made before any is fed, so they are for the height current at the call.
func (h *harness) votes(t types.SignedMsgType, round int32, id types.BlockID, keys ...crypto.PrivKey) {
	h.t.Helper()
	msgs := make([]VoteMessage, len(keys))
	for i, key := range keys {
		msgs[i] = VoteMessage{Vote: h.stubVote(key, t, round, id), From: PeerID(fmt.Sprintf("peer-%X", key.PubKey().Address()[:4]))}
	}
	for _, msg := range msgs {
		h.feed(msg)
	}
}

// propose feeds a proposal by the round's proposer for block (with its parts), POL round pol.
func (h *harness) propose(round, pol int32, block *types.Block, parts *types.PartSet) {
	h.t.Helper()
	p := types.NewProposal(h.height, round, pol, types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}, h.now)
	h.sign(p)
	h.feed(ProposalMessage{Proposal: p, From: "proposer"})
	for i := 0; i < int(parts.Total()); i++ {
		h.feed(BlockPartMessage{Height: h.height, Round: round, Part: parts.GetPart(i), From: "proposer"})
	}
}

// blockOf makes a block proposed by the proposer of round with txs, and its BlockID.
func (h *harness) blockOf(round int32, txs ...string) (*types.Block, *types.PartSet, types.BlockID) {
	var list types.Txs
	for _, tx := range txs {
		list = append(list, types.Tx(tx))
	}
	block, parts := h.makeBlock(h.height, list, h.proposerAt(round).PubKey().Address(), h.lastCommit)
	return block, parts, types.BlockID{Hash: block.Hash(), PartSetHeader: parts.Header()}
}

// fire fires the last scheduled timeout that matches step (after advancing the clock by it).
func (h *harness) fire(round int32, step Step) {
	h.t.Helper()
	for i := len(h.timeouts) - 1; i >= 0; i-- {
		to := h.timeouts[i]
		if to.Height == h.height && to.Round == round && to.Step == step {
			if to.Duration > 0 {
				h.now = h.now.Add(to.Duration)
			}
			h.feed(TimeoutFired{Height: to.Height, Round: to.Round, Step: to.Step})
			return
		}
	}
	h.t.Fatalf("no %v timeout scheduled for %d/%d; timeouts: %v", step, h.height, round, h.timeouts)
}

// ourVotes returns the votes we broadcast, in order.
func (h *harness) ourVotes() []*types.Vote {
	var out []*types.Vote
	for _, in := range h.sent {
		if v, ok := in.(VoteMessage); ok {
			out = append(out, v.Vote)
		}
	}
	return out
}

// lastVote returns our last vote of type t, failing if there is none.
func (h *harness) lastVote(t types.SignedMsgType) *types.Vote {
	h.t.Helper()
	votes := h.ourVotes()
	for i := len(votes) - 1; i >= 0; i-- {
		if votes[i].Type == t {
			return votes[i]
		}
	}
	h.t.Fatalf("we sent no %v", t)
	return nil
}

// expectVote checks that our last vote of type t is for id in round.
func (h *harness) expectVote(t types.SignedMsgType, round int32, id types.BlockID) {
	h.t.Helper()
	v := h.lastVote(t)
	if v.Round != round || !v.BlockID.Equals(id) {
		h.t.Fatalf("our last %v: round %d for %v; want round %d for %v", t, v.Round, v.BlockID, round, id)
	}
}

func (h *harness) countVotes(t types.SignedMsgType, round int32) int {
	n := 0
	for _, v := range h.ourVotes() {
		if v.Type == t && v.Round == round && v.Height == h.height {
			n++
		}
	}
	return n
}

// hasEvent reports whether an event of kind was published in round.
func (h *harness) hasEvent(kind EventKind, round int32) bool {
	for _, e := range h.events {
		if e.Kind == kind && e.HRS.Round == round && e.HRS.Height == h.height {
			return true
		}
	}
	return false
}

// goToRound0 starts the machine and fires the NewHeight timeout.
func (h *harness) goToRound0() {
	h.t.Helper()
	h.start()
	h.fire(0, StepNewHeight)
}

// weProposeRound reports whether we propose round r of the current height.
func (h *harness) weProposeRound(r int32) bool {
	return bytes.Equal(h.proposerAt(r).PubKey().Address(), h.us.PubKey().Address())
}

// requireProposer checks a test's assumption about who proposes round r (the keys are fixed, so
// this never changes from run to run).
func (h *harness) requireProposer(r int32, us bool) {
	h.t.Helper()
	if isUs := h.weProposeRound(r); isUs != us {
		h.t.Fatalf("round %d: we are proposer = %v, the test needs %v", r, isUs, us)
	}
}
