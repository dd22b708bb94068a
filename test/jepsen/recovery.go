package jepsen

import (
	"fmt"
	"slices"
	"time"
)

// ComputeRecovery sets the Recovery of every event from the nodes' commits (commits[i] is
// node i's, in log order): the time from the event's end until each of its nodes (every node
// when it names none) committed a height above the highest height any node had committed by
// the event's end. An event whose recovery another event interrupted (one that starts before
// the recovery and touches the same nodes) gets -1. It returns a problem for every event that
// never recovered without interruption, or took longer than bound.
func ComputeRecovery(events []Event, commits [][]Commit, bound time.Duration) []string {
	var problems []string
	all := make([]int, len(commits))
	for i := range all {
		all[i] = i
	}
	for k := range events {
		e := &events[k]
		var top int64
		for _, cs := range commits {
			for _, c := range cs {
				if c.At <= e.End {
					top = max(top, c.Height)
				}
			}
		}
		targets := e.Nodes
		if len(targets) == 0 {
			targets = all
		}
		recovered, ok := time.Duration(0), true
		for _, i := range targets {
			at, found := firstAbove(commits[i], top, e.End)
			if !found {
				ok = false
				break
			}
			recovered = max(recovered, at)
		}
		interrupted := false
		for _, other := range events {
			if other.ID != e.ID && other.Start >= e.End && (!ok || other.Start < recovered) && touches(other, targets) {
				interrupted = true
				break
			}
		}
		switch {
		case interrupted:
			e.Recovery = -1
		case !ok:
			e.Recovery = -1
			problems = append(problems, fmt.Sprintf("after %s (ended at %s) nodes %s never committed above height %d",
				e.Note, e.End.Round(time.Millisecond), names(targets), top))
		default:
			e.Recovery = max(recovered-e.End, 1)
			if bound > 0 && e.Recovery > bound {
				problems = append(problems, fmt.Sprintf("after %s (ended at %s) heights took %s to pass %d on nodes %s (bound %s)",
					e.Note, e.End.Round(time.Millisecond), e.Recovery.Round(time.Millisecond), top, names(targets), bound))
			}
		}
	}
	return problems
}

// firstAbove returns when the first commit above height, logged after t, was logged.
func firstAbove(commits []Commit, height int64, t time.Duration) (time.Duration, bool) {
	for _, c := range commits {
		if c.At > t && c.Height > height {
			return c.At, true
		}
	}
	return 0, false
}

// touches reports whether event e acts on one of nodes (an event naming no node acts on all).
func touches(e Event, nodes []int) bool {
	if len(e.Nodes) == 0 {
		return true
	}
	for _, n := range e.Nodes {
		if slices.Contains(nodes, n) {
			return true
		}
	}
	return false
}

// WorstRecovery returns the longest measured recovery and its event (ok false if none).
func WorstRecovery(events []Event) (Event, bool) {
	var worst Event
	found := false
	for _, e := range events {
		if e.Recovery > 0 && (!found || e.Recovery > worst.Recovery) {
			worst, found = e, true
		}
	}
	return worst, found
}
