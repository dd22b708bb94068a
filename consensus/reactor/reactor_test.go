package reactor

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/types"
)

// count returns how many messages of each type were sent.
func count(msgs []message) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		out[reflect.TypeOf(m).Name()]++
	}
	return out
}

// While syncing the reactor follows peers' positions, ignores their votes and sends nothing; once
// switched to consensus it announces its position first.
func TestSyncingFollowsPeersAndSendsNothing(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, f, nil)
		p := h.addPeer("peer")
		h.receive(p, step(3, 0, core.StepPropose, 0))
		h.receive(p, voteMessage{Vote: f.vote(3, 0, types.PrevoteType, 1, types.BlockID{})})
		synctest.Wait()
		height, changed := h.r.PeerHeight(p.ID())
		if height != 3 {
			t.Fatalf("PeerHeight = %d; want 3", height)
		}
		h.receive(p, step(4, 0, core.StepPropose, 0))
		synctest.Wait()
		select {
		case <-changed:
		default:
			t.Fatal("the height's change channel was not closed when the peer moved to height 4")
		}
		if got := p.take(t); len(got) != 0 {
			t.Fatalf("a syncing reactor sent %+v", got)
		}

		h.cons = newFakeConsensus(f.state, f.view(5, 0, core.StepNewHeight))
		h.r.SwitchToConsensus(h.cons)
		synctest.Wait()
		got := p.take(t)
		if len(got) == 0 {
			t.Fatal("nothing sent after switching to consensus")
		}
		if nrs, ok := got[0].(newRoundStep); !ok || nrs.HRS != (core.HRS{Height: 5, Step: core.StepNewHeight}) || nrs.LastCommitRound != 0 {
			t.Fatalf("after switching to consensus: %+v", got)
		}
		if d := h.cons.takeDelivered(); len(d) != 0 {
			t.Fatalf("the vote received while syncing was delivered: %v", d)
		}
	})
}

// A peer at our height and round gets our position, the proposal, the parts and the votes it
// lacks, and a HasVote for each vote we hold.
func TestPeerGetsWhatItLacks(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		id := blockID("b", 2)
		v := f.view(5, 0, core.StepPrevote)
		v = withVote(v, f.vote(5, 0, types.PrevoteType, 1, id))
		v = withVote(v, f.vote(5, 0, types.PrevoteType, 3, id))
		v = f.withProposal(v, testParts(2), -1, 0, 1)
		h := newHarness(t, f, v)
		p := h.addPeer("peer")
		h.receive(p, step(5, 0, core.StepPropose, 0))
		synctest.Wait()
		got := p.take(t)
		want := map[string]int{"newRoundStep": 1, "hasVote": 2, "proposalMessage": 1, "blockPartMessage": 2, "voteMessage": 2}
		if c := count(got); !reflect.DeepEqual(c, want) {
			t.Fatalf("sent %v, want %v", c, want)
		}
		if _, ok := got[0].(newRoundStep); !ok {
			t.Fatalf("first message %T, want our position", got[0])
		}
	})
}

// A vote from a peer is delivered with the peer's ID and is not sent back to it; a new snapshot
// wakes the gossip, which sends what is new.
func TestReceivedVoteIsDeliveredNotEchoed(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		id := blockID("b", 2)
		v := f.view(5, 0, core.StepPrevote)
		h := newHarness(t, f, v)
		p := h.addPeer("peer")
		h.receive(p, step(5, 0, core.StepPrevote, 0))
		synctest.Wait()
		p.take(t)

		theirs := f.vote(5, 0, types.PrevoteType, 2, id)
		h.receive(p, voteMessage{Vote: theirs})
		synctest.Wait()
		d := h.cons.takeDelivered()
		if len(d) != 1 {
			t.Fatalf("delivered %v", d)
		}
		if in, ok := d[0].(core.VoteMessage); !ok || in.From != core.PeerID(p.ID()) || in.Vote.ValidatorIndex != 2 {
			t.Fatalf("delivered %+v", d[0])
		}

		ours := f.vote(5, 0, types.PrevoteType, 0, id)
		h.cons.publish(f.state, withVote(withVote(v, theirs), ours))
		synctest.Wait()
		got := p.take(t)
		var votes []int32
		for _, m := range got {
			if vm, ok := m.(voteMessage); ok {
				votes = append(votes, vm.Vote.ValidatorIndex)
			}
		}
		if !reflect.DeepEqual(votes, []int32{0}) {
			t.Fatalf("sent votes %v, want only ours (0): %+v", votes, got)
		}
	})
}

