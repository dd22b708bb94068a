package jepsen

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Link is a directed peer link: the bytes node From sends to node To (node indexes).
type Link struct{ From, To int }

func (l Link) String() string { return fmt.Sprintf("%d->%d", l.From, l.To) }

// reverse is the link carrying the answers.
func (l Link) reverse() Link { return Link{From: l.To, To: l.From} }

// Fault is what the fault layer does to the bytes of one directed link. The zero Fault passes
// everything at once.
type Fault struct {
	// Cut closes the link's connections and refuses new ones, in both directions (a TCP
	// connection can't be half cut): the nodes see the loss at once and redial.
	Cut bool
	// Drop discards every byte sent over the link while it holds; the connection stays open,
	// so the nodes notice only through their own timeouts, and the stream is damaged for
	// good (the nodes drop it once the link passes bytes again).
	Drop bool
	// Delay delivers every chunk this much later than it was read, in order.
	Delay time.Duration
}

func (f Fault) String() string {
	var parts []string
	if f.Cut {
		parts = append(parts, "cut")
	}
	if f.Drop {
		parts = append(parts, "drop")
	}
	if f.Delay > 0 {
		parts = append(parts, "delay "+f.Delay.String())
	}
	if len(parts) == 0 {
		return "ok"
	}
	return strings.Join(parts, "+")
}

// Faults is the fault table of one network: the Fault of every directed link, read by the
// link proxies for every chunk and connection. Safe for concurrent use.
type Faults struct {
	mu      sync.Mutex
	table   map[Link]Fault
	proxies []*Proxy
}

// NewFaults returns a table in which every link passes everything.
func NewFaults() *Faults { return &Faults{table: map[Link]Fault{}} }

// Fault returns link l's current fault.
func (f *Faults) Fault(l Link) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.table[l]
}

// cut reports whether connections carrying link l (either direction) must be closed.
func (f *Faults) cut(l Link) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.table[l].Cut || f.table[l.reverse()].Cut
}

// Set gives link l the fault; a cut closes the open connections of l and of its reverse.
func (f *Faults) Set(l Link, fault Fault) {
	f.mu.Lock()
	if fault == (Fault{}) {
		delete(f.table, l)
	} else {
		f.table[l] = fault
	}
	var cut []*Proxy
	if fault.Cut {
		for _, p := range f.proxies {
			if p.link == l || p.link == l.reverse() {
				cut = append(cut, p)
			}
		}
	}
	f.mu.Unlock()
	for _, p := range cut {
		p.closeConns()
	}
}

// Heal makes every link pass everything again.
func (f *Faults) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.table)
}

// Partition cuts every link between nodes of different groups (in both directions); links
// inside a group, and of nodes in no group, keep their faults.
func (f *Faults) Partition(groups ...[]int) {
	for a, ga := range groups {
		for b, gb := range groups {
			if a == b {
				continue
			}
			for _, i := range ga {
				for _, j := range gb {
					f.Set(Link{From: i, To: j}, Fault{Cut: true})
				}
			}
		}
	}
}

// SetLinks gives every link between two different nodes of from and to (in the direction from
// → to) the fault.
func (f *Faults) SetLinks(from, to []int, fault Fault) {
	for _, i := range from {
		for _, j := range to {
			if i != j {
				f.Set(Link{From: i, To: j}, fault)
			}
		}
	}
}

// Describe lists the links that don't pass everything, sorted ("0->1 cut, 2->3 delay 50ms"),
// or "healed".
func (f *Faults) Describe() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.table) == 0 {
		return "healed"
	}
	links := make([]Link, 0, len(f.table))
	for l := range f.table {
		links = append(links, l)
	}
	slices.SortFunc(links, func(a, b Link) int {
		if a.From != b.From {
			return a.From - b.From
		}
		return a.To - b.To
	})
	parts := make([]string, len(links))
	for i, l := range links {
		parts[i] = l.String() + " " + f.table[l].String()
	}
	return strings.Join(parts, ", ")
}

func (f *Faults) register(p *Proxy) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.proxies = append(f.proxies, p)
}
