package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/types"
)

// Record is one line of the event log (JSON lines): an input fed to a node, an action a node's
// machine asked for, a node-level event (start, crash, commit, signer refusal), an injected
// fault or a violation. The actions of one machine call follow its input record at once, in
// order; the Start of a machine is an input record of type "Start".
type Record struct {
	T      int64  `json:"t_us"` // simulated time since genesis, in microseconds
	Node   int    `json:"node"` // -1: the network or the run
	Kind   string `json:"kind"` // "in", "act", "node", "fault" or "violation"
	Type   string `json:"type"` // e.g. "Prevote", "SignVote", "Crash"
	Msg    string `json:"msg,omitempty"`
	Height int64  `json:"h"`
	Round  int32  `json:"r"`
	From   string `json:"from,omitempty"`
	Detail string `json:"detail,omitempty"`

	// Replay data (see Replay): the time of a machine call (an input or Start), the input, the
	// machine a node Start record built, and an action's ActionDigest.
	Now     *time.Time     `json:"now,omitempty"`
	Input   *InputRecord   `json:"input,omitempty"`
	Machine *MachineRecord `json:"machine,omitempty"`
	Digest  string         `json:"digest,omitempty"`
}

// The record kinds.
const (
	KindInput     = "in"
	KindAction    = "act"
	KindNode      = "node"
	KindFault     = "fault"
	KindViolation = "violation"
)

// eventLog writes Records as JSON lines. A nil *eventLog writes nothing, so logging costs
// nothing when it is off.
type eventLog struct {
	sim *Sim
	w   *bufio.Writer
	enc *json.Encoder
	err error
}

