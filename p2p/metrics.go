package p2p

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/cosmos/gogoproto/proto"

	"github.com/ballot-bft/ballot/libs/metrics"
)

// MetricsSubsystem is the subsystem of the p2p metrics: their names are
// "<namespace>_p2p_<name>", CometBFT v0.38's names.
const MetricsSubsystem = "p2p"

// pendingInterval is how often a running peer's send queue length is published (CometBFT's
// interval).
const pendingInterval = 10 * time.Second

// Metrics are the switch's instruments; NewMetrics makes them.
type Metrics struct {
	// Peers is the number of connected peers.
	Peers metrics.Gauge
	// PeerReceiveBytesTotal and PeerSendBytesTotal count the message bytes received from and
	// queued to each peer, by channel (peer_id, chID: "0x20").
	PeerReceiveBytesTotal metrics.CounterVec
	PeerSendBytesTotal    metrics.CounterVec
	// PeerPendingSendBytes is the number of messages waiting in a peer's send queues,
	// published every 10 s (peer_id). As in CometBFT it counts messages, not bytes.
	PeerPendingSendBytes metrics.GaugeVec
	// MessageReceiveBytesTotal and MessageSendBytesTotal count message bytes by message type
	// (message_type: the wrapped message, "consensus_Vote", "mempool_Txs").
	MessageReceiveBytesTotal metrics.CounterVec
	MessageSendBytesTotal    metrics.CounterVec
}

// NewMetrics makes the p2p metrics with p.
func NewMetrics(p metrics.Provider) *Metrics {
	s := metrics.Subsystem{Provider: p, Name: MetricsSubsystem}
	return &Metrics{
		Peers:                    s.Gauge("peers", "Connected peers.").With(),
		PeerReceiveBytesTotal:    s.Counter("peer_receive_bytes_total", "Message bytes received from each peer, by channel.", "peer_id", "chID"),
		PeerSendBytesTotal:       s.Counter("peer_send_bytes_total", "Message bytes queued to each peer, by channel.", "peer_id", "chID"),
		PeerPendingSendBytes:     s.Gauge("peer_pending_send_bytes", "Messages waiting in each peer's send queues.", "peer_id"),
		MessageReceiveBytesTotal: s.Counter("message_receive_bytes_total", "Message bytes received, by message type.", "message_type"),
		MessageSendBytesTotal:    s.Counter("message_send_bytes_total", "Message bytes sent, by message type.", "message_type"),
	}
}

// NopMetrics returns metrics that do nothing, the switch's default.
func NopMetrics() *Metrics { return NewMetrics(metrics.Nop) }

// WithMetrics makes the switch update m (default: NopMetrics, and no per-peer queue polling).
func WithMetrics(m *Metrics) SwitchOption {
	return func(sw *PeerSwitch) {
		sw.metrics, sw.metricsOn = m, true
		sw.messages = newMessageCounters(m)
	}
}

// ChannelLabel is the chID label of channel id, as CometBFT writes it ("0x0", "0x20").
func ChannelLabel(id byte) string { return fmt.Sprintf("%#x", id) }

// MessageTypeLabel is the message_type label of msg: for a wrapper with a oneof (the
// reactors' Message types) the package and name of the message it carries ("consensus_Vote"),
// otherwise msg's own ("types_EvidenceList").
func MessageTypeLabel(msg proto.Message) string { return typeLabel(carried(msg)) }

func typeLabel(t reflect.Type) string {
	return strings.ReplaceAll(strings.TrimPrefix(t.String(), "*"), ".", "_")
}

// oneofs caches, by message type, the index of its "Sum" oneof field (-1: none).
var oneofs sync.Map // reflect.Type → int

