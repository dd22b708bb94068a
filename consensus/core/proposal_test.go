package core

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// Proposals that break the rules are refused and never prevoted.
func TestInvalidProposalsRefused(t *testing.T) {
	t.Run("not signed by the round's proposer", func(t *testing.T) {
		h := newHarness(t, 4, 3)
		h.goToRound0()
		block, parts, id := h.blockOf(0, "x=1")
		p := types.NewProposal(1, 0, -1, id, h.now)
		sig, err := h.stubs()[2].Sign(p.SignBytes(testChainID)) // stubs()[2] doesn't propose round 0
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(h.stubs()[2].PubKey().Address(), h.proposerAt(0).PubKey().Address()) {
			t.Fatal("test assumption: stubs()[2] must not be the round-0 proposer")
		}
		p.Signature = sig
		h.feed(ProposalMessage{Proposal: p, From: "forger"})
		if h.m.proposal != nil || len(h.rejected) != 1 || h.rejected[0].From != "forger" {
			t.Fatalf("forged proposal accepted (rejections %v)", h.rejected)
		}
		_, _ = block, parts
	})
	t.Run("POL round not before the round", func(t *testing.T) {
		h := newHarness(t, 4, 3)
		h.goToRound0()
		_, _, id := h.blockOf(0, "x=1")
		p := types.NewProposal(1, 0, 0, id, h.now)
		h.sign(p)
		h.feed(ProposalMessage{Proposal: p, From: "bad"})
		if h.m.proposal != nil || len(h.rejected) != 1 {
			t.Fatal("proposal with POL round == round accepted")
		}
	})
	t.Run("too many parts for block.max_bytes", func(t *testing.T) {
		h := newHarness(t, 4, 3)
		h.goToRound0()
		_, _, id := h.blockOf(0, "x=1")
		id.PartSetHeader.Total = h.m.h.maxParts() + 1
		p := types.NewProposal(1, 0, -1, id, h.now)
		h.sign(p)
		h.feed(ProposalMessage{Proposal: p, From: "big"})
		if h.m.proposal != nil || len(h.rejected) != 1 || !strings.Contains(h.rejected[0].Err.Error(), "parts") {
			t.Fatalf("oversized proposal accepted (rejections %v)", h.rejected)
		}
	})
	t.Run("block fails the chain-state checks", func(t *testing.T) {
		h := newHarness(t, 4, 3)
		h.goToRound0()
		block, parts, _ := h.blockOf(0, "invalid")
		h.propose(0, -1, block, parts)
		h.expectVote(types.PrevoteType, 0, types.BlockID{})
		for _, a := range h.actions {
			if _, ok := a.(ProcessProposal); ok {
				t.Fatal("asked the application about a block that failed validation")
			}
		}
	})
	t.Run("application rejects the block", func(t *testing.T) {
		h := newHarness(t, 4, 3)
		h.acceptProposal = func(*types.Block) bool { return false }
		h.goToRound0()
		block, parts, _ := h.blockOf(0, "x=1")
		h.propose(0, -1, block, parts)
		h.expectVote(types.PrevoteType, 0, types.BlockID{})
	})
}

// Parts may arrive in any order; the block completes when the last one is in.
func TestBlockPartsOutOfOrder(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	var txs []string
	for i := 0; i < 3; i++ {
		txs = append(txs, fmt.Sprintf("big%d=%s", i, strings.Repeat("x", 60_000)))
	}
	block, parts, id := h.blockOf(0, txs...)
	if parts.Total() < 3 {
		t.Fatalf("block has %d parts, want at least 3", parts.Total())
	}
	p := types.NewProposal(1, 0, -1, id, h.now)
	h.sign(p)
	h.feed(ProposalMessage{Proposal: p, From: "proposer"})
	for i := int(parts.Total()) - 1; i >= 0; i-- {
		if h.countVotes(types.PrevoteType, 0) != 0 {
			t.Fatal("prevoted before the block was complete")
		}
		h.feed(BlockPartMessage{Height: 1, Round: 0, Part: parts.GetPart(i), From: "proposer"})
	}
	h.expectVote(types.PrevoteType, 0, id)
	_ = block
}

// A part that doesn't belong to the proposal's part set is refused.
func TestForeignBlockPartRefused(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	_, parts, id := h.blockOf(0, "x=1")
	_, otherParts, _ := h.blockOf(0, "y=2")
	p := types.NewProposal(1, 0, -1, id, h.now)
	h.sign(p)
	h.feed(ProposalMessage{Proposal: p, From: "proposer"})
	h.feed(BlockPartMessage{Height: 1, Round: 0, Part: otherParts.GetPart(0), From: "liar"})
	if len(h.rejected) != 1 || h.rejected[0].From != "liar" || h.m.proposalBlock != nil {
		t.Fatalf("foreign part accepted (rejections %v)", h.rejected)
	}
	h.feed(BlockPartMessage{Height: 1, Round: 0, Part: parts.GetPart(0), From: "proposer"})
	h.expectVote(types.PrevoteType, 0, id)
}
