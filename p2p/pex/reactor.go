package pex

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/conn"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// Channel is the PEX channel.
const Channel byte = 0x00

// PEX constants (CometBFT's).
const (
	// maxMsgSize bounds a PEX message: maxGetSelection addresses of at most 256 bytes.
	maxMsgSize = 256 * maxGetSelection
	// defaultBanTime is how long a misbehaving peer is banned.
	defaultBanTime = 24 * time.Hour
	// biasToSelectNewPeers is a seed's bias towards new addresses when answering.
	biasToSelectNewPeers = 30
	// minTimeBetweenCrawls is how long a seed leaves a crawled peer alone.
	minTimeBetweenCrawls = 2 * time.Minute
	// maxAttemptsToDial failed dials mark a non-persistent address bad.
	maxAttemptsToDial = 16
	// dialJitter is added to the pause between dials of one address.
	dialJitter = 3 * time.Second
	// maxDialBackoff caps the pause between dials of one address.
	maxDialBackoff = 10 * time.Minute
)

// Errors for which a peer is disconnected (and, for the first two, banned).
var (
	// ErrUnsolicitedList: the peer sent addresses we did not ask for.
	ErrUnsolicitedList = errors.New("pex: unsolicited address list")
	// ErrTooManyRequests: the peer asks for addresses too often.
	ErrTooManyRequests = errors.New("pex: address requests too frequent")
	// ErrMalformedAddrs: the peer sent an address whose IP or port does not parse.
	ErrMalformedAddrs = errors.New("pex: malformed address")
	// ErrUnknownMessage: the message holds neither a request nor addresses.
	ErrUnknownMessage = errors.New("pex: unknown message")
)

// Switch is what the PEX reactor needs of the switch (*p2p.PeerSwitch has it all).
type Switch interface {
	p2p.Switch
	NetAddress() (p2p.NetAddress, error)
	NumPeers() (outbound, inbound, dialing int)
	MaxNumOutboundPeers() int
	IsDialingOrConnected(addr p2p.NetAddress) bool
	IsPeerPersistent(id p2p.ID) bool
	Peer(id p2p.ID) (p2p.Peer, bool)
	DialPeerWithAddress(ctx context.Context, addr p2p.NetAddress) error
	StopPeerGracefully(peer p2p.Peer)
	PeerConnectionStatus(id p2p.ID) (conn.ConnectionStatus, bool)
}

// Config holds the reactor's settings.
type Config struct {
	// Seeds are "id@host:port" addresses dialed when the book has nothing to dial.
	Seeds []string
	// SeedMode: crawl the network instead of keeping outbound peers, answer an inbound peer's
	// request once and disconnect it.
	SeedMode bool
	// EnsurePeersPeriod is how often outbound peers are topped up (and a seed crawls); a
	// peer's requests must come at least a third of it apart.
	EnsurePeersPeriod time.Duration
	// SeedDisconnectWaitPeriod is how long a seed keeps a non-persistent peer.
	SeedDisconnectWaitPeriod time.Duration
	// PersistentPeersMaxDialPeriod caps the pause between dials of a persistent peer (0: no cap).
	PersistentPeersMaxDialPeriod time.Duration
	// RandSeed seeds the reactor's random choices.
	RandSeed uint64
}

// ConfigFromP2P returns the reactor's config for a [p2p] section: its seeds and seed mode,
// a 30 s ensure-peers period and a 28 h seed disconnect wait.
func ConfigFromP2P(cfg *config.P2PConfig) Config {
	return Config{
		Seeds:                        p2p.SplitList(cfg.Seeds),
		SeedMode:                     cfg.SeedMode,
		EnsurePeersPeriod:            30 * time.Second,
		SeedDisconnectWaitPeriod:     28 * time.Hour,
		PersistentPeersMaxDialPeriod: cfg.PersistentPeersMaxDialPeriod,
		RandSeed:                     rand.Uint64(),
	}
}

// Reactor is the PEX reactor (channel 0x00): it answers PexRequests from the book, asks peers
// for addresses when the book needs more, and keeps the node at max_num_outbound_peers by
// dialing addresses from the book (or seeds); in seed mode it crawls instead. Run drives its
// timers and the book's saving.
type Reactor struct {
	book   *AddrBook
	sw     Switch
	cfg    Config
	logger log.Logger

	mu           sync.Mutex
	rng          *rand.Rand
	ctx          context.Context // Run's, nil before Run
	stopping     bool
	wg           sync.WaitGroup
	requestsSent map[p2p.ID]struct{}
	requestsRecv map[p2p.ID]requestRecord
	dialAttempts map[p2p.ID]dialRecord
	crawled      map[p2p.ID]time.Time
}

