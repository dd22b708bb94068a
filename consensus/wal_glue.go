package consensus

import (
	"errors"
	"fmt"
	"io"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/consensus/wal"
	"github.com/ballot-bft/ballot/libs/fail"
)

// WAL is the consensus write-ahead log (package consensus/wal); the driver is its only user.
type WAL = *wal.WAL

// writeInput logs an input before the machine sees it; own messages are synced.
func (d *Driver) writeInput(in core.Input, sync bool) error {
	msg, err := wal.MessageFromInput(in)
	if errors.Is(err, wal.ErrNotLogged) {
		return nil // request answers and TxsAvailable are derived again on replay
	}
	if err != nil {
		return fmt.Errorf("consensus: WAL record: %w", err)
	}
	if sync {
		err = d.wal.WriteSync(msg)
	} else {
		err = d.wal.Write(msg)
	}
	if err != nil {
		return fmt.Errorf("consensus: writing the WAL: %w", err)
	}
	fail.Point("driver.afterWALInput")
	return nil
}

// writeOwn logs this node's own signed messages with one fsync, before the machine sees them and
// so before anything is broadcast.
func (d *Driver) writeOwn(inputs []core.Input) error {
	for _, in := range inputs {
		if err := d.writeInput(in, false); err != nil {
			return err
		}
	}
	fail.Point("driver.beforeWALSyncOwn")
	if err := d.wal.FlushAndSync(); err != nil {
		return fmt.Errorf("consensus: syncing the WAL: %w", err)
	}
	return nil
}

func (d *Driver) writeRoundState(hrs core.HRS) error {
	if err := d.wal.Write(wal.RoundState(hrs.Height, hrs.Round, hrs.Step.String())); err != nil {
		return fmt.Errorf("consensus: writing the WAL: %w", err)
	}
	fail.Point("driver.afterWALRoundState")
	return nil
}

// writeEndHeight marks the end of height in the WAL once its block is durably stored. The marker is
// handed to the operating system but not fsynced: the next FlushAndSync, which comes before
// anything this node signs at the next height leaves it, makes it durable (see package wal).
func (d *Driver) writeEndHeight(height int64) error {
	err := d.wal.Write(wal.EndHeight(height))
	if err == nil {
		err = d.wal.Flush()
	}
	if err != nil {
		return fmt.Errorf("consensus: writing the end of height %d to the WAL: %w", height, err)
	}
	return nil
}

// catchupReplay feeds the WAL records of the current height to the fresh machine, so that it
// comes back to where it was before the node stopped. As in CometBFT, a WAL without the previous
// height's end marker (after a state sync, say) is reported and the node continues without it.
func (d *Driver) catchupReplay() error {
	height := d.state.LastBlockHeight + 1
	if d.state.LastBlockHeight == 0 {
		height = d.state.InitialHeight
	}
	if r, found, err := d.wal.SearchForEndHeight(height); err == nil && found {
		r.Close()
		return fmt.Errorf("consensus: the WAL has the end of height %d, but the state is only at height %d: the state is behind the WAL", height, d.state.LastBlockHeight)
	}
	endHeight := height - 1
	if height == d.state.InitialHeight {
		endHeight = 0
	}
	r, found, err := d.wal.SearchForEndHeight(endHeight)
	if err != nil {
		return fmt.Errorf("consensus: searching the WAL for the end of height %d: %w", endHeight, err)
	}
	if !found {
		if d.walEndsInside(endHeight) {
			d.logger.Info("the WAL ends inside the last stored height (its end marker was not yet synced): nothing to replay", "height", height)
			return nil
		}
		d.logger.Error("the WAL has no end marker for the previous height; starting without replay", "height", height, "wanted", endHeight)
		return nil
	}
	defer r.Close()
	d.replaying = true
	defer func() { d.replaying = false }()
	replayed := 0
	for {
		rec, err := r.Decode()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("consensus: replaying the WAL of height %d: %w", height, err)
		}
		if rs := rec.Msg.GetEventDataRoundState(); rs != nil {
			if err := d.catchUpRound0(rs.Height, rs.Round, rs.Step); err != nil {
				return err
			}
			if err := d.feedAnswers(height); err != nil {
				return err
			}
			continue
		}
		in, err := wal.InputFromMessage(rec.Msg)
		if errors.Is(err, wal.ErrNotInput) {
			continue
		}
		if err != nil {
			return fmt.Errorf("consensus: replaying the WAL of height %d: %w", height, err)
		}
		if err := d.input(in, skipWAL); err != nil {
			return err
		}
		if err := d.feedAnswers(height); err != nil {
			return err
		}
		replayed++
	}
	if replayed > 0 {
		d.logger.Info("replayed the WAL", "height", height, "records", replayed)
	}
	return nil
}

// catchUpRound0 feeds the inputs that bring the replayed machine to the step of round 0 a step
// record shows. Round 0 can start before timeout_commit has passed (a mempool backlog,
// TxsBacklog) and propose before its wait for transactions ends (TxsAvailable); neither notice is
// in the WAL, but the step record that followed is. The NewHeight timeout and TxsAvailable move
// the machine the same way.
func (d *Driver) catchUpRound0(height int64, round int32, name string) error {
	if step, ok := core.ParseStep(name); !ok || round != 0 || step < core.StepPropose {
		return nil
	}
	at := d.machine.View().HRS
	if at.Height != height || at.Round != 0 {
		return nil
	}
	if at.Step == core.StepNewHeight {
		if err := d.input(core.TimeoutFired{Height: height, Round: 0, Step: core.StepNewHeight}, skipWAL); err != nil {
			return err
		}
		at = d.machine.View().HRS // round 0 of height: the timeout moves only the step
	}
	if at.Step == core.StepNewRound {
		return d.input(core.TxsAvailable{}, skipWAL)
	}
	return nil
}

// walEndsInside reports whether the WAL has the end marker of the height before height, so that
// it ends inside height: the records of a stored height whose own unsynced end marker a power
// loss took.
func (d *Driver) walEndsInside(height int64) bool {
	prev := height - 1
	if height == d.state.InitialHeight {
		prev = 0 // a new WAL starts with EndHeight(0)
	}
	r, found, err := d.wal.SearchForEndHeight(prev)
	if err != nil || !found {
		return false
	}
	r.Close()
	return true
}

// feedAnswers feeds the queued answers (and the answers to those) while the machine is still at
// height, so that each replayed record finds the machine where it was when the record was
// written. Once the height is committed the rest is left to Run: a chain that never waits
// (skip_timeout_commit) would otherwise never leave the replay.
func (d *Driver) feedAnswers(height int64) error {
	for len(d.answers) > 0 && d.state.LastBlockHeight < height {
		if err := d.feed(d.popAnswer()); err != nil {
			return err
		}
	}
	return nil
}
