package consensus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/libs/fail"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/privval"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/types"
)

// PeerMessage is a consensus message from a peer: a core.ProposalMessage, core.BlockPartMessage,
// core.VoteMessage or core.PeerMaj23, already checked statelessly by the gossip layer.
type PeerMessage = core.Input

// Config is the driver's configuration.
type Config struct {
	Core core.Config
	// BlockTimeTolerance bounds how far in the future a block's time may be (block_time_tolerance).
	BlockTimeTolerance time.Duration
}

// Driver runs a core.Machine for a node: it owns the machine, the chain state and the ticker, and
// is the only goroutine that touches them. Others send it peer messages (Deliver) and read
// published snapshots (Snapshot).
type Driver struct {
	cfg      Config
	logger   log.Logger
	signer   privval.PrivValidator // nil on a node that doesn't validate
	exec     Executor
	blocks   BlockStore
	wal      WAL
	gossip   Gossip
	events   Events
	txs      <-chan struct{} // mempool's TxsAvailable; nil if not waiting for transactions
	backlog  <-chan int64    // mempool's TxsBacklog; nil without skip_timeout_commit_txs
	now      func() time.Time
	rec      *recorder // metrics
	eventLog Recorder  // the event log of machine calls; nil when not recording

	inbox chan PeerMessage

	// Owned by the Run goroutine.
	replaying bool         // feeding the WAL of the current height back after a restart
	answers   []core.Input // answers to the machine's requests, not yet fed; first in front
	state     state.State
	machine   *core.Machine
	ticker    *ticker
	ctx       context.Context

	snapshot atomic.Pointer[Snapshot]
}

// Snapshot is what other goroutines may read about consensus: the chain state and the machine's
// view of the current height. It is immutable once published; Changed is closed when a newer one
// is published, so readers wait on it instead of polling.
type Snapshot struct {
	State   state.State
	HRS     core.HRS
	View    *core.View // nil until the machine runs
	Changed <-chan struct{}

	changedW chan struct{} // the writable side of Changed, for the driver
}

// Deps are the driver's collaborators.
type Deps struct {
	Logger       log.Logger
	Signer       privval.PrivValidator
	Executor     Executor
	BlockStore   BlockStore
	WAL          WAL
	Gossip       Gossip
	Events       Events
	TxsAvailable <-chan struct{}
	// TxsBacklog is the mempool's TxsBacklog channel, for skip_timeout_commit_txs; nil without.
	TxsBacklog <-chan int64
	Now        func() time.Time
	Metrics    *Metrics // nil: NopMetrics
	// Recorder, if not nil, records every machine call for an event log.
	Recorder Recorder
}

// NewDriver returns a driver that continues from st, the chain state after the last block
// executed (the ABCI handshake has already brought the application to the same height).
func NewDriver(cfg Config, st state.State, deps Deps) *Driver {
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	logger := deps.Logger
	if logger == nil {
		logger = log.NewNop()
	}
	m := deps.Metrics
	if m == nil {
		m = NopMetrics()
	}
	d := &Driver{
		cfg: cfg, logger: logger, signer: deps.Signer, exec: deps.Executor, blocks: deps.BlockStore,
		wal: deps.WAL, gossip: deps.Gossip, events: deps.Events, txs: deps.TxsAvailable, now: now,
		backlog:  deps.TxsBacklog,
		eventLog: deps.Recorder,
		rec:      newRecorder(m, now),
		inbox:    make(chan PeerMessage, 1024),
		state:    st,
	}
	d.publishSnapshot(core.HRS{Height: st.LastBlockHeight + 1, Step: core.StepNewHeight})
	return d
}