// carried returns the type of the message msg carries in its oneof, or msg's type.
func carried(msg proto.Message) reflect.Type {
	t := reflect.TypeOf(msg)
	idx, ok := oneofs.Load(t)
	if !ok {
		idx = -1
		if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct {
			if f, found := t.Elem().FieldByName("Sum"); found && f.Type.Kind() == reflect.Interface && len(f.Index) == 1 {
				idx = f.Index[0]
			}
		}
		oneofs.Store(t, idx)
	}
	v := reflect.ValueOf(msg)
	if idx.(int) < 0 || v.IsNil() {
		return t
	}
	sum := v.Elem().Field(idx.(int))
	if sum.IsNil() {
		return t
	}
	// sum holds a *Message_Xxx whose only field is the carried message.
	w := sum.Elem().Type()
	if w.Kind() != reflect.Pointer || w.Elem().Kind() != reflect.Struct || w.Elem().NumField() < 1 {
		return t
	}
	return w.Elem().Field(0).Type
}

// messageCounters resolves the per-message-type counters once per type.
type messageCounters struct {
	m  *Metrics
	by sync.Map // reflect.Type (carried) → *[2]metrics.Counter: send, receive
}

func newMessageCounters(m *Metrics) *messageCounters { return &messageCounters{m: m} }

func (c *messageCounters) of(msg proto.Message) *[2]metrics.Counter {
	t := carried(msg)
	if got, ok := c.by.Load(t); ok {
		return got.(*[2]metrics.Counter)
	}
	label := typeLabel(t)
	pair := &[2]metrics.Counter{c.m.MessageSendBytesTotal.With(label), c.m.MessageReceiveBytesTotal.With(label)}
	got, _ := c.by.LoadOrStore(t, pair)
	return got.(*[2]metrics.Counter)
}

// peerMetrics are one peer's instruments, resolved when the peer is created; nil when the
// switch has no metrics.
type peerMetrics struct {
	sent, received [256]metrics.Counter // by channel; nil for channels the node does not have
	pending        metrics.Gauge
	messages       *messageCounters
}

func newPeerMetrics(m *Metrics, messages *messageCounters, id ID, channels *channelTable) *peerMetrics {
	pm := &peerMetrics{pending: m.PeerPendingSendBytes.With(string(id)), messages: messages}
	pm.pending.Set(0)
	for _, d := range channels.list {
		ch := ChannelLabel(d.ID)
		pm.sent[d.ID] = m.PeerSendBytesTotal.With(string(id), ch)
		pm.received[d.ID] = m.PeerReceiveBytesTotal.With(string(id), ch)
	}
	return pm
}

// sentMsg counts n bytes of msg queued on channel ch.
func (pm *peerMetrics) sentMsg(ch byte, msg proto.Message, n int) {
	if pm == nil {
		return
	}
	pm.sentBytes(ch, pm.messages.of(msg)[0], n)
}

// sentBytes counts n bytes queued on channel ch, of the message type counted by byType.
func (pm *peerMetrics) sentBytes(ch byte, byType metrics.Counter, n int) {
	if pm == nil {
		return
	}
	if c := pm.sent[ch]; c != nil {
		c.Add(float64(n))
	}
	byType.Add(float64(n))
}

// receivedMsg counts n bytes of msg received on channel ch.
func (pm *peerMetrics) receivedMsg(ch byte, msg proto.Message, n int) {
	if pm == nil {
		return
	}
	if c := pm.received[ch]; c != nil {
		c.Add(float64(n))
	}
	pm.messages.of(msg)[1].Add(float64(n))
}

// waitPeer waits for p's connection to end and returns why. Meanwhile, with metrics, it
// publishes the number of messages in p's send queues every pendingInterval.
func (sw *PeerSwitch) waitPeer(p *peer, runErr <-chan error) error {
	if p.metrics == nil {
		return <-runErr
	}
	tick := time.NewTicker(pendingInterval)
	defer tick.Stop()
	for {
		select {
		case err := <-runErr:
			return err
		case <-tick.C:
			var queued int
			for _, ch := range p.mconn.Status().Channels {
				queued += ch.SendQueueSize
			}
			p.metrics.pending.Set(float64(queued))
		}
	}
}
