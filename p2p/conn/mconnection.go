package conn

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/ballot-bft/ballot/config"
)

// MConnConfig holds an MConnection's tunables. Build it with DefaultMConnConfig or
// MConnConfigFromP2P and adjust; NewMConnection checks it.
type MConnConfig struct {
	// SendRate and RecvRate cap the bytes per second written and read; 0 means no cap.
	SendRate int64
	RecvRate int64
	// MaxPacketMsgPayloadSize is the most message bytes one PacketMsg carries; it also sets the
	// largest packet accepted from the peer (the size of a channel-1 PacketMsg with eof and a
	// payload this large). Peers must agree on it (CometBFT: 1024).
	MaxPacketMsgPayloadSize int
	// FlushThrottle is the longest written packets wait in the write buffer before being
	// flushed to the peer; 0 flushes after every batch. Pings and pongs are flushed at once.
	FlushThrottle time.Duration
	// PingInterval is how often a ping is sent (> 0).
	PingInterval time.Duration
	// PongTimeout is how long to wait for the pong after a ping before failing the connection
	// (0 < PongTimeout < PingInterval).
	PongTimeout time.Duration
	// SendTimeout is how long Send waits for room in a full channel queue (> 0).
	SendTimeout time.Duration
}

// DefaultMConnConfig returns CometBFT's library defaults: 512000 B/s each way, 1024-byte
// payloads, a 100 ms flush throttle, a ping every 60 s answered within 45 s, and a 10 s send
// timeout. A node uses MConnConfigFromP2P, whose rates come from the [p2p] config.
func DefaultMConnConfig() MConnConfig {
	return MConnConfig{
		SendRate:                512000,
		RecvRate:                512000,
		MaxPacketMsgPayloadSize: 1024,
		FlushThrottle:           100 * time.Millisecond,
		PingInterval:            60 * time.Second,
		PongTimeout:             45 * time.Second,
		SendTimeout:             10 * time.Second,
	}
}

// MConnConfigFromP2P returns DefaultMConnConfig with the rates, payload size and flush
// throttle of a [p2p] config section.
func MConnConfigFromP2P(p2p *config.P2PConfig) MConnConfig {
	c := DefaultMConnConfig()
	c.SendRate = p2p.SendRate
	c.RecvRate = p2p.RecvRate
	c.MaxPacketMsgPayloadSize = p2p.MaxPacketMsgPayloadSize
	c.FlushThrottle = p2p.FlushThrottleTimeout
	return c
}

func (c MConnConfig) validate() error {
	switch {
	case c.SendRate < 0 || c.RecvRate < 0:
		return fmt.Errorf("rates must not be negative (send %d, recv %d)", c.SendRate, c.RecvRate)
	case c.MaxPacketMsgPayloadSize <= 0:
		return fmt.Errorf("max packet payload %d must be positive", c.MaxPacketMsgPayloadSize)
	case c.FlushThrottle < 0:
		return fmt.Errorf("flush throttle %v must not be negative", c.FlushThrottle)
	case c.PingInterval <= 0 || c.PongTimeout <= 0 || c.PongTimeout >= c.PingInterval:
		return fmt.Errorf("need 0 < pong timeout (%v) < ping interval (%v)", c.PongTimeout, c.PingInterval)
	case c.SendTimeout <= 0:
		return fmt.Errorf("send timeout %v must be positive", c.SendTimeout)
	}
	return nil
}

// ChannelDescriptor describes one channel of an MConnection. Zero fields take CometBFT's
// defaults: Priority 1, SendQueueCapacity 1, RecvBufferCapacity 4096, RecvMessageCapacity
// 22020096.
type ChannelDescriptor struct {
	// ID is the channel's byte on the wire. IDs from 0x80 take two bytes in a packet, so
	// their packets carry one payload byte less than MaxPacketMsgPayloadSize (a full one would
	// exceed the size a peer accepts).
	ID byte
	// Priority weighs the channel's share of the send bandwidth (higher sends more).
	Priority int
	// SendQueueCapacity is how many messages may wait to be sent.
	SendQueueCapacity int
	// RecvBufferCapacity is the initial size of the reassembly buffer (not a limit).
	RecvBufferCapacity int
	// RecvMessageCapacity is the largest message accepted from the peer; a larger one fails
	// the connection.
	RecvMessageCapacity int
}

// Defaults of ChannelDescriptor fields left zero.
const (
	defaultSendQueueCapacity   = 1
	defaultRecvBufferCapacity  = 4096
	defaultRecvMessageCapacity = 22020096
)

