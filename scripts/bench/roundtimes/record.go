package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The boundaries of a height, in protocol order. A height's phases are the times between
// consecutive boundaries; a boundary seen before the previous one counts as reached with it,
// so the phases add up to the height's time.
const (
	bNewHeight     = iota // RoundStepNewHeight of this height
	bPropose              // RoundStepPropose, round 0
	bProposal             // CompleteProposal: proposal and whole block in
	bPrevoteStep          // RoundStepPrevote: the node prevoted
	bPrevotes             // +2/3 prevotes for one block (or nil) in the decision round
	bPrecommitStep        // RoundStepPrecommit
	bPrecommits           // +2/3 precommits for one block in the decision round
	bCommitStep           // RoundStepCommit
	bNextHeight           // RoundStepNewHeight of the next height: the block is applied
	nBoundaries
)

// phaseNames name the phase that ends at each boundary (index 0 is unused).
var phaseNames = [nBoundaries]string{"", "wait", "proposal", "prevote", "prevotes", "precommit", "precommits", "commit", "apply"}

// phaseHelp says what each phase holds, for the report.
var phaseHelp = [nBoundaries]string{"",
	"new height until the propose step (timeout_commit, waiting for txs)",
	"propose step until the proposal and all its block parts are in (build or gossip)",
	"complete proposal until the node's own prevote step (block validation, ProcessProposal)",
	"own prevote until +2/3 prevotes (vote gossip)",
	"+2/3 prevotes until the precommit step",
	"own precommit until +2/3 precommits (vote gossip)",
	"+2/3 precommits until the commit step",
	"commit step until the next height starts (block saved and executed, mempool updated)",
}

// height is what one node showed of one height.
type height struct {
	Height int64 `json:"height"`
	// Rounds is the number of rounds the height took (1 when decided in round 0).
	Rounds int32 `json:"rounds"`
	Txs    int64 `json:"txs"`
	// Proposer reports whether the watched node proposed round 0 (when it is a validator).
	ProposerIndex int32 `json:"proposer_index"`
	// At holds the boundaries' times in ms since the height started (-1: not seen).
	At [nBoundaries]float64 `json:"at_ms"`
	// Phases are the durations between consecutive boundaries, in ms (see phaseNames).
	Phases map[string]float64 `json:"phases_ms"`
	Total  float64            `json:"total_ms"`

	start    time.Time
	times    [nBoundaries]time.Time
	maxRound int32
	txsSeen  bool
	votes    map[voteKey]map[string]int64 // (type, round, block) → validator → power
}

type voteKey struct {
	typ   int
	round int32
	block string
}

// recorder turns a node's events into heights.
type recorder struct {
	powers  map[string]int64
	total   int64
	heights map[int64]*height
}

func newRecorder(powers map[string]int64, total int64) *recorder {
	return &recorder{powers: powers, total: total, heights: map[int64]*height{}}
}

func (r *recorder) at(h int64) *height {
	x := r.heights[h]
	if x == nil {
		x = &height{Height: h, ProposerIndex: -1, votes: map[voteKey]map[string]int64{}}
		r.heights[h] = x
	}
	return x
}

// mark sets boundary b of h to t unless it is already set.
func (x *height) mark(b int, t time.Time) {
	if x.times[b].IsZero() {
		x.times[b] = t
	}
}

// event is the part of an event message roundtimes reads: its kind is tm.event (the data's
// type is shared: NewRoundStep and Polka both carry a RoundState).
type event struct {
	Data struct {
		Value json.RawMessage `json:"value"`
	} `json:"data"`
	Events map[string][]string `json:"events"`
}

type roundState struct {
	Height int64  `json:"height,string"`
	Round  int32  `json:"round"`
	Step   string `json:"step"`
}

