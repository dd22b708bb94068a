package sim

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Filter selects event-log records. The zero Filter selects everything but is not usable as is:
// start from AllRecords, which sets the "any" values.
type Filter struct {
	Node     int      // -1: any
	Height   int64    // 0: any
	Round    int32    // -1: any
	Types    []string // match Type or Msg, case-insensitively; empty: any
	Kinds    []string // "in", "act", "node", "fault", "violation"; empty: any
	From, To time.Duration
}

// AllRecords returns the filter that selects every record.
func AllRecords() Filter {
	return Filter{Node: -1, Round: -1, To: time.Duration(1<<63 - 1)}
}

// Match reports whether r passes the filter. Faults and violations not tied to a node pass any
// node filter, so a node's story shows what happened to the network too.
func (f Filter) Match(r Record) bool {
	t := time.Duration(r.T) * time.Microsecond
	switch {
	case t < f.From || t > f.To:
		return false
	case f.Node >= 0 && r.Node != f.Node && r.Node != -1:
		return false
	case f.Height != 0 && r.Height != f.Height && r.Kind != KindFault:
		return false
	case f.Round >= 0 && r.Round != f.Round && r.Kind != KindFault:
		return false
	case len(f.Kinds) > 0 && !slices.Contains(f.Kinds, r.Kind):
		return false
	}
	if len(f.Types) == 0 {
		return true
	}
	for _, typ := range f.Types {
		if strings.EqualFold(typ, r.Type) || strings.EqualFold(typ, r.Msg) {
			return true
		}
	}
	return false
}

// Inspect reads a JSON-lines event log from r and writes the records f selects to w, one line
// each. It returns the number of records written; a malformed line is an error naming it.
func Inspect(r io.Reader, w io.Writer, f Filter) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<24)
	bw := bufio.NewWriter(w)
	written, line := 0, 0
	for sc.Scan() {
		line++
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return written, fmt.Errorf("sim: event log line %d: %w", line, err)
		}
		if !f.Match(rec) {
			continue
		}
		if _, err := fmt.Fprintln(bw, FormatRecord(rec)); err != nil {
			return written, err
		}
		written++
	}
	if err := sc.Err(); err != nil {
		return written, fmt.Errorf("sim: reading event log: %w", err)
	}
	return written, bw.Flush()
}

// FormatRecord renders a record as one human-readable line.
func FormatRecord(r Record) string {
	node := "  net"
	if r.Node >= 0 {
		node = fmt.Sprintf("%5s", peerID(r.Node))
	}
	typ := r.Type
	if r.Msg != "" {
		typ += "/" + r.Msg
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%14s %s %-9s %-24s %d/%d", time.Duration(r.T)*time.Microsecond, node, r.Kind, typ, r.Height, r.Round)
	if r.From != "" {
		fmt.Fprintf(&b, " from %s", r.From)
	}
	if r.Detail != "" {
		b.WriteString(" " + r.Detail)
	}
	return b.String()
}