type requestRecord struct {
	count int
	last  time.Time
}

type dialRecord struct {
	attempts int
	last     time.Time
}

var _ p2p.Reactor = (*Reactor)(nil)

// NewReactor returns the PEX reactor over book, dialing through sw. A seed that is not a valid
// "id@host:port" is an error (one whose host does not resolve is accepted and resolved at each
// dial). A zero EnsurePeersPeriod means 30 s.
func NewReactor(book *AddrBook, sw Switch, cfg Config, logger log.Logger) (*Reactor, error) {
	if book == nil || sw == nil {
		return nil, errors.New("pex: nil address book or switch")
	}
	for _, s := range cfg.Seeds {
		if _, err := p2p.ParseNetAddress(s); err != nil && !errors.Is(err, p2p.ErrNetAddressLookup) {
			return nil, fmt.Errorf("pex: seed: %w", err)
		}
	}
	if cfg.EnsurePeersPeriod <= 0 {
		cfg.EnsurePeersPeriod = 30 * time.Second
	}
	if cfg.SeedDisconnectWaitPeriod <= 0 {
		cfg.SeedDisconnectWaitPeriod = 28 * time.Hour
	}
	return &Reactor{
		book:         book,
		sw:           sw,
		cfg:          cfg,
		logger:       logger.With("module", "pex"),
		rng:          rand.New(rand.NewPCG(cfg.RandSeed, cfg.RandSeed^0x9e3779b97f4a7c15)),
		requestsSent: map[p2p.ID]struct{}{},
		requestsRecv: map[p2p.ID]requestRecord{},
		dialAttempts: map[p2p.ID]dialRecord{},
		crawled:      map[p2p.ID]time.Time{},
	}, nil
}

// Channels implements p2p.Reactor.
func (r *Reactor) Channels() []p2p.ChannelDescriptor {
	return []p2p.ChannelDescriptor{{
		ChannelDescriptor: conn.ChannelDescriptor{
			ID:                  Channel,
			Priority:            1,
			SendQueueCapacity:   10,
			RecvMessageCapacity: maxMsgSize,
		},
		MessageType: &tmp2p.Message{},
	}}
}

// AddPeer implements p2p.Reactor: an outbound peer is asked for addresses if the book needs
// more; an inbound peer's advertised address is added to the book.
func (r *Reactor) AddPeer(peer p2p.Peer) {
	if peer.IsOutbound() {
		if r.book.NeedMoreAddrs() {
			r.RequestAddrs(peer)
		}
		return
	}
	addr, err := peer.NodeInfo().NetAddress()
	if err == nil {
		err = r.book.AddAddress(addr, addr)
	}
	if err != nil {
		r.logger.Debug("Not adding an inbound peer's address", "peer", peer.ID(), "err", err)
	}
}

// RemovePeer implements p2p.Reactor.
func (r *Reactor) RemovePeer(peer p2p.Peer, _ error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.requestsSent, peer.ID())
	delete(r.requestsRecv, peer.ID())
}

// Receive implements p2p.Reactor.
func (r *Reactor) Receive(e p2p.Envelope) {
	msg, ok := e.Message.(*tmp2p.Message)
	if !ok {
		r.sw.StopPeerForError(e.Src, fmt.Errorf("%w: %T", ErrUnknownMessage, e.Message))
		return
	}
	switch m := msg.Sum.(type) {
	case *tmp2p.Message_PexRequest:
		r.receiveRequest(e.Src)
	case *tmp2p.Message_PexAddrs:
		r.receiveAddrs(e.Src, m.PexAddrs.Addrs)
	default:
		r.sw.StopPeerForError(e.Src, ErrUnknownMessage)
	}
}

// RequestAddrs asks peer for addresses, unless a request to it is outstanding.
func (r *Reactor) RequestAddrs(peer p2p.Peer) {
	r.mu.Lock()
	if _, ok := r.requestsSent[peer.ID()]; ok {
		r.mu.Unlock()
		return
	}
	r.requestsSent[peer.ID()] = struct{}{}
	r.mu.Unlock()
	req := &tmp2p.Message{Sum: &tmp2p.Message_PexRequest{PexRequest: &tmp2p.PexRequest{}}}
	if !peer.TrySend(p2p.Envelope{ChannelID: Channel, Message: req}) {
		r.mu.Lock()
		delete(r.requestsSent, peer.ID())
		r.mu.Unlock()
	}
}