func (r *recorder) add(t time.Time, raw json.RawMessage) error {
	var ev event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("decoding an event: %w", err)
	}
	var kind string
	if k := ev.Events["tm.event"]; len(k) > 0 {
		kind = k[0]
	}
	switch kind {
	case "NewRoundStep", "NewRound", "CompleteProposal":
		var rs struct {
			roundState
			Proposer struct {
				Index int32 `json:"index"`
			} `json:"proposer"`
		}
		if err := json.Unmarshal(ev.Data.Value, &rs); err != nil {
			return fmt.Errorf("decoding %s: %w", kind, err)
		}
		r.roundEvent(t, kind, rs.roundState, rs.Proposer.Index)
	case "Vote":
		var v struct {
			Vote struct {
				Type    int   `json:"type"`
				Height  int64 `json:"height,string"`
				Round   int32 `json:"round"`
				BlockID struct {
					Hash string `json:"hash"`
				} `json:"block_id"`
				Address string `json:"validator_address"`
			} `json:"Vote"`
		}
		if err := json.Unmarshal(ev.Data.Value, &v); err != nil {
			return fmt.Errorf("decoding Vote: %w", err)
		}
		r.vote(t, v.Vote.Type, v.Vote.Height, v.Vote.Round, v.Vote.BlockID.Hash, strings.ToUpper(v.Vote.Address))
	case "NewBlockEvents":
		var b struct {
			Height int64 `json:"height,string"`
			NumTxs int64 `json:"num_txs,string"`
		}
		if err := json.Unmarshal(ev.Data.Value, &b); err != nil {
			return fmt.Errorf("decoding NewBlockEvents: %w", err)
		}
		x := r.at(b.Height)
		x.Txs, x.txsSeen = b.NumTxs, true
	}
	return nil
}

func (r *recorder) roundEvent(t time.Time, kind string, rs roundState, proposer int32) {
	x := r.at(rs.Height)
	x.maxRound = max(x.maxRound, rs.Round)
	switch {
	case kind == "NewRound" && rs.Round == 0:
		x.ProposerIndex = proposer
	case kind == "CompleteProposal":
		x.mark(bProposal, t)
	case kind != "NewRoundStep":
	case rs.Step == "RoundStepNewHeight":
		x.mark(bNewHeight, t)
		if rs.Height > 1 {
			r.at(rs.Height-1).mark(bNextHeight, t)
		}
	case rs.Step == "RoundStepPropose" && rs.Round == 0:
		x.mark(bPropose, t)
	case rs.Step == "RoundStepPrevote":
		x.times[bPrevoteStep] = t // the decision round's counts: keep the last
	case rs.Step == "RoundStepPrecommit":
		x.times[bPrecommitStep] = t
	case rs.Step == "RoundStepCommit":
		x.mark(bCommitStep, t)
	}
}

// vote counts a vote; the first time one block (or nil, for prevotes) has +2/3 of the power
// in a round marks the prevotes or precommits boundary (the decision round's wins: later).
func (r *recorder) vote(t time.Time, typ int, h int64, round int32, block, addr string) {
	x := r.at(h)
	k := voteKey{typ, round, block}
	m := x.votes[k]
	if m == nil {
		m = map[string]int64{}
		x.votes[k] = m
	}
	if _, dup := m[addr]; dup {
		return
	}
	before := sum(m)
	m[addr] = r.powers[addr]
	if before*3 > r.total*2 || sum(m)*3 <= r.total*2 {
		return
	}
	switch {
	case typ == 1: // prevote
		x.times[bPrevotes] = t
	case typ == 2 && block != "": // precommit for a block
		x.times[bPrecommits] = t
	}
}

func sum(m map[string]int64) int64 {
	var s int64
	for _, p := range m {
		s += p
	}
	return s
}

// complete returns the heights whose start, end and block size were all seen, in order.
func (r *recorder) complete() []*height {
	var out []*height
	for _, x := range r.heights {
		if x.times[bNewHeight].IsZero() || x.times[bNextHeight].IsZero() || !x.txsSeen {
			continue
		}
		x.Rounds = x.maxRound + 1
		x.start = x.times[bNewHeight]
		x.Phases = map[string]float64{}
		last := x.start
		for b := range nBoundaries {
			t := x.times[b]
			if t.IsZero() {
				x.At[b] = -1
				continue
			}
			x.At[b] = ms(t.Sub(x.start))
			if b == bNewHeight {
				continue
			}
			if t.Before(last) {
				t = last
			}
			x.Phases[phaseNames[b]] = ms(t.Sub(last))
			last = t
		}
		x.Total = ms(x.times[bNextHeight].Sub(x.start))
		out = append(out, x)
	}
	slices.SortFunc(out, func(a, b *height) int { return int(a.Height - b.Height) })
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
