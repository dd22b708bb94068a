package sim

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/crypto"
	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/types"
)

// TestRecorderLogReplays drives a one-validator machine the way a real node's driver does —
// answers after each call's actions, timers in a queue — records every call with a Recorder,
// and replays the log: the replay must repeat every action and decide the same blocks.
func TestRecorderLogReplays(t *testing.T) {
	key := ed25519.GenPrivKeyFromSecret([]byte("recorder"))
	g, err := newGenesis("recorder-chain", []crypto.PubKey{key.PubKey()}, []int64{10}, newApp(nil).hash)
	if err != nil {
		t.Fatal(err)
	}
	ch, a := newChain(g), newApp(g.state.Validators.Validators)
	sig := newSigner(key, g.chainID)
	cfg := DefaultConfig().Consensus
	id := core.Identity{Address: key.PubKey().Address()}

	var log bytes.Buffer
	rec := NewRecorder(&log, 0, genesisTime, 0)
	now := genesisTime
	h := ch.next()
	m, err := core.New(cfg, id, h)
	if err != nil {
		t.Fatal(err)
	}
	rec.Machine(now, cfg, id, h, ch.state)

	type timer struct {
		at time.Time
		in core.TimeoutFired
	}
	var timers []timer
	var handle func(actions []core.Action)
	step := func(in core.Input) {
		actions := m.Step(now, in)
		rec.Step(now, in, ch.state, actions)
		handle(actions)
	}
	handle = func(actions []core.Action) {
		var answers []core.Input
		for _, act := range actions {
			switch act := act.(type) {
			case core.ScheduleTimeout:
				timers = append(timers, timer{now.Add(act.Duration), core.TimeoutFired{Height: act.Height, Round: act.Round, Step: act.Step}})
			case core.BuildProposal:
				var last *types.Commit
				if act.LastCommit != nil {
					last = act.LastCommit.ToCommit()
				}
				block, parts, err := ch.makeBlock(types.Txs{types.Tx(now.Format("t150405.000=1"))}, last, id.Address)
				if err != nil {
					t.Fatal(err)
				}
				answers = append(answers, core.ProposalBlockBuilt{Height: act.Height, Round: act.Round, Block: block, Parts: parts})
			case core.SignProposal:
				p := *act.Proposal
				if err := sig.signProposal(&p); err != nil {
					t.Fatal(err)
				}
				answers = append(answers, core.ProposalMessage{Proposal: &p})
				for i := 0; i < int(act.Parts.Total()); i++ {
					answers = append(answers, core.BlockPartMessage{Height: p.Height, Round: p.Round, Part: act.Parts.GetPart(i)})
				}
			case core.SignVote:
				v := *act.Vote
				if _, err := sig.signVote(&v); err != nil {
					t.Fatal(err)
				}
				answers = append(answers, core.VoteMessage{Vote: &v})
			case core.ProcessProposal:
				answers = append(answers, core.ProposalProcessed{Height: act.Height, Round: act.Round, BlockHash: act.Block.Hash(), Accepted: true})
			case core.Commit:
				if err := ch.commit(act.Block, act.Parts, act.SeenCommit, a); err != nil {
					t.Fatal(err)
				}
				answers = append(answers, core.Committed{Next: ch.next()})
			}
		}
		for _, in := range answers {
			step(in)
		}
	}
	start := m.Start(now)
	rec.Start(now, h.Height, start)
	handle(start)
	for ch.height < 5 {
		if len(timers) == 0 {
			t.Fatalf("no timer pending at height %d", ch.height)
		}
		next := 0
		for i := range timers {
			if timers[i].at.Before(timers[next].at) {
				next = i
			}
		}
		tm := timers[next]
		timers = append(timers[:next], timers[next+1:]...)
		if tm.at.After(now) {
			now = tm.at
		}
		step(tm.in)
	}
	if rec.Err() != nil {
		t.Fatal(rec.Err())
	}

	rep, err := Replay(bytes.NewReader(log.Bytes()), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Mismatch != nil || len(rep.Commits) != 5 || rep.Machines != 1 {
		t.Fatalf("replay of the recorded driver: %v", rep)
	}
	for _, c := range rep.Commits {
		if want := fmt.Sprintf("%X", []byte(ch.blocks[c.Height].block.Hash())); c.Block != want {
			t.Fatalf("height %d: replay decided %s, the driver %s", c.Height, c.Block, want)
		}
	}
}