func newEventLog(s *Sim, w io.Writer) *eventLog {
	if w == nil {
		return nil
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	return &eventLog{sim: s, w: bw, enc: json.NewEncoder(bw)}
}

func (l *eventLog) write(r Record) {
	if l == nil || l.err != nil {
		return
	}
	r.T = l.sim.sched.now.Microseconds()
	l.err = l.enc.Encode(r)
}

// flush writes out what is buffered and returns the first write error.
func (l *eventLog) flush() error {
	if l == nil {
		return nil
	}
	if l.err == nil {
		l.err = l.w.Flush()
	}
	return l.err
}

// input records in as fed to n's machine now; next is n's chain state, which a Committed input
// describes the height after.
func (l *eventLog) input(n *node, now time.Time, in core.Input) {
	if l == nil {
		return
	}
	r := describeInput(in)
	r.Node, r.Kind, r.Now = n.index, KindInput, &now
	var err error
	if r.Input, err = EncodeInput(in, n.chain.state, 0); err != nil && l.err == nil {
		l.err = err
	}
	l.write(r)
}

// start records a call of n's machine's Start.
func (l *eventLog) start(n *node, now time.Time, height int64) {
	l.write(Record{Node: n.index, Kind: KindInput, Type: "Start", Height: height, Now: &now})
}

func (l *eventLog) action(n *node, a core.Action) {
	if l == nil {
		return
	}
	r := describeAction(a)
	r.Node, r.Kind, r.Digest = n.index, KindAction, ActionDigest(a)
	l.write(r)
}

// machine records the node start that builds n's machine for h.
func (l *eventLog) machine(n *node, h core.Height, detail string) {
	if l == nil {
		return
	}
	hr, err := EncodeHeight(h, n.chain.state, 0)
	if err != nil && l.err == nil {
		l.err = err
	}
	l.write(Record{Node: n.index, Kind: KindNode, Type: "Start", Height: h.Height, Detail: detail,
		Machine: &MachineRecord{Config: n.sim.cfg.Consensus, Address: n.address, Height: hr}})
}

func (l *eventLog) node(n *node, typ string, height int64, round int32, detail string) {
	l.write(Record{Node: n.index, Kind: KindNode, Type: typ, Height: height, Round: round, Detail: detail})
}

func (l *eventLog) fault(f Fault) {
	l.write(Record{Node: -1, Kind: KindFault, Type: f.Kind.String(), Detail: f.String()})
}

func (l *eventLog) violation(v *Violation) {
	l.write(Record{Node: v.Node, Kind: KindViolation, Type: v.Kind, Height: v.Height, Detail: v.Detail})
}

// inputName is the log type of an input.
func inputName(in core.Input) string { return describeInput(in).Type }

func describeInput(in core.Input) Record {
	switch in := in.(type) {
	case core.ProposalMessage:
		p := in.Proposal
		return Record{Type: "Proposal", Height: p.Height, Round: p.Round, From: string(in.From),
			Detail: fmt.Sprintf("block %X pol %d", shortHash(p.BlockID.Hash), p.POLRound)}
	case core.BlockPartMessage:
		return Record{Type: "BlockPart", Height: in.Height, Round: in.Round, From: string(in.From),
			Detail: fmt.Sprintf("part %d of %d", in.Part.Index, in.Part.Proof.Total)}
	case core.VoteMessage:
		v := in.Vote
		return Record{Type: voteName(v.Type), Height: v.Height, Round: v.Round, From: string(in.From),
			Detail: fmt.Sprintf("val %d for %s", v.ValidatorIndex, blockName(v.BlockID))}
	case core.TimeoutFired:
		return Record{Type: "Timeout", Height: in.Height, Round: in.Round, Detail: in.Step.String()}
	case core.TxsAvailable:
		return Record{Type: "TxsAvailable"}
	case core.TxsBacklog:
		return Record{Type: "TxsBacklog", Height: in.Height}
	case core.ProposalBlockBuilt:
		detail := "no block"
		if in.Block != nil {
			detail = fmt.Sprintf("block %X, %d txs", shortHash(in.Block.Hash()), len(in.Block.Txs))
		}
		return Record{Type: "ProposalBlockBuilt", Height: in.Height, Round: in.Round, Detail: detail}
	case core.ProposalProcessed:
		return Record{Type: "ProposalProcessed", Height: in.Height, Round: in.Round,
			Detail: fmt.Sprintf("block %X accepted %v", shortHash(in.BlockHash), in.Accepted)}
	case core.Committed:
		return Record{Type: "Committed", Height: in.Next.Height}
	case core.PeerMaj23:
		return Record{Type: "PeerMaj23", Height: in.Height, Round: in.Round, From: string(in.From),
			Detail: fmt.Sprintf("%s for %s", voteName(in.Type), blockName(in.BlockID))}
	}
	return Record{Type: fmt.Sprintf("%T", in)}
}

func describeAction(a core.Action) Record {
	switch a := a.(type) {
	case core.ScheduleTimeout:
		return Record{Type: "ScheduleTimeout", Height: a.Height, Round: a.Round, Detail: fmt.Sprintf("%v in %v", a.Step, a.Duration)}
	case core.BuildProposal:
		return Record{Type: "BuildProposal", Height: a.Height, Round: a.Round}
	case core.SignProposal:
		p := a.Proposal
		return Record{Type: "SignProposal", Msg: "Proposal", Height: p.Height, Round: p.Round,
			Detail: fmt.Sprintf("block %X pol %d", shortHash(p.BlockID.Hash), p.POLRound)}
	case core.SignVote:
		v := a.Vote
		return Record{Type: "SignVote", Msg: voteName(v.Type), Height: v.Height, Round: v.Round,
			Detail: fmt.Sprintf("for %s", blockName(v.BlockID))}
	case core.ProcessProposal:
		return Record{Type: "ProcessProposal", Height: a.Height, Round: a.Round, Detail: fmt.Sprintf("block %X", shortHash(a.Block.Hash()))}
	case core.Broadcast:
		inner := describeInput(a.Message)
		return Record{Type: "Broadcast", Msg: inner.Type, Height: inner.Height, Round: inner.Round, Detail: inner.Detail}
	case core.Commit:
		return Record{Type: "Commit", Height: a.Height, Round: a.SeenCommit.Round, Detail: fmt.Sprintf("block %X", shortHash(a.Block.Hash()))}
	case core.ReportConflict:
		return Record{Type: "ReportConflict", Msg: voteName(a.VoteA.Type), Height: a.VoteA.Height, Round: a.VoteA.Round,
			Detail: fmt.Sprintf("val %d: %s and %s", a.VoteA.ValidatorIndex, blockName(a.VoteA.BlockID), blockName(a.VoteB.BlockID))}
	case core.Publish:
		e := a.Event
		detail := e.HRS.Step.String()
		if !e.BlockID.IsNil() {
			detail += " " + blockName(e.BlockID)
		}
		if e.Vote != nil {
			detail += fmt.Sprintf(" %s val %d for %s", voteName(e.Vote.Type), e.Vote.ValidatorIndex, blockName(e.Vote.BlockID))
		}
		return Record{Type: "Event", Msg: e.Kind.String(), Height: e.HRS.Height, Round: e.HRS.Round, Detail: detail}
	case core.Rejected:
		return Record{Type: "Rejected", From: string(a.From), Detail: a.Err.Error()}
	}
	return Record{Type: fmt.Sprintf("%T", a)}
}

func voteName(t types.SignedMsgType) string {
	switch t {
	case types.PrevoteType:
		return "Prevote"
	case types.PrecommitType:
		return "Precommit"
	case types.ProposalType:
		return "Proposal"
	}
	return fmt.Sprintf("SignedMsgType(%d)", int32(t))
}

func blockName(id types.BlockID) string {
	if id.IsNil() {
		return "nil"
	}
	return fmt.Sprintf("%X", shortHash(id.Hash))
}
