package conn

import (
	"bufio"
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ballot-bft/ballot/libs/protoio"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// Send scheduling (fact sheet §5.2).
const (
	writeBufferSize = 64 << 10        // bytes buffered before a forced flush
	packetsPerBatch = 10              // packets written per wake-up before other events are served
	decayPeriod     = 2 * time.Second // recentlySent is multiplied by decayFactor every period
	decayFactor     = 0.8
)

// channel is one multiplexed channel. queue is shared; the send fields belong to the send
// routine and the recv fields to the receive routine.
type channel struct {
	desc  ChannelDescriptor
	queue chan []byte

	// maxPayload is the most message bytes per packet on this channel: the configured payload,
	// less one byte for IDs ≥ 0x80, whose two-byte varint would otherwise make a full packet one
	// byte larger than a peer accepts.
	maxPayload int

	// send routine
	sending      []byte // unsent rest of the current message
	hasSending   bool   // a message is being sent (it may be empty)
	recentlySent float64
	sentStatus   atomic.Int64 // recentlySent, published for Status

	// receive routine
	recving []byte // reassembly buffer, reused between messages
}

// loadPending reports whether the channel has something to send, taking the next queued
// message if the current one is done.
func (ch *channel) loadPending() bool {
	if ch.hasSending {
		return true
	}
	select {
	case msg := <-ch.queue:
		ch.sending, ch.hasSending = msg, true
		return true
	default:
		return false
	}
}

// sender is the send routine's state.
type sender struct {
	c         *MConnection
	buf       *bufio.Writer
	w         *protoio.Writer
	lastDecay time.Time
	dirty     bool // bytes written since the last flush
}

// sendRoutine is the only writer of the connection. It sleeps until a message is queued, the
// flush timer fires, a ping is due or owed, or the pong deadline passes.
func (c *MConnection) sendRoutine(ctx context.Context) error {
	buf := bufio.NewWriterSize(c.conn, writeBufferSize)
	s := &sender{c: c, buf: buf, w: protoio.NewDelimitedWriter(buf), lastDecay: time.Now()}

	pingTicker := time.NewTicker(c.cfg.PingInterval)
	defer pingTicker.Stop()
	var (
		pongTimer   *time.Timer
		pongTimeout <-chan time.Time // armed while a pong is awaited
		flushTimer  *time.Timer
		flushDue    <-chan time.Time // armed while unflushed bytes wait for the throttle
	)
	defer func() {
		if pongTimer != nil {
			pongTimer.Stop()
		}
		if flushTimer != nil {
			flushTimer.Stop()
		}
	}()

	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.flushStop:
			return s.drain(ctx)
		case <-c.sendWake:
			more, err := s.sendBatch(ctx)
			if err != nil {
				return err
			}
			if more {
				signal(c.sendWake) // come back after serving other events
			}
			// Nothing else to write: flush now, so that a message never waits for the
			// throttle on an idle connection. While messages keep coming, the throttle bounds
			// how long written bytes wait.
			if s.dirty && (!more || c.cfg.FlushThrottle == 0) {
				if err := s.flush(); err != nil {
					return err
				}
				if flushDue != nil {
					flushTimer.Stop()
					flushDue = nil
				}
				break
			}
			if s.dirty && flushDue == nil {
				if flushTimer == nil {
					flushTimer = time.NewTimer(c.cfg.FlushThrottle)
				} else {
					flushTimer.Reset(c.cfg.FlushThrottle)
				}
				flushDue = flushTimer.C
			}
		case <-flushDue:
			flushDue = nil
			if err := s.flush(); err != nil {
				return err
			}
		case <-pingTicker.C:
			if err := s.writeControl(pingPacket); err != nil {
				return err
			}
			if pongTimeout == nil {
				if pongTimer == nil {
					pongTimer = time.NewTimer(c.cfg.PongTimeout)
				} else {
					pongTimer.Reset(c.cfg.PongTimeout)
				}
				pongTimeout = pongTimer.C
			}
		case <-c.pongRecv:
			if pongTimer != nil {
				pongTimer.Stop()
			}
			pongTimeout = nil
		case <-pongTimeout:
			return fmt.Errorf("%w: no pong within %v of a ping", ErrPongTimeout, c.cfg.PongTimeout)
		case <-c.pingRecv:
			if err := s.writeControl(pongPacket); err != nil {
				return err
			}
		}
	}
}

