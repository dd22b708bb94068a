package conn

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/libs/protoio"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// Fact sheet §5.1 and §5.2: packet bytes and the largest accepted packet.
func TestPacketVectors(t *testing.T) {
	cases := []struct {
		pkt  *tmp2p.Packet
		want string
	}{
		{pingPacket, "0a00"},
		{pongPacket, "1200"},
		{msgPacket(0x20, true, []byte("abc")), "1a09082010011a03616263"},
		{msgPacket(0x00, false, []byte{}), "1a00"},
	}
	for _, c := range cases {
		b, err := c.pkt.Marshal()
		if err != nil || hex.EncodeToString(b) != c.want {
			t.Errorf("%v: %x, %v; want %s", c.pkt, b, err, c.want)
		}
	}
	if got := maxPacketSize(1024); got != 1034 {
		t.Fatalf("max packet size %d, want 1034", got)
	}
}

var threeChannels = []ChannelDescriptor{
	{ID: 0x20, Priority: 6, SendQueueCapacity: 100, RecvMessageCapacity: 1 << 20},
	{ID: 0x21, Priority: 10, SendQueueCapacity: 100, RecvBufferCapacity: 204800, RecvMessageCapacity: 1 << 20},
	{ID: 0x30, Priority: 1, SendQueueCapacity: 1, RecvMessageCapacity: 1 << 20},
}

// A message is cut into max-payload chunks with eof only on the last; an empty message is one
// packet with eof and no data (fact sheet §5.2: 2500 bytes → 1024, 1024, 452).
func TestMConnectionPacketization(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, raw := rawPair(t, threeChannels, testConfig())
		p.start(t)
		msg := bytes.Repeat([]byte{7}, 2500)
		if !p.mc.Send(0x21, msg) || !p.mc.Send(0x21, nil) {
			t.Fatal("Send failed")
		}
		var got []string
		for range 4 {
			pkt, err := raw.read()
			if err != nil {
				t.Fatal(err)
			}
			m := pkt.GetPacketMsg()
			got = append(got, fmt.Sprintf("%#x/%d/%v", m.ChannelID, len(m.Data), m.EOF))
		}
		want := []string{"0x21/1024/false", "0x21/1024/false", "0x21/452/true", "0x21/0/true"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("packets %v, want %v", got, want)
		}
	})
}

// Two MConnections over SecretConnections exchange many messages of random sizes on three
// channels both ways at once; each channel's messages arrive whole and in order.
func TestMConnectionManyMessagesBothWays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := mconnPair(t, threeChannels, threeChannels, testConfig(), testConfig())
		a.start(t)
		b.start(t)
		rng := seededRand(t, 99)
		const perChannel = 150
		type plan map[byte][][]byte
		makePlan := func() plan {
			pl := plan{}
			for _, d := range threeChannels {
				for range perChannel {
					m := make([]byte, rng.IntN(5000))
					for i := range m {
						m[i] = byte(rng.Uint32())
					}
					pl[d.ID] = append(pl[d.ID], m)
				}
			}
			return pl
		}
		planA, planB := makePlan(), makePlan()
		send := func(p *testPeer, pl plan) {
			for id, msgs := range pl {
				go func() {
					for _, m := range msgs {
						if !p.mc.Send(id, m) {
							t.Errorf("Send on %#x failed", id)
							return
						}
					}
				}()
			}
		}
		check := func(p *testPeer, pl plan) {
			next := map[byte]int{}
			for range 3 * perChannel {
				r := <-p.recv
				want := pl[r.ch][next[r.ch]]
				if !bytes.Equal(r.msg, want) {
					t.Fatalf("channel %#x message %d: %d bytes differ from the %d sent", r.ch, next[r.ch], len(r.msg), len(want))
				}
				next[r.ch]++
			}
		}
		send(a, planA)
		send(b, planB)
		check(b, planA)
		check(a, planB)
		if err := a.stop(); err != nil {
			t.Fatalf("a: %v", err)
		}
		if len(a.onErr) != 0 {
			t.Fatalf("onError called after a clean stop: %v", <-a.onErr)
		}
	})
}

// With both queues full before Run, the priority-10 channel sends ten packets for each one of
// the priority-1 channel.
func TestMConnectionPriorities(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		descs := []ChannelDescriptor{
			{ID: 1, Priority: 1, SendQueueCapacity: 20},
			{ID: 2, Priority: 10, SendQueueCapacity: 20},
		}
		a, b := mconnPair(t, descs, descs, testConfig(), testConfig())
		for range 20 {
			for _, id := range []byte{1, 2} {
				if !a.mc.TrySend(id, bytes.Repeat([]byte{id}, 1000)) {
					t.Fatal("TrySend failed with room in the queue")
				}
			}
		}
		a.start(t)
		b.start(t)
		var order []byte
		for range 40 {
			order = append(order, (<-b.recv).ch)
		}
		want := "[1 2 2 2 2 2 2 2 2 2 2 1 2 2 2 2 2 2 2 2 2 2 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1]"
		if fmt.Sprint(order) != want {
			t.Fatalf("receive order\n%v\nwant\n%s", order, want)
		}
	})
}