// A VoteSetMaj23 at our height reaches consensus and is answered with the votes we hold for that
// block; a conflicting claim for the same set disconnects.
func TestVoteSetMaj23(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		a, b := blockID("a", 1), blockID("b", 1)
		v := f.view(5, 0, core.StepPrevote)
		v = withVote(v, f.vote(5, 0, types.PrevoteType, 0, a))
		v = withVote(v, f.vote(5, 0, types.PrevoteType, 1, b))
		v = withVote(v, f.vote(5, 0, types.PrevoteType, 3, a))
		h := newHarness(t, f, v)
		p := h.addPeer("peer")
		synctest.Wait()
		p.take(t)

		claim := voteSetMaj23{Height: 5, Round: 0, Type: types.PrevoteType, BlockID: a}
		h.receive(p, claim)
		h.receive(p, claim) // repeating a claim is fine
		h.receive(p, voteSetMaj23{Height: 4, Round: 0, Type: types.PrevoteType, BlockID: b})
		synctest.Wait()
		want := core.PeerMaj23{Height: 5, Round: 0, Type: types.PrevoteType, BlockID: a, From: core.PeerID(p.ID())}
		if d := h.cons.takeDelivered(); len(d) != 2 || !reflect.DeepEqual(d[0], want) {
			t.Fatalf("delivered %+v, want twice %+v", d, want)
		}
		var answers []voteSetBits
		for _, m := range p.take(t) {
			if vsb, ok := m.(voteSetBits); ok {
				answers = append(answers, vsb)
			}
		}
		if len(answers) != 2 || answers[0].Votes.String() != "x__x" || !answers[0].BlockID.Equals(a) {
			t.Fatalf("answers %+v, want the bits x__x twice", answers)
		}

		h.receive(p, voteSetMaj23{Height: 5, Round: 0, Type: types.PrevoteType, BlockID: b})
		synctest.Wait()
		if err, stopped := h.sw.stoppedErr(p.ID()); !stopped || !errors.Is(err, ErrInvalidMessage) {
			t.Fatalf("a conflicting claim: stopped %v (%v)", stopped, err)
		}
	})
}

// The +2/3 claims go out on the query timer, not before.
func TestMaj23QueriesOnTheTimer(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		a := blockID("a", 1)
		v := f.view(5, 0, core.StepPrecommit)
		v.Rounds[0].PrevotesMaj23 = &a
		h := newHarness(t, f, v)
		p := h.addPeer("peer")
		h.receive(p, step(5, 0, core.StepPrevote, 0))
		synctest.Wait()
		if c := count(p.take(t)); c["voteSetMaj23"] != 0 {
			t.Fatalf("claims sent before the timer: %v", c)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		got := p.take(t)
		want := []message{voteSetMaj23{Height: 5, Round: 0, Type: types.PrevoteType, BlockID: a}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after the query period: %+v, want %+v", got, want)
		}
	})
}

// Punish disconnects the peer, except for a block part that does not fit our part set.
func TestPunishDisconnects(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, f, f.view(5, 0, core.StepPropose))
		p := h.addPeer("peer")
		cause := errors.New("bad signature")
		misfit := fmt.Errorf("block part 1 of 5/0: %w", types.ErrPartSetInvalidProof)
		h.r.Punish(core.PeerID(p.ID()), misfit)
		synctest.Wait()
		if err, stopped := h.sw.stoppedErr(p.ID()); stopped {
			t.Fatalf("a part that does not fit our part set disconnected the peer: %v", err)
		}
		h.r.Punish(core.PeerID(p.ID()), cause)
		h.r.Punish("unknown-peer", cause)
		synctest.Wait()
		if err, stopped := h.sw.stoppedErr(p.ID()); !stopped || !errors.Is(err, cause) {
			t.Fatalf("stopped %v with %v", stopped, err)
		}
	})
}

// blockingPeer's Send waits until release is closed.
type blockingPeer struct {
	*fakePeer
	release chan struct{}
}

func (p *blockingPeer) Send(e p2p.Envelope) bool {
	<-p.release
	return p.fakePeer.Send(e)
}

// A peer whose connection does not take messages does not hold up what it tells us: its
// messages are still taken in, and gossip resumes when the connection drains.
func TestSlowPeerDoesNotBlockReceive(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		v := f.view(5, 0, core.StepPrevote)
		h := newHarness(t, f, v)
		p := &blockingPeer{fakePeer: newFakePeer("slow"), release: make(chan struct{})}
		h.r.AddPeer(p)
		for i := range 3 * inboxSize {
			h.r.Receive(p2p.Envelope{Src: p, ChannelID: StateChannel,
				Message: hasVote{Height: 5, Round: 0, Type: types.PrevoteType, Index: int32(i % 4)}.toProto()})
		}
		h.r.Receive(p2p.Envelope{Src: p, ChannelID: StateChannel, Message: step(6, 0, core.StepNewHeight, 0).toProto()})
		synctest.Wait()
		if height, _ := h.r.PeerHeight(p.ID()); height != 6 {
			t.Fatalf("PeerHeight %d, want 6: the updates were not taken in", height)
		}
		close(p.release)
		synctest.Wait()
		if got := p.take(t); len(got) == 0 {
			t.Fatal("nothing was sent once the connection drained")
		}
	})
}