// Deliver queues a message from a peer. It blocks while the driver's inbox is full (back-pressure
// on the gossip layer) or until ctx is done.
func (d *Driver) Deliver(ctx context.Context, msg PeerMessage) error {
	select {
	case d.inbox <- msg:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Snapshot returns the latest published snapshot.
func (d *Driver) Snapshot() *Snapshot { return d.snapshot.Load() }

func (d *Driver) publishSnapshot(hrs core.HRS) {
	d.publish(&Snapshot{State: d.state, HRS: hrs})
}

// publishView publishes the machine's current view; called after every input.
func (d *Driver) publishView() {
	v := d.machine.View()
	d.publish(&Snapshot{State: d.state, HRS: v.HRS, View: v})
}

func (d *Driver) publish(s *Snapshot) {
	changed := make(chan struct{})
	s.Changed, s.changedW = changed, changed
	if old := d.snapshot.Swap(s); old != nil {
		close(old.changedW)
	}
}

// Run replays the WAL of the current height, then runs consensus until ctx is done or something
// fails that the node cannot continue after (a broken application connection, a failed disk
// write). It returns nil when ctx is canceled.
//
// Every input is one step of the machine, and a snapshot is published after each: the answers
// to the machine's requests (its own signed messages, the block it asked for, the application's
// verdict, the next height after a commit) are queued and fed one per loop turn, before any
// other input, as the core's contract asks. The exception is Committed, the answer to a
// decided block: inputs that are ready then may go first (the machine buffers them until the
// commit is done, and they are logged after the height's end marker, so a replay sees them in
// the same order). So a chain that never waits — one validator with skip_timeout_commit —
// still serves its peers, its timeouts and a stop.
func (d *Driver) Run(ctx context.Context) error {
	d.ctx = ctx
	d.ticker = newTicker()
	defer d.ticker.stop()

	height, err := d.heightInfo(d.state, nil)
	if err != nil {
		return err
	}
	var id core.Identity
	if d.signer != nil {
		pub, err := d.signer.PubKey()
		if err != nil {
			return fmt.Errorf("consensus: priv validator key: %w", err)
		}
		id.Address = pub.Address()
	}
	d.machine, err = core.New(d.cfg.Core, id, height)
	if err != nil {
		return err
	}
	if d.eventLog != nil {
		d.eventLog.Machine(d.now(), d.cfg.Core, id, height, d.state)
	}
	if err := d.catchupReplay(); err != nil {
		return err
	}
	if d.state.LastBlockHeight < height.Height {
		// Round 0 of the height. (If the replay committed it, the machine schedules the next
		// height's round 0 itself when the queued Committed answer reaches it.)
		now := d.now()
		actions := d.machine.Start(now)
		if d.eventLog != nil {
			d.eventLog.Start(now, height.Height, actions)
		}
		if err := d.carryOut(actions); err != nil {
			return err
		}
	}
	d.publishView()

	for {
		err := d.next(ctx)
		if errors.Is(err, errStopped) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil // a call cut short by the stop: the WAL and the handshake recover it
			}
			return err
		}
		d.publishView()
	}
}

// errStopped reports that Run's context is done.
var errStopped = errors.New("consensus: stopped")

// next feeds the next input: a queued answer, or whatever arrives first.
func (d *Driver) next(ctx context.Context) error {
	if len(d.answers) > 0 {
		if _, committed := d.answers[0].(core.Committed); !committed {
			if ctx.Err() != nil {
				return errStopped
			}
			return d.feed(d.popAnswer())
		}
	}
	var wait <-chan struct{} // blocks in select when no answer waits; a closed channel otherwise
	if len(d.answers) > 0 {
		wait = closedChan
	}
	select {
	case <-ctx.Done():
		return errStopped
	case msg := <-d.inbox:
		return d.peerInput(msg)
	case <-d.ticker.C():
		if fired, ok := d.ticker.fired(); ok {
			return d.input(fired, logWAL)
		}
		return nil
	case <-d.txs:
		return d.input(core.TxsAvailable{}, skipWAL)
	case height := <-d.backlog:
		return d.input(core.TxsBacklog{Height: height}, skipWAL)
	case <-wait:
		return d.feed(d.popAnswer())
	}
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

type walMode int

const (
	logWAL  walMode = iota // write the input to the WAL before the machine sees it
	skipWAL                // replayed from the WAL, already logged, or not a logged input
)

// input feeds one input from outside the machine (a peer, the ticker, the mempool, the WAL),
// written to the WAL first per mode.
func (d *Driver) input(in core.Input, mode walMode) error {
	if mode == logWAL {
		if err := d.writeInput(in, false); err != nil {
			return err
		}
	}
	return d.feed(in)
}

// feed steps the machine with in and carries out the actions.
func (d *Driver) feed(in core.Input) error {
	if !d.replaying {
		d.rec.input(in, d.snapshot.Load().View) // the view after the last input: the machine's now
	}
	now := d.now()
	actions := d.machine.Step(now, in)
	if d.eventLog != nil {
		d.eventLog.Step(now, in, d.state, actions)
	}
	return d.carryOut(actions)
}

// carryOut carries out the actions of one step in order and queues the answers to its requests,
// in order, ahead of the answers still queued: answers are fed depth first, as if each request
// were a synchronous call.
func (d *Driver) carryOut(actions []core.Action) error {
	var answers []core.Input
	for _, a := range actions {
		ans, err := d.execute(a)
		if err != nil {
			return err
		}
		answers = append(answers, ans...)
	}
	if len(answers) > 0 {
		d.answers = append(answers, d.answers...)
	}
	return nil
}

func (d *Driver) popAnswer() core.Input {
	in := d.answers[0]
	d.answers[0] = nil
	d.answers = d.answers[1:]
	return in
}

// execute carries out one action and returns the inputs that answer it.
func (d *Driver) execute(a core.Action) ([]core.Input, error) {
	switch a := a.(type) {
	case core.ScheduleTimeout:
		d.ticker.schedule(a)
	case core.Publish:
		if a.Event.Kind == core.EventNewRoundStep {
			if err := d.writeRoundState(a.Event.HRS); err != nil {
				return nil, err
			}
		}
		d.rec.event(a.Event, d.snapshot.Load().View, d.replaying)
		if d.events != nil {
			d.events.Publish(a.Event)
		}
	case core.Broadcast:
		if d.gossip != nil {
			d.gossip.Broadcast(a.Message)
		}
	case core.Rejected:
		if a.From != "" && d.gossip != nil {
			d.gossip.Punish(a.From, a.Err)
		} else {
			d.logger.Debug("refused input", "err", a.Err)
		}
	case core.ReportConflict:
		if d.events != nil {
			d.events.ReportConflict(a.VoteA, a.VoteB)
		}
	case core.BuildProposal:
		return d.buildProposal(a)
	case core.SignProposal:
		return d.signProposal(a)
	case core.SignVote:
		return d.signVote(a)
	case core.ProcessProposal:
		ok, err := d.exec.ProcessProposal(d.ctx, a.Block, d.state)
		if err != nil {
			return nil, fmt.Errorf("consensus: ProcessProposal at height %d: %w", a.Height, err)
		}
		d.rec.proposalJudged(ok)
		return []core.Input{core.ProposalProcessed{Height: a.Height, Round: a.Round, BlockHash: a.Block.Hash(), Accepted: ok}}, nil
	case core.Commit:
		return d.commit(a)
	default:
		return nil, fmt.Errorf("consensus: unknown action %T", a)
	}
	return nil, nil
}

func (d *Driver) buildProposal(a core.BuildProposal) ([]core.Input, error) {
	block, parts, err := d.exec.CreateProposalBlock(d.ctx, a.Height, d.state, a.LastCommit, d.machineAddress())
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		// CometBFT panics here; a node that can't build a block just doesn't propose this round.
		d.logger.Error("can't create the proposal block", "height", a.Height, "round", a.Round, "err", err)
		return []core.Input{core.ProposalBlockBuilt{Height: a.Height, Round: a.Round}}, nil
	}
	d.rec.m.ProposalCreateCount.Add(1)
	return []core.Input{core.ProposalBlockBuilt{Height: a.Height, Round: a.Round, Block: block, Parts: parts}}, nil
}

