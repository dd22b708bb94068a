package sim

import (
	"encoding/json"
	"io"
	"time"

	"github.com/ballot-bft/ballot/consensus/core"
	"github.com/ballot-bft/ballot/state"
)

// Recorder writes the machine calls of one node as event-log records that Replay (and ballot-sim
// inspect -replay) understands: what a real node's driver needs to record its inputs. The
// driver calls Machine after core.New, Start with what Machine.Start returned, and Step with
// every input and what Machine.Step returned. Records are timed from epoch (the chain's genesis
// time, say). A Recorder is not safe for concurrent use; the driver's goroutine owns it.
type Recorder struct {
	enc       *json.Encoder
	node      int
	epoch     time.Time
	tolerance time.Duration
	err       error
}

// NewRecorder returns a recorder of node's calls writing to w. tolerance is the block time
// tolerance of the driver's ValidateBlock (state.ValidateBlock's last argument).
func NewRecorder(w io.Writer, node int, epoch time.Time, tolerance time.Duration) *Recorder {
	return &Recorder{enc: json.NewEncoder(w), node: node, epoch: epoch, tolerance: tolerance}
}

// Err returns the first error of an encoding or a write; after it the recorder writes nothing.
func (r *Recorder) Err() error { return r.err }

// Machine records a machine built by core.New(cfg, id, h), h describing the height after st.
func (r *Recorder) Machine(now time.Time, cfg core.Config, id core.Identity, h core.Height, st state.State) {
	hr, err := EncodeHeight(h, st, r.tolerance)
	r.fail(err)
	r.write(Record{T: r.since(now), Node: r.node, Kind: KindNode, Type: "Start", Height: h.Height,
		Machine: &MachineRecord{Config: cfg, Address: id.Address, Height: hr}})
}

// Start records a call of Machine.Start at now and the actions it returned.
func (r *Recorder) Start(now time.Time, height int64, actions []core.Action) {
	r.write(Record{T: r.since(now), Node: r.node, Kind: KindInput, Type: "Start", Height: height, Now: &now})
	r.actions(now, actions)
}

// Step records a call of Machine.Step(now, in) and the actions it returned. next is the chain
// state a Committed input describes the height after (ignored for other inputs).
func (r *Recorder) Step(now time.Time, in core.Input, next state.State, actions []core.Action) {
	rec := describeInput(in)
	rec.T, rec.Node, rec.Kind, rec.Now = r.since(now), r.node, KindInput, &now
	var err error
	rec.Input, err = EncodeInput(in, next, r.tolerance)
	r.fail(err)
	r.write(rec)
	r.actions(now, actions)
}

func (r *Recorder) actions(now time.Time, actions []core.Action) {
	for _, a := range actions {
		rec := describeAction(a)
		rec.T, rec.Node, rec.Kind, rec.Digest = r.since(now), r.node, KindAction, ActionDigest(a)
		r.write(rec)
	}
}

func (r *Recorder) since(t time.Time) int64 { return t.Sub(r.epoch).Microseconds() }

func (r *Recorder) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *Recorder) write(rec Record) {
	if r.err == nil {
		r.fail(r.enc.Encode(rec))
	}
}
