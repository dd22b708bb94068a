package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	cwal "github.com/ballot-bft/ballot/consensus/wal"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	tmstate "github.com/ballot-bft/ballot/proto/tendermint/state"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// The replay codec: what the event log needs to rebuild a node's consensus machine and feed it
// its inputs again (Replay). A machine is a pure function of its Config, Identity, the Height it
// starts at and its inputs with their times; a Height is in turn a function of the chain state
// it describes (the drivers derive every field from it, and ValidateBlock is state.ValidateBlock
// over it), of the commit of the previous block, of NeedProofBlock and of CommitTime. Messages
// and timeouts are encoded as the consensus WAL writes them (consensus/wal); the answers to
// requests in the fields below. The codec depends only on consensus/core, consensus/wal, state
// and types, so that a real node's driver can record the same log.

// ErrReplayCodec wraps every decoding error of the replay codec.
var ErrReplayCodec = errors.New("sim: replay record")

// HeightRecord is a core.Height in the event log.
type HeightRecord struct {
	State          []byte        `json:"state"`                 // the chain state (tendermint.state.State)
	LastCommit     []byte        `json:"last_commit,omitempty"` // tendermint.types.ExtendedCommit
	NeedProofBlock bool          `json:"need_proof_block,omitempty"`
	CommitTime     time.Time     `json:"commit_time,omitzero"`
	Tolerance      time.Duration `json:"tolerance,omitempty"` // ValidateBlock's block_time_tolerance
}

// MachineRecord is everything core.New was given.
type MachineRecord struct {
	Config  core.Config  `json:"config"`
	Address []byte       `json:"address,omitempty"`
	Height  HeightRecord `json:"height"`
}

// InputRecord is a core.Input in the event log: WAL holds a message, a timeout or a claim as the
// consensus WAL writes it (a tendermint.consensus.WALMessage); the other fields hold the answers
// to requests and TxsAvailable.
type InputRecord struct {
	Kind      string        `json:"kind"`
	WAL       []byte        `json:"wal,omitempty"`
	Height    int64         `json:"height,omitempty"`
	Round     int32         `json:"round,omitempty"`
	Block     []byte        `json:"block,omitempty"` // tendermint.types.Block
	BlockHash []byte        `json:"block_hash,omitempty"`
	Accepted  bool          `json:"accepted,omitempty"`
	Next      *HeightRecord `json:"next,omitempty"`
}

// The InputRecord kinds besides "wal".
const (
	inputWAL       = "wal"
	inputTxs       = "txs_available"
	inputBacklog   = "txs_backlog"
	inputBuilt     = "proposal_block_built"
	inputProcessed = "proposal_processed"
	inputCommitted = "committed"
)

// EncodeHeight records h, which describes the height after st; tolerance is the block time
// tolerance its ValidateBlock applies.
func EncodeHeight(h core.Height, st state.State, tolerance time.Duration) (HeightRecord, error) {
	pb, err := st.ToProto()
	if err != nil {
		return HeightRecord{}, fmt.Errorf("sim: encoding the chain state: %w", err)
	}
	stateBytes, err := pb.Marshal()
	if err != nil {
		return HeightRecord{}, fmt.Errorf("sim: encoding the chain state: %w", err)
	}
	rec := HeightRecord{State: stateBytes, NeedProofBlock: h.NeedProofBlock, CommitTime: h.CommitTime, Tolerance: tolerance}
	if h.LastCommit != nil {
		if rec.LastCommit, err = h.LastCommit.ToProto().Marshal(); err != nil {
			return HeightRecord{}, fmt.Errorf("sim: encoding the last commit: %w", err)
		}
	}
	return rec, nil
}

