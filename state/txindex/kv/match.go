package kv

import (
	"context"
	"sort"
	"strconv"

	"github.com/ballot-bft/ballot/state/indexer/eventquery"
)

// layout is the transaction index's key layout as eventquery.Match reads it.
type layout struct{}

var _ eventquery.Layout = layout{}

// TagPrefix is "<tag>/".
func (layout) TagPrefix(tag string) []byte { return prefix(tag) }

// ValuePrefix is "<tag>/<value>/", followed by "<height>/" when height > 0: the comparison is
// textual, and a stored value "a/b" falls under the prefix of 'a' (CometBFT's quirk).
func (layout) ValuePrefix(tag, value string, height int64) []byte {
	start := prefix(tag, value)
	if height > 0 {
		start = append(start, prefix(strconv.FormatInt(height, 10))...)
	}
	return start
}

// Attribute reads the value (trimmed) and height of an index key.
func (layout) Attribute(key []byte) eventquery.Entry {
	h, ok := keyHeight(key)
	return eventquery.Entry{Value: keyValue(key), HasValue: isTagKey(key), Height: h, HasHeight: ok}
}

// HeightKeyValue reads a tx.height key's value: the height between the first separators.
func (layout) HeightKeyValue(key []byte) (string, bool) { return keyValue(key), isTagKey(key) }

// Instance is the transaction hash stored under key, then the key's position.
func (layout) Instance(key, stored []byte) string { return string(stored) + "\x00" + keyInstance(key) }

// matchingHashes evaluates a plan and returns the distinct hashes of the matching transactions,
// sorted.
func (t *TxIndex) matchingHashes(ctx context.Context, plan *eventquery.Plan) ([][]byte, error) {
	matches, err := eventquery.Match(ctx, t.db, layout{}, plan)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(matches))
	hashes := make([][]byte, 0, len(matches))
	for _, h := range matches {
		if !seen[string(h)] {
			seen[string(h)] = true
			hashes = append(hashes, h)
		}
	}
	sort.Slice(hashes, func(i, j int) bool { return string(hashes[i]) < string(hashes[j]) })
	return hashes, nil
}
