package core

import "time"

// The machine blocks while it waits for the answer to ProcessProposal (the prevote depends on it)
// or to Commit (the next height depends on it). While blocked, the rest of the transition in
// progress is kept as continuations and new inputs are buffered; both run, in order, once the
// answer arrives. This keeps every ordering of CometBFT's synchronous calls, whatever the driver
// does.

type bufferedInput struct {
	now time.Time
	in  Input
}

func (m *Machine) blocked() bool { return m.pendingPrevote != nil || m.committing }

// seq runs the steps in order, keeping the remaining ones as continuations as soon as one of them
// blocks the machine.
func (m *Machine) seq(steps ...func()) {
	for i, step := range steps {
		if m.blocked() {
			m.continuations = append(m.continuations, steps[i:]...)
			return
		}
		step()
	}
}

// resume runs the continuations and then the buffered inputs, until the machine blocks again.
func (m *Machine) resume() {
	for !m.blocked() && len(m.continuations) > 0 {
		next, rest := m.continuations[0], m.continuations[1:]
		m.continuations = nil
		next()
		m.continuations = append(m.continuations, rest...)
	}
	for !m.blocked() && len(m.buffered) > 0 {
		b := m.buffered[0]
		m.buffered = m.buffered[1:]
		m.now = normalizeTime(b.now)
		m.dispatch(b.in)
	}
}

// normalizeTime strips the monotonic clock reading and converts to UTC, as CometBFT's clock does,
// so that timestamps encode the same everywhere.
func normalizeTime(t time.Time) time.Time { return t.Round(0).UTC() }