// DecodeHeight rebuilds the core.Height of rec, as a driver derives it from the chain state.
func DecodeHeight(rec HeightRecord) (core.Height, error) {
	var pb tmstate.State
	if err := pb.Unmarshal(rec.State); err != nil {
		return core.Height{}, fmt.Errorf("%w: chain state: %w", ErrReplayCodec, err)
	}
	st, err := state.FromProto(&pb)
	if err != nil {
		return core.Height{}, fmt.Errorf("%w: chain state: %w", ErrReplayCodec, err)
	}
	height := st.LastBlockHeight + 1
	if st.LastBlockHeight == 0 {
		height = st.InitialHeight
	}
	tolerance := rec.Tolerance
	h := core.Height{
		ChainID:                    st.ChainID,
		Height:                     height,
		InitialHeight:              st.InitialHeight,
		Validators:                 st.Validators,
		BlockMaxBytes:              st.ConsensusParams.Block.MaxBytes,
		VoteExtensionsEnableHeight: st.ConsensusParams.ABCI.VoteExtensionsEnableHeight,
		NeedProofBlock:             rec.NeedProofBlock,
		CommitTime:                 rec.CommitTime,
		ValidateBlock: func(b *types.Block, now time.Time) error {
			return state.ValidateBlock(st, b, now, tolerance)
		},
	}
	if height > st.InitialHeight {
		h.LastValidators = st.LastValidators
	}
	if rec.LastCommit != nil {
		var cpb tmproto.ExtendedCommit
		if err := cpb.Unmarshal(rec.LastCommit); err != nil {
			return core.Height{}, fmt.Errorf("%w: last commit: %w", ErrReplayCodec, err)
		}
		if h.LastCommit, err = types.ExtendedCommitFromProto(&cpb); err != nil {
			return core.Height{}, fmt.Errorf("%w: last commit: %w", ErrReplayCodec, err)
		}
	}
	return h, nil
}

// EncodeInput records in. next is the chain state after the block a Committed input answers
// (unused for other inputs); tolerance is its ValidateBlock's block time tolerance.
func EncodeInput(in core.Input, next state.State, tolerance time.Duration) (*InputRecord, error) {
	switch in := in.(type) {
	case core.TxsAvailable:
		return &InputRecord{Kind: inputTxs}, nil
	case core.TxsBacklog:
		return &InputRecord{Kind: inputBacklog, Height: in.Height}, nil
	case core.ProposalBlockBuilt:
		rec := &InputRecord{Kind: inputBuilt, Height: in.Height, Round: in.Round}
		if in.Block != nil {
			pb, err := in.Block.ToProto()
			if err != nil {
				return nil, fmt.Errorf("sim: encoding a built block: %w", err)
			}
			if rec.Block, err = pb.Marshal(); err != nil {
				return nil, fmt.Errorf("sim: encoding a built block: %w", err)
			}
		}
		return rec, nil
	case core.ProposalProcessed:
		return &InputRecord{Kind: inputProcessed, Height: in.Height, Round: in.Round, BlockHash: in.BlockHash, Accepted: in.Accepted}, nil
	case core.Committed:
		h, err := EncodeHeight(in.Next, next, tolerance)
		if err != nil {
			return nil, err
		}
		return &InputRecord{Kind: inputCommitted, Next: &h}, nil
	}
	msg, err := cwal.MessageFromInput(in)
	if err != nil {
		return nil, fmt.Errorf("sim: encoding %T: %w", in, err)
	}
	b, err := msg.Marshal()
	if err != nil {
		return nil, fmt.Errorf("sim: encoding %T: %w", in, err)
	}
	return &InputRecord{Kind: inputWAL, WAL: b}, nil
}

