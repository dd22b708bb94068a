package conn

import (
	"bufio"
	"bytes"
	"context"
	"fmt"

	"github.com/ballot-bft/ballot/libs/protoio"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

const (
	// readBufferSize is the receive routine's read-ahead buffer.
	readBufferSize = 16 << 10
	// maxRetainedRecvBuffer bounds the reassembly buffer a channel keeps between messages
	// (beyond its RecvBufferCapacity).
	maxRetainedRecvBuffer = 1 << 20
)

// recvRoutine is the only reader of the connection: it reads packets, answers pings through the
// send routine, and reassembles channel messages.
func (c *MConnection) recvRoutine(ctx context.Context) error {
	r := protoio.NewDelimitedReader(bufio.NewReaderSize(c.conn, readBufferSize), c.maxPacketSize)
	for {
		var pkt tmp2p.Packet
		n, err := r.ReadMsg(&pkt)
		c.recvBytes.Add(int64(n))
		if err != nil {
			if ctx.Err() != nil {
				return nil // Run closed the connection
			}
			return fmt.Errorf("mconnection: reading packet: %w", err)
		}
		if err := c.recvLimiter.WaitN(ctx, min(n, c.recvLimiter.Burst())); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("mconnection: receive rate limiter: %w", err)
		}
		if err := c.handlePacket(&pkt); err != nil {
			return err
		}
	}
}

// handlePacket acts on one packet from the peer. It is the receive routine's; it is also
// driven directly by the packet fuzzer.
func (c *MConnection) handlePacket(pkt *tmp2p.Packet) error {
	switch p := pkt.Sum.(type) {
	case *tmp2p.Packet_PacketPing:
		signal(c.pingRecv)
	case *tmp2p.Packet_PacketPong:
		signal(c.pongRecv)
	case *tmp2p.Packet_PacketMsg:
		return c.handleMsg(p.PacketMsg)
	default:
		return fmt.Errorf("%w: %T", ErrUnknownPacket, pkt.Sum)
	}
	return nil
}

// handleMsg appends a chunk to its channel's message and delivers the message at eof.
func (c *MConnection) handleMsg(m *tmp2p.PacketMsg) error {
	if m == nil {
		return fmt.Errorf("%w: empty PacketMsg", ErrUnknownPacket)
	}
	if m.ChannelID < 0 || m.ChannelID > 255 || c.byID[m.ChannelID] == nil {
		return fmt.Errorf("%w: %#x", ErrUnknownChannel, m.ChannelID)
	}
	ch := c.byID[m.ChannelID]
	if size := len(ch.recving) + len(m.Data); size > ch.desc.RecvMessageCapacity {
		return fmt.Errorf("%w: channel %#02x message reached %d bytes, capacity %d",
			ErrRecvMessageTooLarge, ch.desc.ID, size, ch.desc.RecvMessageCapacity)
	}
	if !m.EOF {
		if ch.recving == nil {
			ch.recving = make([]byte, 0, min(ch.desc.RecvBufferCapacity, ch.desc.RecvMessageCapacity))
		}
		ch.recving = append(ch.recving, m.Data...)
		return nil
	}
	if len(ch.recving) == 0 {
		c.onReceive(ch.desc.ID, m.Data) // decoded into its own memory: no copy needed
		return nil
	}
	ch.recving = append(ch.recving, m.Data...)
	msg := bytes.Clone(ch.recving)
	ch.recving = ch.recving[:0]
	if cap(ch.recving) > max(ch.desc.RecvBufferCapacity, maxRetainedRecvBuffer) {
		ch.recving = nil // do not pin the memory of one huge message
	}
	c.onReceive(ch.desc.ID, msg)
	return nil
}

// signal makes a non-blocking send on a capacity-1 channel; repeated signals coalesce.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
