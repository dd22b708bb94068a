package kvstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// SnapshotFormat is the only snapshot format the kvstore writes and restores.
//
// Format 1 payload (split into chunks of Options.SnapshotChunkSize bytes):
//
//	uvarint height ‖ uvarint size
//	uvarint n ‖ n × (uvarint len ‖ raw public key ‖ uvarint len ‖ stored validator record)
//	uvarint m ‖ m × (uvarint len ‖ key ‖ uvarint len ‖ value)
//
// Validators are ordered by public key and values by key (bytewise, strictly increasing).
// Snapshot.Hash is SHA-256 of the payload; Snapshot.Metadata is the SHA-256 of each chunk,
// concatenated, so every chunk is checked as it arrives.
const SnapshotFormat uint32 = 1

// pair is one key/value entry of a snapshot.
type pair struct{ key, value []byte }

// snapshotData is the state a snapshot carries.
type snapshotData struct {
	height     int64
	size       int64
	validators []pair // raw public key → stored validator record
	values     []pair // key → value
}

func (d snapshotData) encode() []byte {
	var out []byte
	out = binary.AppendUvarint(out, uint64(d.height))
	out = binary.AppendUvarint(out, uint64(d.size))
	for _, list := range [][]pair{d.validators, d.values} {
		out = binary.AppendUvarint(out, uint64(len(list)))
		for _, p := range list {
			out = binary.AppendUvarint(out, uint64(len(p.key)))
			out = append(out, p.key...)
			out = binary.AppendUvarint(out, uint64(len(p.value)))
			out = append(out, p.value...)
		}
	}
	return out
}

// snapshotReader walks a payload; the first error sticks.
type snapshotReader struct {
	b   []byte
	err error
}

func (r *snapshotReader) uvarint(what string) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 || n != len(binary.AppendUvarint(nil, v)) {
		r.err = fmt.Errorf("snapshot: bad or non-minimal varint for %s", what)
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *snapshotReader) bytes(what string) []byte {
	n := r.uvarint(what + " length")
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = fmt.Errorf("snapshot: %s length %d exceeds the %d bytes left", what, n, len(r.b))
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *snapshotReader) pairs(what string) []pair {
	n := r.uvarint(what + " count")
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b))/2 { // every pair takes at least two bytes
		r.err = fmt.Errorf("snapshot: %d %s cannot fit in %d bytes", n, what, len(r.b))
		return nil
	}
	out := make([]pair, 0, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		p := pair{key: r.bytes(what + " key")}
		p.value = r.bytes(what + " value")
		if r.err == nil && len(out) > 0 && bytes.Compare(out[len(out)-1].key, p.key) >= 0 {
			r.err = fmt.Errorf("snapshot: %s keys not strictly increasing", what)
		}
		out = append(out, p)
	}
	return out
}

// decodeSnapshot parses and validates a format-1 payload. The returned slices alias b.
func decodeSnapshot(b []byte) (snapshotData, error) {
	r := &snapshotReader{b: b}
	height, size := r.uvarint("height"), r.uvarint("size")
	d := snapshotData{validators: r.pairs("validators"), values: r.pairs("values")}
	if r.err != nil {
		return snapshotData{}, r.err
	}
	if len(r.b) != 0 {
		return snapshotData{}, fmt.Errorf("snapshot: %d trailing bytes", len(r.b))
	}
	if height == 0 || height > math.MaxInt64 || size > math.MaxInt64 {
		return snapshotData{}, fmt.Errorf("snapshot: height %d or size %d out of range", height, size)
	}
	d.height, d.size = int64(height), int64(size)
	for _, p := range d.validators {
		v, err := decodeValidator(p.value)
		if err != nil {
			return snapshotData{}, fmt.Errorf("snapshot: %w", err)
		}
		pk, err := pubKeyBytes(v.PubKey)
		if err != nil {
			return snapshotData{}, fmt.Errorf("snapshot: validator: %w", err)
		}
		if !bytes.Equal(pk, p.key) || v.Power <= 0 {
			return snapshotData{}, errors.New("snapshot: validator record does not match its key or has no power")
		}
	}
	for _, p := range d.values {
		if err := checkKey(p.key); err != nil {
			return snapshotData{}, fmt.Errorf("snapshot: %w", err)
		}
		if len(p.value) == 0 || bytes.ContainsAny(p.value, "=:") {
			return snapshotData{}, fmt.Errorf("snapshot: value of %q is empty or contains '=' or ':'", p.key)
		}
	}
	return d, nil
}
