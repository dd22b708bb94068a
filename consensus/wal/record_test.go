package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
)

// crc32cBitwise computes CRC-32C bit by bit from its definition (reflected polynomial
// 0x82F63B78, initial value and final XOR 0xFFFFFFFF), independently of hash/crc32.
func crc32cBitwise(data []byte) uint32 {
	crc := uint32(0xFFFFFFFF)
	for _, b := range data {
		crc ^= uint32(b)
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ 0x82F63B78
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

func TestCRC32CReference(t *testing.T) {
	// The standard check value of CRC-32C.
	if got := crc32cBitwise([]byte("123456789")); got != 0xE3069283 {
		t.Fatalf("bitwise CRC-32C check value = %#08x, want 0xe3069283", got)
	}
}

// TestRecordLayout checks one record byte by byte: EndHeight{1} written at 1 s after the epoch.
func TestRecordLayout(t *testing.T) {
	data := []byte{
		0x0a, 0x02, // TimedWALMessage.time, 2 bytes
		0x08, 0x01, //   Timestamp.seconds = 1
		0x12, 0x04, // TimedWALMessage.msg, 4 bytes
		0x22, 0x02, //   WALMessage.end_height (field 4), 2 bytes
		0x08, 0x01, //     EndHeight.height = 1
	}
	want := binary.BigEndian.AppendUint32(nil, crc32cBitwise(data))
	want = append(want, 0, 0, 0, byte(len(data)))
	want = append(want, data...)

	var buf bytes.Buffer
	n, err := NewEncoder(&buf).Encode(&consensuspb.TimedWALMessage{Time: time.Unix(1, 0), Msg: EndHeight(1)})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) || n != len(want) {
		t.Fatalf("record = % x (n=%d)\nwant     % x", buf.Bytes(), n, want)
	}

	msg, err := NewDecoder(bytes.NewReader(want)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if msg.Msg.GetEndHeight().GetHeight() != 1 || !msg.Time.Equal(time.Unix(1, 0)) {
		t.Fatalf("decoded %v", msg)
	}
}

// TestLengthIsBigEndian checks the length field with a record longer than 255 bytes, so that
// a little-endian or one-byte length would be caught.
func TestLengthIsBigEndian(t *testing.T) {
	var buf bytes.Buffer
	msg := &consensuspb.TimedWALMessage{Time: baseTime, Msg: RoundState(7, 0, string(bytes.Repeat([]byte("x"), 300)))}
	if _, err := NewEncoder(&buf).Encode(msg); err != nil {
		t.Fatal(err)
	}
	frame := buf.Bytes()
	size := msg.Size()
	if got := int(frame[4])<<24 | int(frame[5])<<16 | int(frame[6])<<8 | int(frame[7]); got != size || size <= 255 {
		t.Fatalf("length field % x = %d, want %d (> 255)", frame[4:8], got, size)
	}
	if got := uint32(frame[0])<<24 | uint32(frame[1])<<16 | uint32(frame[2])<<8 | uint32(frame[3]); got != crc32cBitwise(frame[8:]) {
		t.Fatalf("checksum field % x, want %#08x", frame[0:4], crc32cBitwise(frame[8:]))
	}
	if len(frame) != HeaderSize+size {
		t.Fatalf("frame has %d bytes, want %d", len(frame), HeaderSize+size)
	}
}

func TestRoundTripEveryKind(t *testing.T) {
	msgs := everyMessage(t, 5)
	stream, _ := encodeAll(t, msgs)
	dec := NewDecoder(bytes.NewReader(stream))
	clock := stepClock()
	var decoded []*consensuspb.TimedWALMessage
	for range msgs {
		got, err := dec.Decode()
		if err != nil {
			t.Fatal(err)
		}
		decoded = append(decoded, got)
	}
	if _, err := dec.Decode(); err != io.EOF {
		t.Fatalf("after the last record: %v, want io.EOF", err)
	}
	if dec.Offset() != int64(len(stream)) || dec.Records() != len(msgs) {
		t.Fatalf("offset %d records %d, want %d and %d", dec.Offset(), dec.Records(), len(stream), len(msgs))
	}
	// Compared after decoding everything, so a message sharing the decoder's buffer would show.
	for i, got := range decoded {
		if want := clock(); !got.Time.Equal(want) {
			t.Errorf("record %d time %v, want %v", i, got.Time, want)
		}
		if !bytes.Equal(marshal(t, got.Msg), marshal(t, msgs[i])) {
			t.Errorf("record %d (%s) differs after the round trip", i, KindOf(msgs[i]))
		}
	}
	kinds := map[Kind]bool{}
	for _, m := range msgs {
		kinds[KindOf(m)] = true
	}
	for _, k := range Kinds() {
		if !kinds[k] && k != KindOther {
			t.Errorf("no %s record in the round trip", k)
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	if _, err := enc.Encode(&consensuspb.TimedWALMessage{Time: baseTime}); err == nil {
		t.Error("a record without a message was written")
	}
	if _, err := enc.Encode(&consensuspb.TimedWALMessage{Time: baseTime, Msg: &consensuspb.WALMessage{}}); err == nil {
		t.Error("a record with an empty message was written")
	}
	huge := RoundState(1, 0, string(make([]byte, MaxDataSize)))
	_, err := enc.Encode(&consensuspb.TimedWALMessage{Time: baseTime, Msg: huge})
	if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrCorrupted) {
		t.Errorf("oversized record: %v, want ErrTooLarge and not ErrCorrupted", err)
	}
	if buf.Len() != 0 {
		t.Errorf("refused records wrote %d bytes", buf.Len())
	}
}

func TestEncodeLargestRecord(t *testing.T) {
	// A record of exactly MaxDataSize bytes is accepted both ways.
	m := RoundState(1, 0, "")
	overhead := (&consensuspb.TimedWALMessage{Time: baseTime, Msg: m}).Size()
	// Each byte of step adds one; the length varint of the step grows by 2 bytes at 128 and
	// 16384, and the nested message lengths likewise, so search for the exact fit.
	var msg *consensuspb.TimedWALMessage
	for n := MaxDataSize - overhead - 16; n <= MaxDataSize-overhead; n++ {
		cand := &consensuspb.TimedWALMessage{Time: baseTime, Msg: RoundState(1, 0, string(bytes.Repeat([]byte("s"), n)))}
		if cand.Size() == MaxDataSize {
			msg = cand
			break
		}
	}
	if msg == nil {
		t.Fatal("no step length gives a record of exactly MaxDataSize")
	}
	var buf bytes.Buffer
	if _, err := NewEncoder(&buf).Encode(msg); err != nil {
		t.Fatal(err)
	}
	if _, err := NewDecoder(&buf).Decode(); err != nil {
		t.Fatal(err)
	}
}