// A 1 MiB message is split and reassembled; a message one byte over the receiver's capacity
// ends the receiver's connection with ErrRecvMessageTooLarge.
func TestMConnectionLargeAndOversizedMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := mconnPair(t, threeChannels, threeChannels, testConfig(), testConfig())
		a.start(t)
		b.start(t)
		big := make([]byte, 1<<20)
		for i := range big {
			big[i] = byte(i * 7)
		}
		a.mc.Send(0x20, big)
		if r := <-b.recv; r.ch != 0x20 || !bytes.Equal(r.msg, big) {
			t.Fatalf("1 MiB message: got %d bytes on %#x", len(r.msg), r.ch)
		}
		a.mc.Send(0x20, append(big, 1))
		err := <-b.result
		if !errors.Is(err, ErrRecvMessageTooLarge) {
			t.Fatalf("receiver: got %v, want ErrRecvMessageTooLarge", err)
		}
		if onErr := <-b.onErr; onErr != err {
			t.Fatalf("onError got %v, Run returned %v", onErr, err)
		}
		if err := <-a.result; err == nil {
			t.Fatal("sender kept running after the receiver hung up")
		}
	})
}

func TestMConnectionUnknownChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := mconnPair(t, threeChannels, threeChannels[:1], testConfig(), testConfig())
		if b.mc.Send(0x21, []byte("x")) || b.mc.TrySend(0x21, []byte("x")) || b.mc.CanSend(0x21) {
			t.Fatal("sending on a channel the connection does not have succeeded")
		}
		a.start(t)
		b.start(t)
		a.mc.Send(0x21, []byte("x"))
		if err := <-b.result; !errors.Is(err, ErrUnknownChannel) {
			t.Fatalf("got %v, want ErrUnknownChannel", err)
		}
	})
}

// Packets no honest peer sends end the connection with a clear error.
func TestMConnectionRejectsBadPackets(t *testing.T) {
	cases := map[string]struct {
		send []byte
		want error
	}{
		"empty packet":       {[]byte{0x00}, ErrUnknownPacket},
		"empty PacketMsg":    {[]byte{0x02, 0x1a, 0x00}, ErrUnknownChannel}, // channel 0 not listed
		"channel 256":        {[]byte{0x05, 0x1a, 0x03, 0x08, 0x80, 0x02}, ErrUnknownChannel},
		"negative channel":   {mustDelimited(t, msgPacket(0, true, nil), -1), ErrUnknownChannel},
		"oversized":          {[]byte{0x8b, 0x08}, protoio.ErrFrameTooLarge}, // 1035
		"malformed":          {[]byte{0x02, 0x1a, 0x05}, protoio.ErrMalformedMessage},
		"unknown field only": {[]byte{0x02, 0x20, 0x01}, ErrUnknownPacket},
		"overlong length":    {bytes.Repeat([]byte{0xff}, 11), protoio.ErrMalformedLength},
	}
	for name, c := range cases {
		synctest.Test(t, func(t *testing.T) {
			p, raw := rawPair(t, threeChannels, testConfig())
			p.start(t)
			go io.Copy(io.Discard, raw.conn)
			go raw.writeRaw(c.send)
			if err := <-p.result; !errors.Is(err, c.want) {
				t.Fatalf("%s: got %v, want %v", name, err, c.want)
			}
		})
	}
}

// Messages a raw peer sends in chunks, interleaved across channels, are reassembled per channel.
func TestMConnectionInterleavedReassembly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, raw := rawPair(t, threeChannels, testConfig())
		p.start(t)
		for _, pkt := range []*tmp2p.Packet{
			msgPacket(0x20, false, []byte("ab")),
			msgPacket(0x21, false, []byte("12")),
			msgPacket(0x20, true, []byte("c")),
			msgPacket(0x21, false, nil),
			msgPacket(0x21, true, []byte("3")),
			msgPacket(0x30, true, nil),
		} {
			if err := raw.write(pkt); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		for range 3 {
			r := <-p.recv
			got = append(got, fmt.Sprintf("%#x:%q", r.ch, r.msg))
		}
		if want := `[0x20:"abc" 0x21:"123" 0x30:""]`; fmt.Sprint(got) != want {
			t.Fatalf("got %v, want %s", got, want)
		}
	})
}

func TestMConnectionRunLifecycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, raw := rawPair(t, threeChannels, testConfig())
		p.start(t)
		synctest.Wait() // the first Run has begun
		if err := p.mc.Run(t.Context()); err == nil {
			t.Fatal("second Run accepted")
		}
		if err := p.stop(); err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
		if len(p.onErr) != 0 {
			t.Fatal("onError called on cancel")
		}
		if p.mc.Send(0x20, []byte("late")) || p.mc.TrySend(0x20, []byte("late")) || p.mc.CanSend(0x20) {
			t.Fatal("sending on a stopped connection succeeded")
		}
		if _, err := raw.read(); err == nil {
			t.Fatal("connection not closed by Run")
		}
	})
}

// FlushStop sends everything already queued, then Run returns nil and closes the connection.
func TestMConnectionFlushStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := mconnPair(t, threeChannels, threeChannels, testConfig(), testConfig())
		for i := range 50 {
			a.mc.TrySend(0x21, []byte(fmt.Sprint(i)))
		}
		a.mc.FlushStop()
		a.start(t)
		b.start(t)
		for i := range 50 {
			if r := <-b.recv; string(r.msg) != fmt.Sprint(i) {
				t.Fatalf("message %d: %q", i, r.msg)
			}
		}
		if err := <-a.result; err != nil {
			t.Fatalf("Run after FlushStop: %v", err)
		}
		if err := <-b.result; err == nil {
			t.Fatal("peer did not see the connection close")
		}
	})
}

func TestNewMConnectionRejectsBadSetup(t *testing.T) {
	sa, _ := secretPair(t)
	recv, onErr := func(byte, []byte) {}, func(error) {}
	badCfg := testConfig()
	badCfg.PongTimeout = badCfg.PingInterval
	cases := map[string]func() error{
		"no channels": func() error { _, err := NewMConnection(sa, nil, recv, onErr, testConfig()); return err },
		"duplicate": func() error {
			_, err := NewMConnection(sa, []ChannelDescriptor{{ID: 1}, {ID: 1}}, recv, onErr, testConfig())
			return err
		},
		"negative": func() error {
			_, err := NewMConnection(sa, []ChannelDescriptor{{ID: 1, Priority: -1}}, recv, onErr, testConfig())
			return err
		},
		"pong timeout": func() error { _, err := NewMConnection(sa, threeChannels, recv, onErr, badCfg); return err },
		"nil callback": func() error { _, err := NewMConnection(sa, threeChannels, nil, onErr, testConfig()); return err },
	}
	for name, f := range cases {
		if f() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// mustDelimited returns the frame of pkt, a PacketMsg, with its channel ID set to chID.
func mustDelimited(t *testing.T, pkt *tmp2p.Packet, chID int32) []byte {
	t.Helper()
	pkt.GetPacketMsg().ChannelID = chID
	b, err := protoio.MarshalDelimited(pkt)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Channels from 0x80 carry one payload byte less per packet, so a peer's packet size limit
// still holds.
func TestMConnectionHighChannelID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		descs := []ChannelDescriptor{{ID: 0x90, SendQueueCapacity: 2}}
		a, b := mconnPair(t, descs, descs, testConfig(), testConfig())
		a.start(t)
		b.start(t)
		msg := bytes.Repeat([]byte{9}, 2048)
		a.mc.Send(0x90, msg)
		if r := <-b.recv; r.ch != 0x90 || !bytes.Equal(r.msg, msg) {
			t.Fatalf("got %d bytes on %#x", len(r.msg), r.ch)
		}
		if got := a.mc.byID[0x90].maxPayload; got != 1023 {
			t.Fatalf("payload per packet %d, want 1023", got)
		}
	})
}

func TestMConnectionStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := mconnPair(t, threeChannels, threeChannels, testConfig(), testConfig())
		if st := a.mc.Status(); st.Duration != 0 || len(st.Channels) != 3 {
			t.Fatalf("before Run: %+v", st)
		}
		a.mc.TrySend(0x30, []byte("queued"))
		if st := a.mc.Status(); st.Channels[2].SendQueueSize != 1 || st.Channels[2].SendQueueCapacity != 1 {
			t.Fatalf("queue not reported: %+v", st.Channels[2])
		}
		a.start(t)
		b.start(t)
		<-b.recv
		time.Sleep(time.Second)
		st, bst := a.mc.Status(), b.mc.Status()
		// 15 bytes: prefix, Packet tag and length, PacketMsg{08 30 10 01 1a 06 "queued"}.
		want := ChannelStatus{ID: 0x30, SendQueueCapacity: 1, Priority: 1, RecentlySent: 15}
		if st.Duration != time.Second || st.Channels[2] != want { // flushed at once, then 1s
			t.Fatalf("after one message: %+v", st)
		}
		if st.SentBytes != 15 || bst.RecvBytes != 15 {
			t.Fatalf("sent %d, peer received %d bytes; want 15", st.SentBytes, bst.RecvBytes)
		}
	})
}
