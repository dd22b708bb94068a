package reactor

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/ballot-bft/ballot/libs/bits"
	cmtjson "github.com/ballot-bft/ballot/libs/json"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/types"
)

// PeerStateDump is one peer's consensus state as dump_consensus_state shows it.
type PeerStateDump struct {
	ID p2p.ID
	// NetAddress is "id@host:port" of the peer's socket address.
	NetAddress string
	// State is CometBFT's PeerState JSON: {"round_state": {…}, "stats": {…}}.
	State json.RawMessage
}

// peerRoundStateJSON is the JSON form of CometBFT's PeerRoundState.
type peerRoundStateJSON struct {
	Height                   int64               `json:"height"`
	Round                    int32               `json:"round"`
	Step                     uint8               `json:"step"`
	StartTime                time.Time           `json:"start_time"`
	Proposal                 bool                `json:"proposal"`
	ProposalBlockPartsHeader types.PartSetHeader `json:"proposal_block_part_set_header"`
	ProposalBlockParts       *bits.BitArray      `json:"proposal_block_parts"`
	ProposalPOLRound         int32               `json:"proposal_pol_round"`
	ProposalPOL              *bits.BitArray      `json:"proposal_pol"`
	Prevotes                 *bits.BitArray      `json:"prevotes"`
	Precommits               *bits.BitArray      `json:"precommits"`
	LastCommitRound          int32               `json:"last_commit_round"`
	LastCommit               *bits.BitArray      `json:"last_commit"`
	CatchupCommitRound       int32               `json:"catchup_commit_round"`
	CatchupCommit            *bits.BitArray      `json:"catchup_commit"`
}

type peerStateJSON struct {
	RoundState peerRoundStateJSON `json:"round_state"`
	Stats      struct {
		Votes      int `json:"votes"`
		BlockParts int `json:"block_parts"`
	} `json:"stats"`
}

// marshalPeerState encodes ps with CometBFT's JSON conventions. It runs on the gossip goroutine,
// which owns ps.
func marshalPeerState(ps *peerState) (json.RawMessage, error) {
	var out peerStateJSON
	out.RoundState = peerRoundStateJSON{
		Height: ps.Height, Round: ps.Round, Step: uint8(ps.Step), StartTime: ps.StartTime,
		Proposal: ps.Proposal, ProposalBlockPartsHeader: ps.PartsHeader, ProposalBlockParts: ps.Parts,
		ProposalPOLRound: ps.ProposalPOLRound, ProposalPOL: ps.ProposalPOL,
		Prevotes: ps.Prevotes, Precommits: ps.Precommits,
		LastCommitRound: ps.LastCommitRound, LastCommit: ps.LastCommit,
		CatchupCommitRound: ps.CatchupCommitRound, CatchupCommit: ps.CatchupCommit,
	}
	out.Stats.Votes, out.Stats.BlockParts = ps.VotesReceived, ps.PartsReceived
	return cmtjson.Marshal(out)
}

// PeerStates returns every served peer's consensus state. Each peer's gossip goroutine, which
// owns that state, encodes it; a peer whose goroutine does not answer before ctx is done is
// left out.
func (r *Reactor) PeerStates(ctx context.Context) []PeerStateDump {
	r.mu.Lock()
	gossips := make([]*peerGossip, 0, len(r.peers))
	for _, g := range r.peers {
		gossips = append(gossips, g)
	}
	r.mu.Unlock()
	slices.SortFunc(gossips, func(a, b *peerGossip) int { return strings.Compare(string(a.peer.ID()), string(b.peer.ID())) })

	type answer struct {
		state json.RawMessage
		err   error
	}
	dumps := make([]PeerStateDump, 0, len(gossips))
	for _, g := range gossips {
		reply := make(chan answer, 1)
		ask := func(ps *peerState, _ *local) {
			state, err := marshalPeerState(ps)
			reply <- answer{state, err}
		}
		select {
		case g.inbox <- ask:
		case <-g.ctx.Done():
			continue
		case <-ctx.Done():
			return dumps
		}
		select {
		case a := <-reply:
			if a.err != nil {
				r.logger.Error("encoding a peer's consensus state", "peer", g.peer.ID(), "err", a.err)
				continue
			}
			dump := PeerStateDump{ID: g.peer.ID(), State: a.state}
			if addr := g.peer.SocketAddr(); addr != nil {
				dump.NetAddress = addr.String()
			}
			dumps = append(dumps, dump)
		case <-g.ctx.Done():
		case <-ctx.Done():
			return dumps
		}
	}
	return dumps
}