func (d ChannelDescriptor) withDefaults() ChannelDescriptor {
	if d.Priority == 0 {
		d.Priority = 1
	}
	if d.SendQueueCapacity == 0 {
		d.SendQueueCapacity = defaultSendQueueCapacity
	}
	if d.RecvBufferCapacity == 0 {
		d.RecvBufferCapacity = defaultRecvBufferCapacity
	}
	if d.RecvMessageCapacity == 0 {
		d.RecvMessageCapacity = defaultRecvMessageCapacity
	}
	return d
}

// ReceiveFunc is called with each complete message received on a channel, in arrival order,
// from the MConnection's receive goroutine; the next packet is not read until it returns, so it
// should not block for long. It owns msg (which may be empty).
type ReceiveFunc func(chID byte, msg []byte)

// ErrorFunc is called once, from Run's goroutine before Run returns, with the error that ended
// the connection. It is not called when Run stops because its context ended or after
// FlushStop.
type ErrorFunc func(err error)

// MConnection multiplexes channels over one connection (normally a SecretConnection), speaking
// CometBFT's Packet protocol. Run drives it; Send, TrySend, CanSend and FlushStop may be called
// from any goroutine, before or during Run.
type MConnection struct {
	conn      net.Conn
	cfg       MConnConfig
	channels  []*channel
	byID      [256]*channel
	onReceive ReceiveFunc
	onError   ErrorFunc

	maxPacketSize int // largest Packet accepted, length prefix excluded
	sendLimiter   *rate.Limiter
	recvLimiter   *rate.Limiter

	sendWake  chan struct{} // a message was queued (capacity 1)
	pingRecv  chan struct{} // the peer pinged: send a pong (capacity 1)
	pongRecv  chan struct{} // the peer ponged (capacity 1)
	flushStop chan struct{} // closed by FlushStop
	stopOnce  sync.Once
	stopped   chan struct{} // closed when Run stops
	started   atomic.Bool
	startTime atomic.Pointer[time.Time] // when Run began
	sentBytes atomic.Int64
	recvBytes atomic.Int64
}

// errFlushStopped ends the send routine after FlushStop drained the queues.
var errFlushStopped = errors.New("mconnection: stopped after flushing")

// NewMConnection returns an MConnection over conn for the given channels. onReceive and
// onError must not be nil. It fails for an invalid config, no channels, a duplicate channel ID
// or negative descriptor fields. The MConnection takes ownership of conn: Run closes it.
func NewMConnection(conn net.Conn, descs []ChannelDescriptor, onReceive ReceiveFunc, onError ErrorFunc, cfg MConnConfig) (*MConnection, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("mconnection config: %w", err)
	}
	if len(descs) == 0 {
		return nil, errors.New("mconnection: no channels")
	}
	if onReceive == nil || onError == nil {
		return nil, errors.New("mconnection: nil callback")
	}
	c := &MConnection{
		conn:          conn,
		cfg:           cfg,
		onReceive:     onReceive,
		onError:       onError,
		maxPacketSize: maxPacketSize(cfg.MaxPacketMsgPayloadSize),
		sendWake:      make(chan struct{}, 1),
		pingRecv:      make(chan struct{}, 1),
		pongRecv:      make(chan struct{}, 1),
		flushStop:     make(chan struct{}),
		stopped:       make(chan struct{}),
	}
	burst := maxFrameSize(c.maxPacketSize)
	c.sendLimiter = newLimiter(cfg.SendRate, burst)
	c.recvLimiter = newLimiter(cfg.RecvRate, burst)
	for _, d := range descs {
		d = d.withDefaults()
		if d.Priority < 0 || d.SendQueueCapacity < 0 || d.RecvBufferCapacity < 0 || d.RecvMessageCapacity < 0 {
			return nil, fmt.Errorf("mconnection: channel %#02x: negative descriptor field", d.ID)
		}
		if c.byID[d.ID] != nil {
			return nil, fmt.Errorf("mconnection: channel %#02x listed twice", d.ID)
		}
		ch := &channel{desc: d, queue: make(chan []byte, d.SendQueueCapacity), maxPayload: cfg.MaxPacketMsgPayloadSize}
		for ch.maxPayload > 1 && msgPacket(d.ID, true, make([]byte, ch.maxPayload)).Size() > c.maxPacketSize {
			ch.maxPayload--
		}
		c.byID[d.ID] = ch
		c.channels = append(c.channels, ch)
	}
	return c, nil
}

// newLimiter returns a token bucket of bytesPerSec (unlimited if 0) holding at least burst
// bytes, or 50 ms worth at high rates so fast links are not throttled a packet at a time.
func newLimiter(bytesPerSec int64, burst int) *rate.Limiter {
	if bytesPerSec == 0 {
		return rate.NewLimiter(rate.Inf, burst)
	}
	return rate.NewLimiter(rate.Limit(bytesPerSec), max(burst, int(bytesPerSec/20)))
}

