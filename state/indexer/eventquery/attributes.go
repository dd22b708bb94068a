package eventquery

import (
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// ForEachIndexed calls fn for every attribute of events that a kv indexer stores, in order:
// events with an empty type and attributes with an empty key are skipped, then an attribute
// whose composite key is one of reserved ends the walk with a *ReservedKeyError (indexed or
// not, as in CometBFT), then attributes with index=false are skipped. seq is the event's
// position in events, from 1 (skipped events keep their number). fn's first error ends the walk
// and is returned as is.
func ForEachIndexed(events []abci.Event, reserved []string, fn func(seq int, compositeKey, value string) error) error {
	for i, event := range events {
		if event.Type == "" {
			continue
		}
		for _, attr := range event.Attributes {
			if attr.Key == "" {
				continue
			}
			composite := CompositeKey(event.Type, attr.Key)
			if err := CheckReserved(composite, reserved...); err != nil {
				return err
			}
			if !attr.Index {
				continue
			}
			if err := fn(i+1, composite, attr.Value); err != nil {
				return err
			}
		}
	}
	return nil
}
