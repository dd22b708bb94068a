package eventquery

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

func TestForEachIndexed(t *testing.T) {
	a := func(k, v string, index bool) abci.EventAttribute {
		return abci.EventAttribute{Key: k, Value: v, Index: index}
	}
	events := []abci.Event{
		{Type: "app", Attributes: []abci.EventAttribute{a("k", "1", true), a("hidden", "x", false), a("", "y", true)}},
		{Type: "", Attributes: []abci.EventAttribute{a("k", "2", true)}},
		{Type: "transfer", Attributes: []abci.EventAttribute{a("sender", "alice", true)}},
	}
	var got []string
	err := ForEachIndexed(events, []string{"tx.height"}, func(seq int, key, value string) error {
		got = append(got, fmt.Sprintf("%d:%s=%s", seq, key, value))
		return nil
	})
	if want := "1:app.k=1 3:transfer.sender=alice"; err != nil || strings.Join(got, " ") != want {
		t.Errorf("visited %q (%v), want %q", got, err, want)
	}

	// A reserved key fails even when not indexed, and ends the walk.
	events = append(events, abci.Event{Type: "tx", Attributes: []abci.EventAttribute{a("height", "5", false)}},
		abci.Event{Type: "late", Attributes: []abci.EventAttribute{a("k", "v", true)}})
	got = nil
	err = ForEachIndexed(events, []string{"tx.hash", "tx.height"}, func(seq int, key, value string) error {
		got = append(got, key)
		return nil
	})
	var reserved *ReservedKeyError
	if !errors.As(err, &reserved) || reserved.Key != "tx.height" || len(got) != 2 {
		t.Errorf("reserved key: err %v, visited %q", err, got)
	}

	// fn's error is returned as is.
	stop := errors.New("stop")
	if err := ForEachIndexed(events, nil, func(int, string, string) error { return stop }); err != stop {
		t.Errorf("fn error returned as %v", err)
	}
}