// receiveRequest answers a PexRequest. A seed answers an inbound peer once and disconnects
// it; otherwise the first two requests of a peer are free and later ones must come at least
// EnsurePeersPeriod/3 apart, or the peer is disconnected and banned.
func (r *Reactor) receiveRequest(src p2p.Peer) {
	if r.cfg.SeedMode && !src.IsOutbound() {
		r.mu.Lock()
		_, answered := r.requestsRecv[src.ID()]
		r.requestsRecv[src.ID()] = requestRecord{count: 1, last: time.Now()}
		r.mu.Unlock()
		if answered {
			return
		}
		r.sendAddrs(src, r.book.GetSelectionWithBias(biasToSelectNewPeers))
		r.sw.StopPeerGracefully(src)
		return
	}
	if err := r.checkRequestRate(src.ID()); err != nil {
		r.sw.StopPeerForError(src, err)
		r.book.MarkBad(*src.SocketAddr(), defaultBanTime)
		return
	}
	r.sendAddrs(src, r.book.GetSelection())
}

func (r *Reactor) checkRequestRate(id p2p.ID) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	rec := r.requestsRecv[id]
	rec.count++
	minInterval := r.cfg.EnsurePeersPeriod / 3
	if rec.count > 2 && now.Sub(rec.last) < minInterval {
		return fmt.Errorf("%w: %v since the last, want at least %v", ErrTooManyRequests, now.Sub(rec.last), minInterval)
	}
	rec.last = now
	r.requestsRecv[id] = rec
	return nil
}

func (r *Reactor) sendAddrs(peer p2p.Peer, addrs []p2p.NetAddress) {
	pb := make([]tmp2p.NetAddress, len(addrs))
	for i, a := range addrs {
		pb[i] = a.ToProto()
	}
	msg := &tmp2p.Message{Sum: &tmp2p.Message_PexAddrs{PexAddrs: &tmp2p.PexAddrs{Addrs: pb}}}
	peer.TrySend(p2p.Envelope{ChannelID: Channel, Message: msg})
}

// receiveAddrs adds the addresses of a PexAddrs to the book, with src as their source; addresses
// from a seed are dialed at once. An unrequested list disconnects and bans src; an address that
// does not parse disconnects it.
func (r *Reactor) receiveAddrs(src p2p.Peer, pbAddrs []tmp2p.NetAddress) {
	r.mu.Lock()
	_, requested := r.requestsSent[src.ID()]
	delete(r.requestsSent, src.ID())
	r.mu.Unlock()
	if !requested {
		r.sw.StopPeerForError(src, ErrUnsolicitedList)
		r.book.MarkBad(*src.SocketAddr(), defaultBanTime)
		return
	}
	addrs := make([]p2p.NetAddress, len(pbAddrs))
	for i, pb := range pbAddrs {
		na, err := p2p.NetAddressFromProto(pb)
		if err != nil {
			r.sw.StopPeerForError(src, fmt.Errorf("%w: %v", ErrMalformedAddrs, err))
			return
		}
		addrs[i] = na
	}
	srcAddr := *src.SocketAddr()
	fromSeed := r.isSeed(src.ID())
	for _, na := range addrs {
		if err := r.book.AddAddress(na, srcAddr); err != nil {
			r.logger.Debug("Address book refused an address", "addr", na, "from", src.ID(), "err", err)
			continue
		}
		if fromSeed {
			r.goDial(na)
		}
	}
}

func (r *Reactor) isSeed(id p2p.ID) bool {
	for _, s := range r.cfg.Seeds {
		if seedID, _, ok := cutID(s); ok && seedID == id {
			return true
		}
	}
	return false
}

// cutID returns the "<id>" of "[proto://]<id>@<host>:<port>".
func cutID(addr string) (p2p.ID, string, bool) {
	for i := 0; i < len(addr); i++ {
		if addr[i] == '@' {
			id := addr[:i]
			for j := 0; j+2 < len(id); j++ {
				if id[j:j+3] == "://" {
					id = id[j+3:]
					break
				}
			}
			return p2p.ID(id), addr[i+1:], true
		}
	}
	return "", addr, false
}
