package consensus

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// extensionJudge is an executor whose application rejects the vote extensions of one validator.
type extensionJudge struct {
	Executor
	reject []byte // the validator address whose extensions are rejected

	mu    sync.Mutex
	asked [][]byte // validator addresses of the votes shown to the application
}

func (e *extensionJudge) VerifyVoteExtension(_ context.Context, vote *types.Vote, _ state.State) (bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.asked = append(e.asked, vote.ValidatorAddress)
	return string(vote.ValidatorAddress) != string(e.reject), nil
}

// With vote extensions enabled, another validator's non-nil precommit reaches the machine only if
// the application accepts its extension; nil precommits and prevotes are not shown to it.
func TestVoteExtensionsAreVerifiedByTheApplication(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newTestChain(t, 4, testConfig())
		c.gen.ConsensusParams.ABCI.VoteExtensionsEnableHeight = 1
		judge := &extensionJudge{reject: c.keys[1].PubKey().Address()}
		c.wrapExec = func(e Executor) Executor { judge.Executor = e; return judge }
		d := c.start()
		vals := d.Snapshot().State.Validators
		id := fakeBlockID("x")
		extended := func(i int) *types.Vote {
			v := c.signedVote(i, types.PrecommitType, 1, 0, id, vals)
			v.Extension = []byte("ext")
			sig, err := c.keys[i].Sign(v.ExtensionSignBytes(c.gen.ChainID))
			if err != nil {
				t.Fatal(err)
			}
			v.ExtensionSignature = sig
			return v
		}
		for _, m := range []PeerMessage{
			core.VoteMessage{Vote: extended(1), From: "peer-1"}, // rejected by the application
			core.VoteMessage{Vote: extended(2), From: "peer-2"},
			core.VoteMessage{Vote: c.signedVote(3, types.PrecommitType, 1, 0, types.BlockID{}, vals), From: "peer-3"},
			core.VoteMessage{Vote: c.signedVote(3, types.PrevoteType, 1, 0, id, vals), From: "peer-3"},
		} {
			if err := d.Deliver(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}
		index := func(i int) int32 { idx, _ := vals.GetByAddress(c.keys[i].PubKey().Address()); return idx }
		snap := d.waitView(t, time.Second, "validator 3's prevote", func(s *Snapshot) bool {
			prevotes := s.View.Votes(0, types.PrevoteType)
			return prevotes != nil && prevotes[index(3)] != nil
		})
		precommits := snap.View.Votes(0, types.PrecommitType)
		if precommits[index(1)] != nil {
			t.Error("a precommit whose extension the application rejected reached the machine")
		}
		if precommits[index(2)] == nil || precommits[index(3)] == nil {
			t.Error("an accepted precommit (validator 2's extension, validator 3's nil) did not reach the machine")
		}
		judge.mu.Lock()
		defer judge.mu.Unlock()
		if len(judge.asked) != 2 {
			t.Errorf("the application was asked about %d votes, want the 2 extended precommits", len(judge.asked))
		}
	})
}
