package conn

import (
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ballot-bft/ballot/config"
)

// tcpSecretPair returns two SecretConnections over a loopback TCP connection, as two nodes on
// one machine use (the standard benchmark's network).
func tcpSecretPair(b *testing.B) (*SecretConnection, *SecretConnection) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	var (
		wg     sync.WaitGroup
		server net.Conn
		acErr  error
	)
	wg.Go(func() { server, acErr = ln.Accept() })
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	wg.Wait()
	if acErr != nil {
		b.Fatal(acErr)
	}
	var sa, sb *SecretConnection
	var ea, eb error
	wg.Go(func() { sa, ea = MakeSecretConnection(client, keyFromSeed(b, 1)) })
	wg.Go(func() { sb, eb = MakeSecretConnection(server, keyFromSeed(b, 2)) })
	wg.Wait()
	if ea != nil || eb != nil {
		b.Fatalf("handshake: %v / %v", ea, eb)
	}
	b.Cleanup(func() { client.Close(); server.Close() })
	return sa, sb
}

// BenchmarkSecretConnection is the encrypted stream alone: 64 KiB writes read on the far end.
func BenchmarkSecretConnection(b *testing.B) {
	sa, sb := tcpSecretPair(b)
	msg := make([]byte, 64<<10)
	done := make(chan error, 1)
	total := int64(b.N) * int64(len(msg))
	go func() {
		buf := make([]byte, 64<<10)
		var got int64
		for got < total {
			n, err := sb.Read(buf)
			if err != nil {
				done <- err
				return
			}
			got += int64(n)
		}
		done <- nil
	}()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := sa.Write(msg); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkMConnectionSend sends messages of a consensus vote's, a transaction's and a block
// part's size on one channel from one MConnection to another over SecretConnections on
// loopback TCP, and waits until the far end received them all: framing into 1024-byte
// packets, encryption, flushing (the node's default flush_throttle_timeout), decryption and
// reassembly. Send rates are unlimited (a node caps each connection at [p2p] send_rate and
// recv_rate, 5120000 B/s by default).
func BenchmarkMConnectionSend(b *testing.B) {
	for _, size := range []int{120, 250, 65536 + 100} {
		b.Run(fmt.Sprintf("msg=%dB", size), func(b *testing.B) {
			cfg := MConnConfigFromP2P(config.DefaultP2PConfig())
			cfg.SendRate, cfg.RecvRate = 0, 0
			descs := []ChannelDescriptor{{ID: 0x30, Priority: 5, SendQueueCapacity: 100, RecvMessageCapacity: 1 << 20}}
			sa, sb := tcpSecretPair(b)
			var received atomic.Int64
			all := make(chan struct{})
			want := int64(b.N)
			var stopping atomic.Bool
			onErr := func(err error) {
				if !stopping.Load() {
					b.Error(err)
				}
			}
			sender, err := NewMConnection(sa, descs, func(byte, []byte) {}, onErr, cfg)
			if err != nil {
				b.Fatal(err)
			}
			receiver, err := NewMConnection(sb, descs, func(_ byte, msg []byte) {
				if len(msg) != size {
					b.Errorf("received %d bytes, want %d", len(msg), size)
				}
				if received.Add(1) == want {
					close(all)
				}
			}, onErr, cfg)
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Go(func() { sender.Run(ctx) })
			wg.Go(func() { receiver.Run(ctx) })
			defer func() { stopping.Store(true); cancel(); wg.Wait() }()

			msg := make([]byte, size) // never modified, so it may be queued many times
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if !sender.Send(0x30, msg) {
					b.Fatal("send failed")
				}
			}
			<-all
		})
	}
}
