package kvstore

import (
	"encoding/binary"
	"errors"
	"fmt"

	dbm "github.com/cometbft/cometbft-db"
)

// Database layout (all keys are ballot's own; the database is not compatible with a
// CometBFT kvstore directory):
//
//	"s"                                   state record (see appState.encode)
//	'k' ‖ be32(len(key)) ‖ key ‖ be64(h)  value of key as written at height h
//	'v' ‖ raw public key                  validator, length-delimited ValidatorUpdate
//	'm' ‖ be64(h)                         snapshot metadata (Snapshot protobuf)
//	'c' ‖ be64(h) ‖ be32(i)               snapshot chunk i
const (
	prefixKV        = 'k'
	prefixValidator = 'v'
	prefixSnapshot  = 'm'
	prefixChunk     = 'c'
)

var keyState = []byte("s")

// stateRecordVersion tags the state record's encoding.
const stateRecordVersion = 1

// appState is the committed application state. Size counts every transaction of every
// finalized block and is the whole input of the app hash (CometBFT's rule).
type appState struct {
	Height   int64 // last committed height
	Size     int64 // transactions executed so far
	Earliest int64 // lowest height whose values a query may read
}

// AppHash is CometBFT's kvstore app hash: the zig-zag varint of Size in 8 bytes (so 8 zero
// bytes for an empty store). Sizes needing more than 8 varint bytes (>= 2^55) are truncated.
func (s appState) AppHash() []byte {
	return appHashOfSize(s.Size)
}

func appHashOfSize(size int64) []byte {
	var buf [binary.MaxVarintLen64]byte
	binary.PutVarint(buf[:], size)
	out := make([]byte, 8)
	copy(out, buf[:8])
	return out
}

func (s appState) encode() []byte {
	out := []byte{stateRecordVersion}
	out = binary.BigEndian.AppendUint64(out, uint64(s.Height))
	out = binary.BigEndian.AppendUint64(out, uint64(s.Size))
	return binary.BigEndian.AppendUint64(out, uint64(s.Earliest))
}

func decodeState(b []byte) (appState, error) {
	if len(b) != 25 || b[0] != stateRecordVersion {
		return appState{}, fmt.Errorf("state record: %d bytes, version %d", len(b), firstByte(b))
	}
	s := appState{
		Height:   int64(binary.BigEndian.Uint64(b[1:])),
		Size:     int64(binary.BigEndian.Uint64(b[9:])),
		Earliest: int64(binary.BigEndian.Uint64(b[17:])),
	}
	if s.Height < 0 || s.Size < 0 || s.Earliest < 0 || s.Earliest > s.Height {
		return appState{}, fmt.Errorf("state record out of range: %+v", s)
	}
	return s, nil
}

func firstByte(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	return int(b[0])
}

func loadState(db dbm.DB) (appState, error) {
	b, err := db.Get(keyState)
	if err != nil {
		return appState{}, fmt.Errorf("load state: %w", err)
	}
	if b == nil {
		return appState{}, nil
	}
	return decodeState(b)
}

// kvKeyPrefix is the prefix of every version of key.
func kvKeyPrefix(key []byte) []byte {
	out := make([]byte, 0, 1+4+len(key)+8)
	out = append(out, prefixKV)
	out = binary.BigEndian.AppendUint32(out, uint32(len(key)))
	return append(out, key...)
}

// kvKey is the database key of key's version written at height h.
func kvKey(key []byte, h int64) []byte {
	return binary.BigEndian.AppendUint64(kvKeyPrefix(key), uint64(h))
}

// splitKVKey undoes kvKey; ok is false for a malformed key.
func splitKVKey(dbKey []byte) (key []byte, h int64, ok bool) {
	if len(dbKey) < 1+4+8 || dbKey[0] != prefixKV {
		return nil, 0, false
	}
	n := binary.BigEndian.Uint32(dbKey[1:])
	if uint64(len(dbKey)) != 1+4+uint64(n)+8 {
		return nil, 0, false
	}
	return dbKey[5 : 5+n], int64(binary.BigEndian.Uint64(dbKey[5+n:])), true
}

// valueAt returns key's value as of height h (the newest version written at or below h), or
// nil when it had none.
func valueAt(db dbm.DB, key []byte, h int64) ([]byte, error) {
	it, err := db.ReverseIterator(kvKey(key, 0), kvKey(key, h+1))
	if err != nil {
		return nil, fmt.Errorf("read %q at %d: %w", key, h, err)
	}
	defer it.Close()
	if !it.Valid() {
		return nil, it.Error()
	}
	return append([]byte(nil), it.Value()...), it.Error()
}

func validatorKey(pubKey []byte) []byte {
	return append([]byte{prefixValidator}, pubKey...)
}

func snapshotKey(h uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{prefixSnapshot}, h)
}

func chunkKey(h uint64, i uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64([]byte{prefixChunk}, h), i)
}

// prefixEnd returns the smallest key greater than every key starting with prefix.
func prefixEnd(prefix []byte) []byte {
	end := append([]byte(nil), prefix...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// forEach calls fn for every key/value under prefix in ascending order. fn must copy what it
// keeps; returning an error stops the walk.
func forEach(db dbm.DB, prefix []byte, fn func(k, v []byte) error) error {
	it, err := db.Iterator(prefix, prefixEnd(prefix))
	if err != nil {
		return err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		if err := fn(it.Key(), it.Value()); err != nil {
			return err
		}
	}
	return it.Error()
}

// errStop ends a forEach walk early without an error.
var errStop = errors.New("stop")