func (d *Driver) machineAddress() []byte {
	if d.signer == nil {
		return nil
	}
	pub, err := d.signer.PubKey()
	if err != nil {
		return nil
	}
	return pub.Address()
}

// signProposal signs our proposal and logs it and its parts with one fsync (alongside the
// signer's last fsync, see writeOwnWith), before the machine sees them (and so before they are
// broadcast).
func (d *Driver) signProposal(a core.SignProposal) ([]core.Input, error) {
	pb := a.Proposal.ToProto()
	syncSigner, err := d.signProposalWith(pb)
	if err != nil {
		// Expected while replaying the WAL: the proposal signed before the restart is replayed
		// from the log itself.
		d.logSigningRefusal("proposal", a.Proposal.Height, a.Proposal.Round, err)
		return nil, nil
	}
	signed, err := types.ProposalFromProto(pb)
	if err != nil {
		return nil, fmt.Errorf("consensus: signed proposal: %w", err)
	}
	inputs := []core.Input{core.ProposalMessage{Proposal: signed}}
	for i := 0; i < int(a.Parts.Total()); i++ {
		inputs = append(inputs, core.BlockPartMessage{Height: signed.Height, Round: signed.Round, Part: a.Parts.GetPart(i)})
	}
	if err := d.writeOwnWith(inputs, syncSigner); err != nil {
		return nil, err
	}
	fail.Point("driver.afterWALOwnProposal")
	return inputs, nil
}

// signVote signs our vote (with the application's extension when asked) and logs it with fsync,
// alongside the signer's last fsync (writeOwnWith).
func (d *Driver) signVote(a core.SignVote) ([]core.Input, error) {
	vote := a.Vote.Copy()
	if a.ExtendBlock != nil {
		ext, err := d.exec.ExtendVote(d.ctx, vote, a.ExtendBlock, d.state)
		if err != nil {
			return nil, fmt.Errorf("consensus: ExtendVote at height %d: %w", vote.Height, err)
		}
		vote.Extension = ext
	}
	pb := vote.ToProto()
	syncSigner, err := d.signVoteWith(pb, a.ExtendBlock != nil)
	if err != nil {
		d.logSigningRefusal(vote.Type.String(), vote.Height, vote.Round, err)
		return nil, nil
	}
	signed, err := types.VoteFromProto(pb)
	if err != nil {
		return nil, fmt.Errorf("consensus: signed vote: %w", err)
	}
	inputs := []core.Input{core.VoteMessage{Vote: signed}}
	if err := d.writeOwnWith(inputs, syncSigner); err != nil {
		return nil, err
	}
	fail.Point("driver.afterWALOwnVote")
	return inputs, nil
}