// sendBatch writes up to packetsPerBatch message packets and reports whether more are pending.
func (s *sender) sendBatch(ctx context.Context) (bool, error) {
	s.decay(time.Now())
	for range packetsPerBatch {
		ch := s.pickChannel()
		if ch == nil {
			return false, nil
		}
		if err := s.sendPacket(ctx, ch); err != nil {
			return false, err
		}
	}
	return s.pickChannel() != nil, nil
}

// drain writes every queued message, flushes, and ends the routine (FlushStop).
func (s *sender) drain(ctx context.Context) error {
	for ch := s.pickChannel(); ch != nil; ch = s.pickChannel() {
		if err := s.sendPacket(ctx, ch); err != nil {
			return err
		}
	}
	if err := s.flush(); err != nil {
		return err
	}
	return errFlushStopped
}

// pickChannel returns the channel with pending data that has sent least relative to its
// priority, or nil if nothing is pending.
func (s *sender) pickChannel() *channel {
	var (
		best      *channel
		bestRatio float64
	)
	for _, ch := range s.c.channels {
		if !ch.loadPending() {
			continue
		}
		ratio := ch.recentlySent / float64(ch.desc.Priority)
		if best == nil || ratio < bestRatio {
			best, bestRatio = ch, ratio
		}
	}
	return best
}

// sendPacket writes the next chunk of ch's current message, after waiting for the send rate
// limiter.
func (s *sender) sendPacket(ctx context.Context, ch *channel) error {
	n := min(len(ch.sending), ch.maxPayload)
	eof := n == len(ch.sending)
	pkt := msgPacket(ch.desc.ID, eof, ch.sending[:n])
	if err := s.c.sendLimiter.WaitN(ctx, min(maxFrameSize(pkt.Size()), s.c.sendLimiter.Burst())); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("mconnection: send rate limiter: %w", err)
	}
	written, err := s.w.WriteMsg(pkt)
	if err != nil {
		return fmt.Errorf("mconnection: writing packet: %w", err)
	}
	s.dirty = true
	s.c.sentBytes.Add(int64(written))
	ch.recentlySent += float64(written)
	ch.sentStatus.Store(int64(ch.recentlySent))
	ch.sending = ch.sending[n:]
	if eof {
		ch.sending, ch.hasSending = nil, false
	}
	return nil
}

// writeControl writes a ping or pong and flushes at once.
func (s *sender) writeControl(pkt *tmp2p.Packet) error {
	written, err := s.w.WriteMsg(pkt)
	if err != nil {
		return fmt.Errorf("mconnection: writing ping/pong: %w", err)
	}
	s.c.sentBytes.Add(int64(written))
	s.dirty = true
	return s.flush()
}

func (s *sender) flush() error {
	if !s.dirty {
		return nil
	}
	if err := s.buf.Flush(); err != nil {
		return fmt.Errorf("mconnection: flushing: %w", err)
	}
	s.dirty = false
	return nil
}

// decay scales every channel's recentlySent by decayFactor per whole decayPeriod since the last
// decay.
func (s *sender) decay(now time.Time) {
	periods := int(now.Sub(s.lastDecay) / decayPeriod)
	if periods <= 0 {
		return
	}
	s.lastDecay = s.lastDecay.Add(time.Duration(periods) * decayPeriod)
	factor := 0.0
	if periods < 200 { // 0.8^200 underflows anything that matters
		factor = 1
		for range periods {
			factor *= decayFactor
		}
	}
	for _, ch := range s.c.channels {
		ch.recentlySent *= factor
		ch.sentStatus.Store(int64(ch.recentlySent))
	}
}
