package p2p

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"reflect"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/crypto/ed25519"
	"github.com/ballot-bft/ballot/libs/protoio"
	"github.com/ballot-bft/ballot/p2p/conn"
)

func nodeInfoFor(k *NodeKey, moniker string) NodeInfo {
	info := sheetNodeInfo()
	info.ID = k.ID()
	info.Moniker = moniker
	return info
}

func seededNodeKey(t *testing.T, b byte) *NodeKey {
	t.Helper()
	pk, err := ed25519.PrivKeyFromSeed(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return &NodeKey{PrivKey: pk}
}

// The whole connection setup: SecretConnection, NodeInfo exchange, and the acceptance checks
// with the ID derived from the authenticated key.
func TestExchangeNodeInfoOverSecretConnection(t *testing.T) {
	keyA, keyB := seededNodeKey(t, 1), seededNodeKey(t, 2)
	infoA, infoB := nodeInfoFor(keyA, "a"), nodeInfoFor(keyB, "b")
	infoB.ID = keyA.ID() // B lies about its identity
	pa, pb := net.Pipe()
	defer pa.Close()
	defer pb.Close()

	type result struct {
		sc     *conn.SecretConnection
		theirs NodeInfo
		err    error
	}
	run := func(c net.Conn, k *NodeKey, ours NodeInfo) result {
		sc, err := conn.MakeSecretConnection(c, k.PrivKey)
		if err != nil {
			return result{err: err}
		}
		theirs, err := ExchangeNodeInfo(sc, ours, 20*time.Second)
		return result{sc: sc, theirs: theirs, err: err}
	}
	var ra, rb result
	var wg sync.WaitGroup
	wg.Go(func() { ra = run(pa, keyA, infoA) })
	wg.Go(func() { rb = run(pb, keyB, infoB) })
	wg.Wait()
	if ra.err != nil || rb.err != nil {
		t.Fatalf("exchange: %v / %v", ra.err, rb.err)
	}
	if !reflect.DeepEqual(rb.theirs, infoA) || !reflect.DeepEqual(ra.theirs, infoB) {
		t.Fatal("received node infos differ from the sent ones")
	}
	if err := CheckPeerNodeInfo(nodeInfoFor(keyB, "b"), rb.theirs, PubKeyToID(rb.sc.RemotePubKey())); err != nil {
		t.Fatalf("B rejected honest A: %v", err)
	}
	if err := CheckPeerNodeInfo(infoA, ra.theirs, PubKeyToID(ra.sc.RemotePubKey())); !errors.Is(err, ErrNodeIDMismatch) {
		t.Fatalf("A accepted B's false ID: %v", err)
	}
}

// Nothing after the peer's NodeInfo is consumed: the next reader of conn sees it.
func TestExchangeNodeInfoReadsOnlyItsMessage(t *testing.T) {
	pa, pb := net.Pipe()
	defer pa.Close()
	defer pb.Close()
	go func() {
		frame, _ := protoio.MarshalDelimited(sheetNodeInfo().ToProto())
		go io.Copy(io.Discard, pb)
		pb.Write(append(frame, "tail"...))
	}()
	theirs, err := ExchangeNodeInfo(pa, sheetNodeInfo(), time.Minute)
	if err != nil || !reflect.DeepEqual(theirs, sheetNodeInfo()) {
		t.Fatalf("exchange: %+v, %v", theirs, err)
	}
	tail := make([]byte, 4)
	if _, err := io.ReadFull(pa, tail); err != nil || string(tail) != "tail" {
		t.Fatalf("after the exchange read %q, %v", tail, err)
	}
}

// A silent peer makes the exchange fail at the timeout (simulated time); the deadline is
// cleared afterwards.
func TestExchangeNodeInfoTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pa, pb := net.Pipe()
		defer pa.Close()
		defer pb.Close()
		go io.Copy(io.Discard, pb)
		start := time.Now()
		_, err := ExchangeNodeInfo(pa, sheetNodeInfo(), 20*time.Second)
		if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) != 20*time.Second {
			t.Fatalf("got %v after %v, want a deadline error after 20s", err, time.Since(start))
		}
		time.Sleep(time.Hour) // simulated: a deadline left behind would now have passed
		if _, err := pa.Write([]byte("still usable")); err != nil {
			t.Fatalf("deadline not cleared: %v", err)
		}
	})
}

// An oversized or malformed NodeInfo fails at once, even while the peer is not reading ours.
func TestExchangeNodeInfoRejectsBadMessages(t *testing.T) {
	cases := map[string]struct {
		send []byte
		want error
	}{
		"oversized": {binary.AppendUvarint(nil, MaxNodeInfoSize+1), protoio.ErrFrameTooLarge},
		"malformed": {[]byte{3, 0x0a, 0x05, 0x01}, protoio.ErrMalformedMessage},
		"truncated": {[]byte{10, 0x0a}, io.ErrUnexpectedEOF},
	}
	for name, c := range cases {
		synctest.Test(t, func(t *testing.T) {
			pa, pb := net.Pipe()
			defer pa.Close()
			defer pb.Close()
			go func() {
				pb.Write(c.send)
				if name == "truncated" {
					pb.Close()
				}
			}()
			start := time.Now()
			_, err := ExchangeNodeInfo(pa, sheetNodeInfo(), 20*time.Second)
			if !errors.Is(err, c.want) || time.Since(start) != 0 {
				t.Fatalf("%s: got %v after %v, want %v at once", name, err, time.Since(start), c.want)
			}
		})
	}
}

func TestExchangeNodeInfoNeedsTimeout(t *testing.T) {
	pa, pb := net.Pipe()
	defer pa.Close()
	defer pb.Close()
	if _, err := ExchangeNodeInfo(pa, sheetNodeInfo(), 0); err == nil {
		t.Fatal("zero timeout accepted")
	}
}
