package sim

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ballot-bft/ballot/consensus/core"
)

// ErrNoReplayData is returned by Replay for a log whose records lack the replay data (Record's
// Now, Input, Machine and Digest), or that has no machine for the node.
var ErrNoReplayData = errors.New("sim: the event log has no replay data for the node")

// ReplayReport is the outcome of replaying one node's log into fresh machines.
type ReplayReport struct {
	Node     int
	Machines int // machines built (the node's starts)
	Steps    int // machine calls replayed (Start and Step)
	Actions  int // actions compared
	// Commits are the decisions of the replayed machines (Commit actions), in order: height and
	// block hash.
	Commits []ReplayCommit
	// Mismatch is the first difference between the replayed and the recorded actions; nil when
	// the replay reproduced every action.
	Mismatch *ReplayMismatch
	// Final is where the last replayed machine stands (nil if the node's last machine crashed).
	Final *core.HRS
}

// ReplayCommit is one decision of a replayed machine.
type ReplayCommit struct {
	Height int64
	Block  string // hex
}

// ReplayMismatch describes where a replay diverged: the machine call (the input record) and
// the action the log holds against the one replayed ("none" for a missing one).
type ReplayMismatch struct {
	Step     int
	Input    string // the input record, formatted
	Index    int    // the action's index in the call's actions
	Recorded string
	Replayed string
}

func (m *ReplayMismatch) String() string {
	return fmt.Sprintf("step %d (%s), action %d: recorded %s, replayed %s", m.Step, m.Input, m.Index, m.Recorded, m.Replayed)
}

func (r ReplayReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "n%d: %d machines, %d steps, %d actions, %d commits", r.Node, r.Machines, r.Steps, r.Actions, len(r.Commits))
	if len(r.Commits) > 0 {
		last := r.Commits[len(r.Commits)-1]
		fmt.Fprintf(&b, " (last: height %d, block %.8s)", last.Height, last.Block)
	}
	if r.Final != nil {
		fmt.Fprintf(&b, ", ends at %d/%d/%v", r.Final.Height, r.Final.Round, r.Final.Step)
	}
	if r.Mismatch != nil {
		b.WriteString(": DIVERGED at " + r.Mismatch.String())
	} else {
		b.WriteString(": every action reproduced")
	}
	return b.String()
}

// replayer feeds one node's recorded machine calls to fresh machines and compares the actions.
type replayer struct {
	node    int
	verbose io.Writer // nil: quiet
	report  ReplayReport

	machine  *core.Machine
	input    Record        // the current call's input record
	pending  []core.Action // the current call's replayed actions
	compared int           // how many of pending the log has matched
}

// Replay reads an event log from r and replays node's recorded inputs, with their times, into
// fresh core machines — one per start of the node, built from the recorded Config, address and
// height — comparing each call's actions with the recorded ones (ActionDigest). It stops at the
// first difference, which the report holds; an error means an unreadable log or one without
// replay data. With verbose non-nil, every call and its actions are written there.
func Replay(r io.Reader, node int, verbose io.Writer) (ReplayReport, error) {
	rp := &replayer{node: node, verbose: verbose, report: ReplayReport{Node: node}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<28)
	line := 0
	for sc.Scan() {
		line++
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return rp.report, fmt.Errorf("sim: event log line %d: %w", line, err)
		}
		if rec.Node != node {
			continue
		}
		if err := rp.record(rec); err != nil {
			return rp.report, fmt.Errorf("sim: event log line %d: %w", line, err)
		}
		if rp.report.Mismatch != nil {
			return rp.report, nil
		}
	}
	if err := sc.Err(); err != nil {
		return rp.report, fmt.Errorf("sim: reading event log: %w", err)
	}
	rp.finishCall()
	if rp.report.Machines == 0 {
		return rp.report, ErrNoReplayData
	}
	if rp.machine != nil && rp.report.Mismatch == nil {
		hrs := rp.machine.View().HRS
		rp.report.Final = &hrs
	}
	return rp.report, nil
}

