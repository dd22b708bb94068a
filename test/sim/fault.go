package sim

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// FaultKind names a kind of injected fault.
type FaultKind uint8

// The fault kinds.
const (
	// FaultPartition splits the network: two nodes can talk only if they are in the same group
	// or one of them is a bridge. Nodes in no group and not bridges are isolated.
	FaultPartition FaultKind = iota + 1
	// FaultHeal makes the network whole again (ends partitions and downed links).
	FaultHeal
	// FaultCrash stops Node, dropping everything it had not made durable.
	FaultCrash
	// FaultRestart starts Node again from its durable state and its WAL.
	FaultRestart
	// FaultLinkDown cuts the link between Node and Peer; FaultLinkUp restores it.
	FaultLinkDown
	FaultLinkUp
	// FaultMute makes Node lose everything it sends (it still receives); FaultUnmute ends that.
	FaultMute
	FaultUnmute
)

var faultNames = map[FaultKind]string{
	FaultPartition: "Partition",
	FaultHeal:      "Heal",
	FaultCrash:     "Crash",
	FaultRestart:   "Restart",
	FaultLinkDown:  "LinkDown",
	FaultLinkUp:    "LinkUp",
	FaultMute:      "Mute",
	FaultUnmute:    "Unmute",
}

func (k FaultKind) String() string {
	if name, ok := faultNames[k]; ok {
		return name
	}
	return fmt.Sprintf("FaultKind(%d)", uint8(k))
}

// Fault is one fault injected at simulated time At. Which fields matter depends on Kind.
type Fault struct {
	At      time.Duration
	Kind    FaultKind
	Node    int     // Crash, Restart, LinkDown, LinkUp, Mute, Unmute
	Peer    int     // LinkDown, LinkUp
	Groups  [][]int // Partition
	Bridges []int   // Partition
}

func (f Fault) String() string {
	switch f.Kind {
	case FaultPartition:
		s := "Partition " + groupsString(f.Groups)
		if len(f.Bridges) > 0 {
			s += " bridges " + groupsString([][]int{f.Bridges})
		}
		return s
	case FaultCrash, FaultRestart, FaultMute, FaultUnmute:
		return fmt.Sprintf("%v n%d", f.Kind, f.Node)
	case FaultLinkDown, FaultLinkUp:
		return fmt.Sprintf("%v n%d-n%d", f.Kind, f.Node, f.Peer)
	}
	return f.Kind.String()
}

var errNodeRange = errors.New("node out of range")

func (f Fault) validate(nodes int) error {
	inRange := func(n int) error {
		if n < 0 || n >= nodes {
			return fmt.Errorf("%w: %d of %d", errNodeRange, n, nodes)
		}
		return nil
	}
	if f.At < 0 {
		return fmt.Errorf("negative time %v", f.At)
	}
	switch f.Kind {
	case FaultPartition:
		seen := map[int]bool{}
		for _, g := range append(append([][]int(nil), f.Groups...), f.Bridges) {
			for _, n := range g {
				if err := inRange(n); err != nil {
					return err
				}
				if seen[n] {
					return fmt.Errorf("node %d placed twice", n)
				}
				seen[n] = true
			}
		}
	case FaultHeal:
	case FaultCrash, FaultRestart, FaultMute, FaultUnmute:
		return inRange(f.Node)
	case FaultLinkDown, FaultLinkUp:
		if err := inRange(f.Node); err != nil {
			return err
		}
		if f.Node == f.Peer {
			return fmt.Errorf("link from n%d to itself", f.Node)
		}
		return inRange(f.Peer)
	default:
		return fmt.Errorf("unknown kind %d", f.Kind)
	}
	return nil
}

// groupsString renders partition groups as "{0 1 2} {3}".
func groupsString(groups [][]int) string {
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = strings.Trim(fmt.Sprint(g), "[]")
		parts[i] = "{" + parts[i] + "}"
	}
	return strings.Join(parts, " ")
}
