package jepsen

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// pipeRelay relays from a pipe's far end to another pipe's near end with fault, and returns
// the writer of the source and the reader of the destination.
func pipeRelay(t *testing.T, fault func() Fault) (src net.Conn, dst net.Conn, done <-chan [2]int64) {
	t.Helper()
	srcNear, srcFar := net.Pipe()
	dstNear, dstFar := net.Pipe()
	out := make(chan [2]int64, 1)
	go func() {
		closeAll := sync.OnceFunc(func() { srcFar.Close(); dstNear.Close() })
		passed, dropped := relay(dstNear, srcFar, fault, closeAll)
		out <- [2]int64{passed, dropped}
	}()
	return srcNear, dstFar, out
}

func TestRelayPassesBytesInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, dst, done := pipeRelay(t, func() Fault { return Fault{} })
		go func() {
			for _, m := range []string{"hello ", "proxied ", "world"} {
				if _, err := src.Write([]byte(m)); err != nil {
					t.Error(err)
				}
			}
			src.Close()
		}()
		got, err := io.ReadAll(dst)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != "hello proxied world" {
			t.Fatalf("relayed %q", got)
		}
		if n := <-done; n != [2]int64{19, 0} {
			t.Fatalf("passed, dropped = %v, want [19 0]", n)
		}
	})
}

func TestRelayDelaysEveryChunk(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, dst, _ := pipeRelay(t, func() Fault { return Fault{Delay: 250 * time.Millisecond} })
		start := time.Now()
		go src.Write([]byte("ping"))
		buf := make([]byte, 4)
		if _, err := io.ReadFull(dst, buf); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 250*time.Millisecond {
			t.Fatalf("the chunk arrived after %s, want exactly the 250ms delay", took)
		}
		src.Close()
	})
}

func TestRelayDropsWhileTheLinkDrops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		drop := true
		src, dst, done := pipeRelay(t, func() Fault {
			mu.Lock()
			defer mu.Unlock()
			return Fault{Drop: drop}
		})
		if _, err := src.Write([]byte("lost")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the relay has read and discarded it
		mu.Lock()
		drop = false
		mu.Unlock()
		go func() {
			src.Write([]byte("kept"))
			src.Close()
		}()
		got, _ := io.ReadAll(dst)
		if string(got) != "kept" {
			t.Fatalf("relayed %q, want only the bytes sent after the drop ended", got)
		}
		if n := <-done; n != [2]int64{4, 4} {
			t.Fatalf("passed, dropped = %v, want [4 4]", n)
		}
	})
}

func TestRelayEndsWhenTheLinkIsCut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src, dst, done := pipeRelay(t, func() Fault { return Fault{Cut: true} })
		go src.Write([]byte("x"))
		<-done
		if _, err := dst.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
			t.Fatalf("after a cut the destination reads %v, want EOF", err)
		}
	})
}

// echoServer accepts connections on a loopback port and echoes them until ctx ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				io.Copy(c, c)
				c.Close()
			}()
		}
	}()
	return ln.Addr().String()
}

func startProxy(t *testing.T, faults *Faults, link Link, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := NewProxy(faults, ln, link, target)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("proxy: %v", err)
		}
	})
	return p
}

func echo(t *testing.T, c net.Conn, msg string) error {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if !bytes.Equal(buf, []byte(msg)) {
		t.Fatalf("echoed %q, want %q", buf, msg)
	}
	return nil
}

func TestProxyRelaysAndCutsOnPartition(t *testing.T) {
	faults := NewFaults()
	p := startProxy(t, faults, Link{From: 0, To: 1}, echoServer(t))

	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := echo(t, c, "before"); err != nil {
		t.Fatalf("through a healthy link: %v", err)
	}

	faults.Partition([]int{0}, []int{1}) // closes the open connection
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("the connection survived the partition")
	}
	refused, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer refused.Close()
	if err := echo(t, refused, "during"); err == nil {
		t.Fatal("a connection through a cut link echoed")
	}

	faults.Heal()
	healed, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer healed.Close()
	if err := echo(t, healed, "after"); err != nil {
		t.Fatalf("after healing: %v", err)
	}
	st := p.Stats()
	if st.Accepted != 2 || st.Refused != 1 {
		t.Fatalf("stats %+v, want 2 accepted and 1 refused", st)
	}
}

func TestPartitionCutsBothDirectionsBetweenGroupsOnly(t *testing.T) {
	f := NewFaults()
	f.Partition([]int{0, 1}, []int{2})
	for _, tc := range []struct {
		l   Link
		cut bool
	}{
		{Link{0, 2}, true}, {Link{2, 0}, true}, {Link{1, 2}, true}, {Link{2, 1}, true},
		{Link{0, 1}, false}, {Link{1, 0}, false},
	} {
		if got := f.Fault(tc.l).Cut; got != tc.cut {
			t.Errorf("link %s cut = %v, want %v", tc.l, got, tc.cut)
		}
	}
	if got, want := f.Describe(), "0->2 cut, 1->2 cut, 2->0 cut, 2->1 cut"; got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
	f.SetLinks([]int{0}, []int{1}, Fault{Delay: time.Second})
	if !f.cut(Link{2, 0}) || f.cut(Link{0, 1}) {
		t.Error("cut() must hold for a link whose reverse is cut, and only then")
	}
	f.Heal()
	if got := f.Describe(); got != "healed" {
		t.Errorf("after Heal: %q", got)
	}
}

func TestPortsHandsOutFreePortsOnce(t *testing.T) {
	p, err := NewPorts(DefaultPortLow, DefaultPortHigh, 12345)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 20 {
		a, err := p.Take()
		if err != nil {
			t.Fatal(err)
		}
		if seen[a] {
			t.Fatalf("port %s handed out twice", a)
		}
		seen[a] = true
	}
	if _, err := NewPorts(5, 5, 0); err == nil {
		t.Error("an empty range was accepted")
	}
}
