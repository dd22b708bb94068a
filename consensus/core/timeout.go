package core

// onTimeout handles a fired timeout, unless the machine has moved past it.
func (m *Machine) onTimeout(t TimeoutFired) {
	if t.Height != m.h.Height || t.Round < m.round || (t.Round == m.round && t.Step < m.step) {
		return
	}
	switch t.Step {
	case StepNewHeight:
		m.enterNewRound(t.Height, 0)
	case StepNewRound:
		m.enterPropose(t.Height, 0)
	case StepPropose:
		m.emit(Publish{Event: Event{Kind: EventTimeoutPropose, HRS: m.hrs()}})
		m.enterPrevote(t.Height, t.Round)
	case StepPrevoteWait:
		m.emit(Publish{Event: Event{Kind: EventTimeoutWait, HRS: m.hrs()}})
		m.enterPrecommit(t.Height, t.Round)
	case StepPrecommitWait:
		m.emit(Publish{Event: Event{Kind: EventTimeoutWait, HRS: m.hrs()}})
		m.enterPrecommit(t.Height, t.Round)
		m.seq(func() { m.enterNewRound(t.Height, t.Round+1) })
	}
}