// A removed peer is sent nothing more.
func TestRemovedPeerIsSentNothing(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		v := f.view(5, 0, core.StepPrevote)
		h := newHarness(t, f, v)
		p := h.addPeer("peer")
		synctest.Wait()
		p.take(t)
		h.r.RemovePeer(p, nil)
		h.cons.publish(f.state, withVote(v, f.vote(5, 0, types.PrevoteType, 0, types.BlockID{})))
		synctest.Wait()
		if got := p.take(t); len(got) != 0 {
			t.Fatalf("a removed peer was sent %+v", got)
		}
		if height, _ := h.r.PeerHeight(p.ID()); height != 0 {
			t.Fatalf("a removed peer still has height %d", height)
		}
	})
}

// Every 10000 votes from a peer mark it good with the switch (for the address book).
func TestUsefulPeerIsMarkedGood(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, f, f.view(5, 0, core.StepPrevote))
		p := h.addPeer("peer")
		vote := voteMessage{Vote: f.vote(5, 0, types.PrevoteType, 1, types.BlockID{})}.toProto()
		for i := range goodPeerEvery {
			h.r.Receive(p2p.Envelope{Src: p, ChannelID: VoteChannel, Message: vote})
			if i == goodPeerEvery-2 {
				synctest.Wait()
				if n := h.sw.timesGood(p.ID()); n != 0 {
					t.Fatalf("marked good after %d votes", i+1)
				}
			}
		}
		synctest.Wait()
		if n := h.sw.timesGood(p.ID()); n != 1 {
			t.Fatalf("marked good %d times after %d votes, want once", n, goodPeerEvery)
		}
	})
}

// A send the connection refuses is not recorded as sent and is not retried in a busy loop: it is
// sent again once something changes.
func TestRefusedSendIsRetriedOnTheNextChange(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, f, f.view(5, 0, core.StepPrevote))
		p := newFakePeer("peer")
		p.fail = true
		h.r.AddPeer(p)
		synctest.Wait() // returns only because the gossip goroutine waits instead of retrying
		p.mu.Lock()
		p.fail = false
		p.mu.Unlock()
		h.receive(p, step(5, 0, core.StepPropose, 0))
		synctest.Wait()
		got := p.take(t)
		if len(got) == 0 {
			t.Fatal("nothing sent after the change")
		}
		if _, ok := got[0].(newRoundStep); !ok {
			t.Fatalf("first message after the refusal %T, want our position again", got[0])
		}
	})
}

// A peer announcing, with NewValidBlock, the block we assemble gets the parts it lacks of it.
func TestNewValidBlockFromPeerGetsItParts(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		parts := testParts(3)
		v := f.view(5, 1, core.StepPrecommit)
		v.PartsHeader = parts.Header()
		v.ProposalBlockParts = []*types.Part{parts.GetPart(0), parts.GetPart(1), parts.GetPart(2)}
		h := newHarness(t, f, v)
		p := h.addPeer("peer")
		h.receive(p, step(5, 0, core.StepPrecommit, 0))
		h.receive(p, newValidBlock{Height: 5, Round: 0, PartsHeader: parts.Header(), Parts: bitsOf(3, 0, 2), IsCommit: true})
		synctest.Wait()
		var sent []int
		for _, m := range p.take(t) {
			if bp, ok := m.(blockPartMessage); ok {
				sent = append(sent, int(bp.Part.Index))
			}
		}
		if !reflect.DeepEqual(sent, []int{1}) {
			t.Fatalf("sent parts %v, want [1]", sent)
		}
	})
}

// PeerStates reports what a peer announced, in CometBFT's PeerState JSON.
func TestPeerStatesDump(t *testing.T) {
	f := newFixture(t)
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, f, nil)
		p := h.addPeer("peer")
		h.receive(p, step(3, 1, core.StepPrevote, 0))
		synctest.Wait()
		dumps := h.r.PeerStates(t.Context())
		if len(dumps) != 1 || dumps[0].ID != p.ID() {
			t.Fatalf("PeerStates = %+v; want the one peer", dumps)
		}
		var got struct {
			RoundState struct {
				Height string `json:"height"`
				Round  int32  `json:"round"`
				Step   uint8  `json:"step"`
			} `json:"round_state"`
			Stats map[string]string `json:"stats"` // ints are 64-bit: strings in CometBFT JSON
		}
		if err := json.Unmarshal(dumps[0].State, &got); err != nil {
			t.Fatalf("peer state %s: %v", dumps[0].State, err)
		}
		if got.RoundState.Height != "3" || got.RoundState.Round != 1 || got.RoundState.Step != uint8(core.StepPrevote) {
			t.Fatalf("peer state %s; want height \"3\", round 1, the prevote step", dumps[0].State)
		}
		if _, ok := got.Stats["block_parts"]; !ok {
			t.Fatalf("peer state %s has no stats.block_parts", dumps[0].State)
		}
	})
}
