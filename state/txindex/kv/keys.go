package kv

import (
	"bytes"
	"strconv"

	"github.com/ballot-bft/ballot/types"
)

const (
	tagSep      = '/'
	eventSeqSep = "$es$"
)

// eventKey is the key of an indexed attribute: "<compositeKey>/<value>/<height>/<index>$es$<seq>".
func eventKey(compositeKey, value string, height int64, index uint32, seq int) []byte {
	b := make([]byte, 0, len(compositeKey)+len(value)+40)
	b = append(b, compositeKey...)
	b = append(b, tagSep)
	b = append(b, value...)
	return appendPosition(b, height, index, seq)
}

// heightKey is a transaction's tx.height key: "tx.height/<height>/<height>/<index>$es$0".
func heightKey(height int64, index uint32) []byte {
	b := make([]byte, 0, 64)
	b = append(b, types.TxHeightKey...)
	b = append(b, tagSep)
	b = strconv.AppendInt(b, height, 10)
	return appendPosition(b, height, index, 0)
}

// appendPosition appends "/<height>/<index>$es$<seq>".
func appendPosition(b []byte, height int64, index uint32, seq int) []byte {
	b = append(b, tagSep)
	b = strconv.AppendInt(b, height, 10)
	b = append(b, tagSep)
	b = strconv.AppendUint(b, uint64(index), 10)
	b = append(b, eventSeqSep...)
	return strconv.AppendInt(b, int64(seq), 10)
}

// prefix returns the fields joined and terminated by '/': "a/b/".
func prefix(fields ...string) []byte {
	var b []byte
	for _, f := range fields {
		b = append(b, f...)
		b = append(b, tagSep)
	}
	return b
}

// isTagKey reports whether key has the three separators of an index key (values may add more).
func isTagKey(key []byte) bool {
	return bytes.Count(key, []byte{tagSep}) >= 3
}

// positionStart returns the offset of the separator before the height of an index key, found
// as CometBFT finds it (the last separator before the byte preceding the last separator), and
// the offset of the last separator; ok is false when there are not two.
func positionStart(key []byte) (start, last int, ok bool) {
	last = bytes.LastIndexByte(key, tagSep)
	if last < 1 {
		return 0, 0, false
	}
	start = bytes.LastIndexByte(key[:last-1], tagSep)
	if start < 0 {
		return 0, 0, false
	}
	return start, last, true
}

// keyHeight returns the height of an index key, the second-last field.
func keyHeight(key []byte) (int64, bool) {
	start, last, ok := positionStart(key)
	if !ok {
		return 0, false
	}
	h, err := strconv.ParseInt(string(key[start+1:last]), 10, 64)
	return h, err == nil
}

// keyValue returns the value of an index key: what lies between the first and the second-last
// separator, trimmed of white space ("" if there are fewer than two separators).
func keyValue(key []byte) string {
	first := bytes.IndexByte(key, tagSep)
	secondLast := -1
	if last := bytes.LastIndexByte(key, tagSep); last > 0 {
		secondLast = bytes.LastIndexByte(key[:last], tagSep)
	}
	if first < 0 || secondLast <= first {
		return ""
	}
	return string(bytes.TrimSpace(key[first+1 : secondLast]))
}

// keyInstance returns what identifies the event instance of an index key besides the hash:
// the text after the separator before the height ("<height>/<index>$es$<seq>"). Keys written
// before event sequences existed ("<height>/<index>") share the instance of their tx.height key,
// as they did in CometBFT.
func keyInstance(key []byte) string {
	if start, _, ok := positionStart(key); ok {
		return string(key[start+1:])
	}
	return string(key)
}
