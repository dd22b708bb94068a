package kv

import (
	"encoding/binary"
	"errors"

	"github.com/ballot-bft/ballot/types"
)

// heightKey is the key marking height as indexed: ordered(block.height, height).
func heightKey(height int64) []byte {
	return appendInt64(appendString(nil, types.BlockHeightKey), height)
}

// eventKey is the key of an indexed block event attribute:
// ordered(compositeKey, value, height, seq).
func eventKey(compositeKey, value string, height, seq int64) []byte {
	b := appendString(nil, compositeKey)
	b = appendString(b, value)
	b = appendInt64(b, height)
	return appendInt64(b, seq)
}

// tagPrefix is the prefix of every key of compositeKey.
func tagPrefix(compositeKey string) []byte { return appendString(nil, compositeKey) }

// valuePrefix is the prefix of every key of compositeKey with the given value.
func valuePrefix(compositeKey, value string) []byte {
	return appendString(appendString(nil, compositeKey), value)
}

// parsePrimaryKey reads the height of a height key (the whole key must be consumed).
func parsePrimaryKey(key []byte) (int64, error) {
	_, rest, err := parseString(key)
	if err != nil {
		return 0, err
	}
	h, rest, err := parseInt64(rest)
	if err != nil {
		return 0, err
	}
	if len(rest) != 0 {
		return 0, errors.New("unexpected remainder in height key")
	}
	return h, nil
}

// parseEventKey reads the value and height of an event key, and what follows them.
func parseEventKey(key []byte) (value string, height int64, rest []byte, err error) {
	if _, rest, err = parseString(key); err != nil {
		return "", 0, nil, err
	}
	if value, rest, err = parseString(rest); err != nil {
		return "", 0, nil, err
	}
	if height, rest, err = parseInt64(rest); err != nil {
		return "", 0, nil, err
	}
	return value, height, rest, nil
}

// eventSeq reads the event sequence of an event key. Three layouts exist: seq alone (v0.38 and
// later), a function type then seq (v0.34.27 to v0.37), and a function type alone (before,
// sequence 0). Anything unreadable is sequence 0, as in CometBFT.
func eventSeq(key []byte) int64 {
	_, _, rest, err := parseEventKey(key)
	if err != nil || len(rest) == 0 {
		return 0
	}
	if _, afterType, err := parseString(rest); err == nil {
		if len(afterType) == 0 {
			return 0
		}
		seq, tail, err := parseInt64(afterType)
		if err != nil || len(tail) != 0 {
			return 0
		}
		return seq
	}
	seq, tail, err := parseInt64(rest)
	if err != nil || len(tail) != 0 {
		return 0
	}
	return seq
}

// heightValue is the value stored under every key: the height as a signed varint.
func heightValue(height int64) []byte {
	return binary.AppendVarint(nil, height)
}

// parseHeightValue reads a stored value; ok is false for bytes that are not exactly one varint.
func parseHeightValue(v []byte) (int64, bool) {
	h, n := binary.Varint(v)
	return h, n > 0 && n == len(v)
}