// record handles one record of the node.
func (rp *replayer) record(rec Record) error {
	switch {
	case rec.Kind == KindNode && rec.Type == "Start":
		rp.finishCall()
		if rec.Machine == nil {
			return ErrNoReplayData
		}
		h, err := DecodeHeight(rec.Machine.Height)
		if err != nil {
			return err
		}
		m, err := core.New(rec.Machine.Config, core.Identity{Address: rec.Machine.Address}, h)
		if err != nil {
			return fmt.Errorf("sim: replay: building the machine: %w", err)
		}
		rp.machine = m
		rp.report.Machines++
		rp.logf("%s: new machine for height %d", FormatRecord(rec), h.Height)
	case rec.Kind == KindNode && rec.Type == "Crash":
		rp.finishCall()
		rp.machine = nil
	case rec.Kind == KindInput:
		rp.finishCall()
		if rp.report.Mismatch != nil {
			return nil
		}
		return rp.call(rec)
	case rec.Kind == KindAction:
		rp.compare(rec)
	}
	return nil
}

// call replays one machine call.
func (rp *replayer) call(rec Record) error {
	if rp.machine == nil {
		if rp.report.Machines == 0 {
			return ErrNoReplayData
		}
		return fmt.Errorf("sim: replay: input for a crashed node")
	}
	if rec.Now == nil || (rec.Input == nil && rec.Type != "Start") {
		return ErrNoReplayData
	}
	var actions []core.Action
	if rec.Input == nil {
		actions = rp.protect(func() []core.Action { return rp.machine.Start(*rec.Now) })
	} else {
		in, err := DecodeInput(rec.Input)
		if err != nil {
			return err
		}
		actions = rp.protect(func() []core.Action { return rp.machine.Step(*rec.Now, in) })
	}
	rp.report.Steps++
	rp.input, rp.pending, rp.compared = rec, actions, 0
	rp.logf("%s", FormatRecord(rec))
	for _, a := range actions {
		if c, ok := a.(core.Commit); ok {
			rp.report.Commits = append(rp.report.Commits, ReplayCommit{Height: c.Height, Block: fmt.Sprintf("%X", []byte(c.Block.Hash()))})
		}
	}
	return nil
}

// protect runs a machine call; a panic becomes a mismatch against whatever the log holds.
func (rp *replayer) protect(call func() []core.Action) (actions []core.Action) {
	defer func() {
		if r := recover(); r != nil {
			rp.report.Mismatch = &ReplayMismatch{Step: rp.report.Steps + 1, Input: FormatRecord(rp.input),
				Recorded: "the recorded actions", Replayed: fmt.Sprintf("a panic: %v", r)}
			actions = nil
		}
	}()
	return call()
}

// compare matches a recorded action with the next replayed one.
func (rp *replayer) compare(rec Record) {
	if rp.report.Mismatch != nil {
		return
	}
	replayed := "none"
	if rp.compared < len(rp.pending) {
		a := rp.pending[rp.compared]
		if ActionDigest(a) == rec.Digest {
			rp.compared++
			rp.report.Actions++
			rp.logf("    = %s", FormatRecord(rec))
			return
		}
		replayed = FormatRecord(describeActionAs(rec, a))
	}
	rp.report.Mismatch = &ReplayMismatch{Step: rp.report.Steps, Input: FormatRecord(rp.input), Index: rp.compared,
		Recorded: FormatRecord(rec), Replayed: replayed}
}

// finishCall checks that the log held every action the current call replayed.
func (rp *replayer) finishCall() {
	if rp.report.Mismatch == nil && rp.compared < len(rp.pending) {
		rp.report.Mismatch = &ReplayMismatch{Step: rp.report.Steps, Input: FormatRecord(rp.input), Index: rp.compared,
			Recorded: "none", Replayed: FormatRecord(describeActionAs(rp.input, rp.pending[rp.compared]))}
	}
	rp.pending, rp.compared = nil, 0
}

// describeActionAs describes a replayed action as a record of like's node and time.
func describeActionAs(like Record, a core.Action) Record {
	r := describeAction(a)
	r.T, r.Node, r.Kind, r.Digest = like.T, like.Node, KindAction, ActionDigest(a)
	return r
}

func (rp *replayer) logf(format string, args ...any) {
	if rp.verbose != nil {
		fmt.Fprintf(rp.verbose, format+"\n", args...)
	}
}
