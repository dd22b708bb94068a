package conn

import (
	"bytes"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// Two idle MConnections ping each other every minute and answer; nothing fails for an hour.
func TestMConnectionKeepalive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := mconnPair(t, threeChannels, threeChannels, testConfig(), testConfig())
		a.start(t)
		b.start(t)
		time.Sleep(time.Hour)
		select {
		case err := <-a.result:
			t.Fatalf("a stopped: %v", err)
		case err := <-b.result:
			t.Fatalf("b stopped: %v", err)
		default:
		}
		a.mc.Send(0x20, []byte("still here"))
		if r := <-b.recv; string(r.msg) != "still here" {
			t.Fatalf("got %q", r.msg)
		}
	})
}

// The ping comes after PingInterval; a peer that never answers is dropped PongTimeout later.
func TestMConnectionPongTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, raw := rawPair(t, threeChannels, testConfig())
		start := time.Now()
		p.start(t)
		pkt, err := raw.read()
		if err != nil || pkt.GetPacketPing() == nil {
			t.Fatalf("first packet %v, %v; want a ping", pkt, err)
		}
		if at := time.Since(start); at != 60*time.Second {
			t.Fatalf("ping after %v, want 60s", at)
		}
		err = <-p.result
		if !errors.Is(err, ErrPongTimeout) {
			t.Fatalf("got %v, want ErrPongTimeout", err)
		}
		if at := time.Since(start); at != 105*time.Second {
			t.Fatalf("dropped after %v, want 105s", at)
		}
		if onErr := <-p.onErr; !errors.Is(onErr, ErrPongTimeout) {
			t.Fatalf("onError got %v", onErr)
		}
	})
}

// A peer that answers each ping keeps the connection; a ping from the peer is answered with a
// pong at once.
func TestMConnectionPingPong(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, raw := rawPair(t, threeChannels, testConfig())
		start := time.Now()
		p.start(t)
		for i := 1; i <= 3; i++ {
			pkt, err := raw.read()
			if err != nil || pkt.GetPacketPing() == nil {
				t.Fatalf("packet %d: %v, %v; want a ping", i, pkt, err)
			}
			if at := time.Since(start); at != time.Duration(i)*time.Minute {
				t.Fatalf("ping %d after %v", i, at)
			}
			time.Sleep(44 * time.Second) // answer just in time
			if err := raw.write(pongPacket); err != nil {
				t.Fatal(err)
			}
		}
		sent := time.Now()
		if err := raw.write(pingPacket); err != nil {
			t.Fatal(err)
		}
		pkt, err := raw.read()
		if err != nil || pkt.GetPacketPong() == nil || time.Since(sent) != 0 {
			t.Fatalf("answer %v, %v after %v; want a pong at once", pkt, err, time.Since(sent))
		}
		select {
		case err := <-p.result:
			t.Fatalf("connection stopped: %v", err)
		default:
		}
	})
}

// A message on an idle connection is flushed at once: it never waits for the flush throttle.
func TestMConnectionFlushesWhenIdle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, raw := rawPair(t, threeChannels, testConfig())
		p.start(t)
		sent := time.Now()
		p.mc.Send(0x20, []byte("a"))
		if _, err := raw.read(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(sent); d != 0 {
			t.Fatalf("message arrived after %v, want at once", d)
		}
	})
}

// A full queue makes Send wait for SendTimeout and give up; TrySend gives up at once.
func TestMConnectionSendTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p, _ := rawPair(t, threeChannels, testConfig())
		if !p.mc.Send(0x30, []byte("fills the queue")) { // capacity 1, Run not started
			t.Fatal("first Send failed")
		}
		if p.mc.CanSend(0x30) || p.mc.TrySend(0x30, []byte("x")) {
			t.Fatal("full queue accepted a message")
		}
		start := time.Now()
		if p.mc.Send(0x30, []byte("x")) {
			t.Fatal("Send on a full queue succeeded")
		}
		if d := time.Since(start); d != 10*time.Second {
			t.Fatalf("Send gave up after %v, want 10s", d)
		}
	})
}

// transferTime measures, in simulated time, how long 100 messages of 1000 bytes take from a
// to b with the given rates (bytes/s, 0 = unlimited).
func transferTime(t *testing.T, sendRate, recvRate int64) (time.Duration, int) {
	var elapsed time.Duration
	var wire int
	synctest.Test(t, func(t *testing.T) {
		descs := []ChannelDescriptor{{ID: 1, SendQueueCapacity: 100}}
		cfgA, cfgB := testConfig(), testConfig()
		cfgA.SendRate, cfgB.RecvRate = sendRate, recvRate
		a, b := mconnPair(t, descs, descs, cfgA, cfgB)
		msg := bytes.Repeat([]byte{1}, 1000)
		wire = 100 * maxFrameSize(msgPacket(1, true, msg).Size())
		for range 100 {
			a.mc.TrySend(1, msg)
		}
		start := time.Now()
		a.start(t)
		b.start(t)
		for range 100 {
			<-b.recv
		}
		elapsed = time.Since(start)
	})
	return elapsed, wire
}

// Sending and receiving are each held to the configured rate: 100 kB at 10 kB/s take 10 s
// (less the limiter's one-packet burst), and no longer than that plus a flush.
func TestMConnectionRateLimits(t *testing.T) {
	const rate = 10_000
	for _, c := range []struct {
		name       string
		send, recv int64
	}{{"send", rate, 0}, {"recv", 0, rate}} {
		elapsed, wire := transferTime(t, c.send, c.recv)
		t.Logf("%s limited: %d bytes in %v", c.name, wire, elapsed)
		burst := maxFrameSize(maxPacketSize(1024))
		lo := time.Duration(float64(wire-burst) / rate * float64(time.Second))
		hi := time.Duration(float64(wire)/rate*float64(time.Second)) + 200*time.Millisecond
		if elapsed < lo || elapsed > hi {
			t.Errorf("%s rate %d B/s: %d bytes took %v, want %v..%v", c.name, rate, wire, elapsed, lo, hi)
		}
	}
	if elapsed, _ := transferTime(t, 0, 0); elapsed > 200*time.Millisecond {
		t.Errorf("unlimited transfer took %v", elapsed)
	}
}