// logSigningRefusal reports a refusal of the signer: quietly while replaying the WAL (what was
// signed before the restart is replayed from the log itself), loudly otherwise.
func (d *Driver) logSigningRefusal(what string, height int64, round int32, err error) {
	if d.replaying {
		d.logger.Debug("priv validator refused to sign again while replaying", "what", what, "height", height, "round", round, "err", err)
		return
	}
	d.logger.Error("priv validator refused to sign", "what", what, "height", height, "round", round, "err", err)
}

// commit saves the decided block, marks the end of the height in the WAL and executes the block.
func (d *Driver) commit(a core.Commit) ([]core.Input, error) {
	fail.Point("driver.beforeSaveBlock")
	if d.blocks.Height() < a.Height {
		var err error
		if d.state.ConsensusParams.ABCI.VoteExtensionsEnabled(a.Height) {
			err = d.blocks.SaveBlockWithExtendedCommit(a.Block, a.Parts, a.SeenCommit)
		} else {
			err = d.blocks.SaveBlock(a.Block, a.Parts, a.SeenCommit.ToCommit())
		}
		if err != nil {
			return nil, fmt.Errorf("consensus: saving block %d: %w", a.Height, err)
		}
	}
	fail.Point("driver.afterSaveBlock")
	if err := d.writeEndHeight(a.Height); err != nil {
		return nil, err
	}
	fail.Point("driver.afterEndHeight")
	blockID := types.BlockID{Hash: a.Block.Hash(), PartSetHeader: a.Parts.Header()}
	next, err := d.exec.ApplyVerifiedBlock(d.ctx, d.state, blockID, a.Block)
	if err != nil {
		return nil, fmt.Errorf("consensus: executing block %d: %w", a.Height, err)
	}
	fail.Point("driver.afterApplyBlock")
	d.rec.committed(d.state, a.Block, d.machineAddress(), d.machine.View())
	d.state = next
	d.logger.Info("committed block", "height", a.Height, "hash", a.Block.Hash(), "txs", len(a.Block.Txs), "app_hash", next.AppHash)
	height, err := d.heightInfo(next, a.SeenCommit)
	if err != nil {
		return nil, err
	}
	return []core.Input{core.Committed{Next: height}}, nil
}

// heightInfo describes the height after st for the machine. lastCommit, if nil, is loaded from the
// block store.
func (d *Driver) heightInfo(st state.State, lastCommit *types.ExtendedCommit) (core.Height, error) {
	height := st.LastBlockHeight + 1
	if st.LastBlockHeight == 0 {
		height = st.InitialHeight
	}
	h := core.Height{
		ChainID:                    st.ChainID,
		Height:                     height,
		InitialHeight:              st.InitialHeight,
		Validators:                 st.Validators,
		BlockMaxBytes:              st.ConsensusParams.Block.MaxBytes,
		VoteExtensionsEnableHeight: st.ConsensusParams.ABCI.VoteExtensionsEnableHeight,
		NeedProofBlock:             d.needProofBlock(st, height),
		ValidateBlock: func(block *types.Block, now time.Time) error {
			return state.ValidateBlock(st, block, now, d.cfg.BlockTimeTolerance)
		},
	}
	if height > st.InitialHeight {
		h.LastValidators = st.LastValidators
		if lastCommit == nil {
			var err error
			if lastCommit, err = d.loadLastCommit(st); err != nil {
				return core.Height{}, fmt.Errorf("consensus: the commit of height %d: %w", st.LastBlockHeight, err)
			}
		}
		h.LastCommit = lastCommit
	}
	return h, nil
}

// loadLastCommit loads the commit of the last block: the extended commit when vote extensions were
// enabled at that height, else the seen commit.
func (d *Driver) loadLastCommit(st state.State) (*types.ExtendedCommit, error) {
	if st.ConsensusParams.ABCI.VoteExtensionsEnabled(st.LastBlockHeight) {
		return d.blocks.LoadBlockExtendedCommit(st.LastBlockHeight)
	}
	c, err := d.blocks.LoadSeenCommit(st.LastBlockHeight)
	if err != nil {
		return nil, err
	}
	return c.WrappedExtendedCommit(), nil
}

// needProofBlock: round 0 must propose even when waiting for transactions at the initial height
// and after a block that changed the app hash.
func (d *Driver) needProofBlock(st state.State, height int64) bool {
	if height == st.InitialHeight {
		return true
	}
	meta, err := d.blocks.LoadBlockMeta(height - 1)
	return err != nil || !bytes.Equal(st.AppHash, meta.Header.AppHash)
}