// DecodeInput rebuilds the input of rec.
func DecodeInput(rec *InputRecord) (core.Input, error) {
	switch rec.Kind {
	case inputTxs:
		return core.TxsAvailable{}, nil
	case inputBacklog:
		return core.TxsBacklog{Height: rec.Height}, nil
	case inputProcessed:
		return core.ProposalProcessed{Height: rec.Height, Round: rec.Round, BlockHash: rec.BlockHash, Accepted: rec.Accepted}, nil
	case inputCommitted:
		if rec.Next == nil {
			return nil, fmt.Errorf("%w: committed without the next height", ErrReplayCodec)
		}
		next, err := DecodeHeight(*rec.Next)
		if err != nil {
			return nil, err
		}
		return core.Committed{Next: next}, nil
	case inputBuilt:
		built := core.ProposalBlockBuilt{Height: rec.Height, Round: rec.Round}
		if rec.Block == nil {
			return built, nil
		}
		var pb tmproto.Block
		if err := pb.Unmarshal(rec.Block); err != nil {
			return nil, fmt.Errorf("%w: built block: %w", ErrReplayCodec, err)
		}
		block, err := types.BlockFromProto(&pb)
		if err != nil {
			return nil, fmt.Errorf("%w: built block: %w", ErrReplayCodec, err)
		}
		parts, err := block.MakePartSet(types.BlockPartSizeBytes)
		if err != nil {
			return nil, fmt.Errorf("%w: built block's parts: %w", ErrReplayCodec, err)
		}
		built.Block, built.Parts = block, parts
		return built, nil
	case inputWAL:
		var msg consensuspb.WALMessage
		if err := msg.Unmarshal(rec.WAL); err != nil {
			return nil, fmt.Errorf("%w: WAL message: %w", ErrReplayCodec, err)
		}
		in, err := cwal.InputFromMessage(&msg)
		if err != nil {
			return nil, fmt.Errorf("%w: WAL message: %w", ErrReplayCodec, err)
		}
		return in, nil
	}
	return nil, fmt.Errorf("%w: unknown input kind %q", ErrReplayCodec, rec.Kind)
}

// ActionDigest is a fingerprint of everything in an action, for comparing a replayed machine's
// actions with the recorded ones.
func ActionDigest(a core.Action) string {
	h := sha256.New()
	var put func(parts ...any)
	put = func(parts ...any) {
		for _, p := range parts {
			switch p := p.(type) {
			case []byte:
				h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(p))))
				h.Write(p)
			case string:
				put([]byte(p))
			default:
				put(fmt.Append(nil, p))
			}
		}
	}
	marshal := func(m interface{ Marshal() ([]byte, error) }) []byte {
		b, err := m.Marshal()
		if err != nil {
			return []byte("unencodable: " + err.Error())
		}
		return b
	}
	vote := func(v *types.Vote) []byte {
		if v == nil {
			return nil
		}
		return marshal(v.ToProto())
	}
	header := func(ps *types.PartSet) []byte {
		pb := ps.Header().ToProto()
		return marshal(&pb)
	}
	blockHash := func(b *types.Block) []byte {
		if b == nil {
			return nil
		}
		return b.Hash()
	}
	put(fmt.Sprintf("%T", a))
	switch a := a.(type) {
	case core.ScheduleTimeout:
		put(int64(a.Duration), a.Height, a.Round, int(a.Step))
	case core.BuildProposal:
		put(a.Height, a.Round)
		if a.LastCommit != nil {
			put(marshal(a.LastCommit.ToProto()))
		}
	case core.SignProposal:
		put(marshal(a.Proposal.ToProto()), blockHash(a.Block), header(a.Parts))
	case core.SignVote:
		put(vote(a.Vote), blockHash(a.ExtendBlock))
	case core.ProcessProposal:
		put(a.Height, a.Round, blockHash(a.Block))
	case core.Broadcast:
		if msg, err := cwal.MessageFromInput(a.Message); err == nil {
			put(marshal(msg))
		} else {
			put(err.Error())
		}
	case core.Commit:
		put(a.Height, blockHash(a.Block), header(a.Parts), marshal(a.SeenCommit.ToProto()))
	case core.ReportConflict:
		put(vote(a.VoteA), vote(a.VoteB))
	case core.Rejected:
		put(string(a.From), a.Err.Error())
	case core.Publish:
		e := a.Event
		id := e.BlockID.ToProto()
		put(int(e.Kind), e.HRS.Height, e.HRS.Round, int(e.HRS.Step), marshal(&id), vote(e.Vote), e.ProposerIndex, e.IsCommit)
		if e.Proposer != nil {
			put([]byte(e.Proposer.Address))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}