// Send queues msg on channel chID, waiting up to the config's SendTimeout for room. It reports
// whether msg was queued: false for an unknown channel, a timeout, or a stopped connection.
// A queued message is sent unless the connection stops first. The caller must not modify msg
// afterwards.
func (c *MConnection) Send(chID byte, msg []byte) bool {
	ch := c.byID[chID]
	if ch == nil {
		return false
	}
	select {
	case <-c.stopped:
		return false
	default:
	}
	select {
	case ch.queue <- msg:
		signal(c.sendWake)
		return true
	default:
	}
	timer := time.NewTimer(c.cfg.SendTimeout)
	defer timer.Stop()
	select {
	case ch.queue <- msg:
		signal(c.sendWake)
		return true
	case <-timer.C:
		return false
	case <-c.stopped:
		return false
	}
}

// TrySend queues msg on channel chID if there is room, without blocking, and reports whether it
// did. The caller must not modify a queued msg afterwards.
func (c *MConnection) TrySend(chID byte, msg []byte) bool {
	ch := c.byID[chID]
	if ch == nil {
		return false
	}
	select {
	case <-c.stopped:
		return false
	default:
	}
	select {
	case ch.queue <- msg:
		signal(c.sendWake)
		return true
	default:
		return false
	}
}

// CanSend reports whether channel chID exists and its queue has room now.
func (c *MConnection) CanSend(chID byte) bool {
	ch := c.byID[chID]
	if ch == nil {
		return false
	}
	select {
	case <-c.stopped:
		return false
	default:
		return len(ch.queue) < cap(ch.queue)
	}
}

// FlushStop asks Run to send every message queued so far, flush, and return nil (without
// calling onError). It does not wait.
func (c *MConnection) FlushStop() {
	c.stopOnce.Do(func() { close(c.flushStop) })
}

// Run sends and receives until ctx ends, FlushStop completes, or the connection fails, then
// closes the connection and returns once its goroutines are done. It returns nil for the first
// two; otherwise it calls onError with the failure and returns it. Errors wrap ErrUnknownChannel,
// ErrRecvMessageTooLarge, ErrUnknownPacket, ErrPongTimeout, a protoio decoding error, or the
// connection's I/O error. Run may be called once.
func (c *MConnection) Run(ctx context.Context) error {
	if !c.started.CompareAndSwap(false, true) {
		return errors.New("mconnection: Run called twice")
	}
	now := time.Now()
	c.startTime.Store(&now)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		errOnce  sync.Once
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		if err != nil {
			errOnce.Do(func() { firstErr = err })
		}
		cancel()
	}
	wg.Go(func() { fail(c.sendRoutine(ctx)) })
	wg.Go(func() { fail(c.recvRoutine(ctx)) })
	<-ctx.Done()
	close(c.stopped)
	c.conn.Close() // unblocks the routines' reads and writes
	wg.Wait()
	if firstErr == nil || errors.Is(firstErr, errFlushStopped) {
		return nil
	}
	c.onError(firstErr)
	return firstErr
}

// ConnectionStatus is a snapshot of an MConnection for monitoring (RPC net_info).
type ConnectionStatus struct {
	// Duration is how long Run has been running (0 before Run).
	Duration time.Duration
	// SentBytes and RecvBytes count every byte of every packet written and read, length
	// prefixes included.
	SentBytes int64
	RecvBytes int64
	// Channels are in descriptor order.
	Channels []ChannelStatus
}

// ChannelStatus is one channel's part of a ConnectionStatus.
type ChannelStatus struct {
	ID                byte
	SendQueueCapacity int
	SendQueueSize     int
	Priority          int
	// RecentlySent is the decayed count of bytes sent that the scheduler weighs by priority.
	RecentlySent int64
}

// Status returns a snapshot of the connection; any goroutine may call it.
func (c *MConnection) Status() ConnectionStatus {
	st := ConnectionStatus{SentBytes: c.sentBytes.Load(), RecvBytes: c.recvBytes.Load()}
	if start := c.startTime.Load(); start != nil {
		st.Duration = time.Since(*start)
	}
	for _, ch := range c.channels {
		st.Channels = append(st.Channels, ChannelStatus{
			ID:                ch.desc.ID,
			SendQueueCapacity: cap(ch.queue),
			SendQueueSize:     len(ch.queue),
			Priority:          ch.desc.Priority,
			RecentlySent:      ch.sentStatus.Load(),
		})
	}
	return st
}
