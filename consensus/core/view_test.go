package core

import (
	"testing"

	"github.com/ballot-bft/ballot/types"
)

// The view holds what gossip needs, and later steps of the machine don't change an earlier view.
func TestViewIsACopy(t *testing.T) {
	h := newHarness(t, 4, 3)
	h.goToRound0()
	block, parts, id := h.blockOf(0, "v=1")
	h.propose(0, -1, block, parts)
	v := h.m.View()
	if v.Proposal == nil || !v.PartsHeader.Equals(id.PartSetHeader) || v.PartsBitArray().Count() != int(parts.Total()) {
		t.Fatal("the view lacks the proposal or its parts")
	}
	ours := h.lastVote(types.PrevoteType)
	if got := v.Votes(0, types.PrevoteType)[ours.ValidatorIndex]; got == nil || got.Signature == nil {
		t.Fatal("the view lacks our prevote")
	}
	before := v.HRS
	h.votes(types.PrevoteType, 0, id, h.stubs()...)
	if v.HRS != before {
		t.Fatal("a view changed after it was taken")
	}
	stub := h.stubs()[0]
	index, _ := h.vals.GetByAddress(stub.PubKey().Address())
	if v.Votes(0, types.PrevoteType)[index] != nil {
		t.Fatal("a vote added after the view was taken appears in it")
	}
	if nv := h.m.View(); nv.Votes(0, types.PrevoteType)[index] == nil || nv.Rounds[0].PrevotesMaj23 == nil {
		t.Fatal("a new view lacks the new votes or the polka")
	}
}
