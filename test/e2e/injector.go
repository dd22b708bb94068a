package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/conn"
	"github.com/ballot-bft/ballot/privval"
	consensuspb "github.com/ballot-bft/ballot/proto/tendermint/consensus"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
	"github.com/ballot-bft/ballot/version"
)

// The consensus reactor's State and Vote channels (p2p.md §6).
const (
	stateChannel = byte(0x20)
	voteChannel  = byte(0x22)
)

// Injector is a peer that joins a network through ballot's own p2p stack and sends votes signed
// with a validator's key, as an equivocating validator would.
type Injector struct {
	sw      *p2p.PeerSwitch
	chainID string
	signer  *privval.FilePV // the validator's key, with a sign state of its own
	peers   *peerSet
	cancel  context.CancelFunc
	done    chan error
}

// NewInjector joins target as a peer, signing with the validator key of signerHome. The key gets
// a fresh sign state in a temporary directory, so the injector signs what the validator itself
// already signed: it equivocates.
func NewInjector(t testing.TB, chainID string, signerHome string, target *Node) *Injector {
	t.Helper()
	signer, err := privval.LoadFilePVEmptyState(filepath.Join(signerHome, "config", "priv_validator_key.json"),
		filepath.Join(t.TempDir(), "priv_validator_state.json"))
	if err != nil {
		t.Fatal(err)
	}
	transport, err := p2p.Listen("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	key := p2p.GenNodeKey()
	info := p2p.NodeInfo{
		ProtocolVersion: p2p.NewProtocolVersion(1),
		ID:              key.ID(),
		ListenAddr:      transport.Addr().String(),
		Network:         chainID,
		Version:         version.CometBFT,
		Moniker:         "injector",
	}
	cfg := config.DefaultP2PConfig()
	cfg.AllowDuplicateIP, cfg.AddrBookStrict = true, false
	peers := newPeerSet()
	sw, err := p2p.NewSwitch(cfg, key, info, transport, log.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	sw.AddReactor("INJECTOR", peers)
	ctx, cancel := context.WithCancel(context.Background())
	inj := &Injector{sw: sw, chainID: chainID, signer: signer, peers: peers, cancel: cancel, done: make(chan error, 1)}
	go func() { inj.done <- sw.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-inj.done
	})

	addr, err := p2p.ParseNetAddress(target.Address(t))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-sw.Started():
	case <-time.After(Bound):
		t.Fatal("the injector's switch did not start")
	}
	dialCtx, dialCancel := context.WithTimeout(ctx, Bound)
	defer dialCancel()
	if err := sw.DialPeerWithAddress(dialCtx, addr); err != nil {
		t.Fatalf("the injector could not join %s: %v", target.Name, err)
	}
	return inj
}

// NextHeight waits until the target enters a height above after (it announces each new height to
// its peers), and returns that height.
func (inj *Injector) NextHeight(t testing.TB, after int64) int64 {
	return inj.peers.nextHeight(t, after)
}

// WaitPrevote waits until the target announces that it holds the round-0 prevote of the validator
// at index at height, or has moved past height; it reports whether it holds the prevote.
func (inj *Injector) WaitPrevote(t testing.TB, height int64, index int32) bool {
	t.Helper()
	s := inj.peers
	var held bool
	s.waitFor(t, fmt.Sprintf("validator %d's prevote at height %d", index, height), func() bool {
		held = s.prevotes[hasVote{height, index}]
		return held || s.height > height
	})
	return held
}

// Prevote sends the target a prevote for a random block at height and round 0, signed by the
// validator at index.
func (inj *Injector) Prevote(t testing.TB, height int64, index int32) {
	t.Helper()
	hash := make([]byte, 32)
	partsHash := make([]byte, 32)
	rand.Read(hash)
	rand.Read(partsHash)
	addr, err := inj.signer.PubKey()
	if err != nil {
		t.Fatal(err)
	}
	vote := &types.Vote{
		Type: types.PrevoteType, Height: height, Round: 0,
		BlockID:          types.BlockID{Hash: hash, PartSetHeader: types.PartSetHeader{Total: 1, Hash: partsHash}},
		Timestamp:        time.Now().UTC(),
		ValidatorAddress: addr.Address(),
		ValidatorIndex:   index,
	}
	pb := vote.ToProto()
	if err := inj.signer.SignVote(inj.chainID, pb, false); err != nil {
		t.Fatalf("signing the conflicting prevote: %v", err)
	}
	msg := &consensuspb.Message{Sum: &consensuspb.Message_Vote{Vote: &consensuspb.Vote{Vote: pb}}}
	for _, peer := range inj.peers.list() {
		if !peer.Send(p2p.Envelope{ChannelID: voteChannel, Message: msg}) {
			t.Logf("the injector could not send to %s", peer.ID())
		}
	}
}

// peerSet is the injector's reactor: it follows the target's position on the State channel
// (NewRoundStep) and speaks on the Vote channel; it ignores everything else.
type peerSet struct {
	mu       sync.Mutex
	peers    []p2p.Peer
	height   int64            // the highest height the target announced
	prevotes map[hasVote]bool // the round-0 prevotes the target announced it holds
	changed  chan struct{}    // closed when height or prevotes change, then replaced
}

// hasVote names a round-0 prevote: its height and validator index.
type hasVote struct {
	height int64
	index  int32
}

func newPeerSet() *peerSet {
	return &peerSet{prevotes: map[hasVote]bool{}, changed: make(chan struct{})}
}

func (s *peerSet) Channels() []p2p.ChannelDescriptor {
	desc := func(id byte) p2p.ChannelDescriptor {
		return p2p.ChannelDescriptor{
			ChannelDescriptor: conn.ChannelDescriptor{ID: id, Priority: 7, SendQueueCapacity: 100,
				RecvBufferCapacity: 100 * 100, RecvMessageCapacity: 1 << 20},
			MessageType: &consensuspb.Message{},
		}
	}
	return []p2p.ChannelDescriptor{desc(stateChannel), desc(voteChannel)}
}

func (s *peerSet) Receive(e p2p.Envelope) {
	msg, ok := e.Message.(*consensuspb.Message)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch m := msg.Sum.(type) {
	case *consensuspb.Message_NewRoundStep:
		if h := m.NewRoundStep.Height; h > s.height {
			s.height = h
			s.notifyLocked()
		}
	case *consensuspb.Message_HasVote:
		v := m.HasVote
		if v.Round == 0 && v.Type == tmproto.PrevoteType {
			s.prevotes[hasVote{v.Height, v.Index}] = true
			s.notifyLocked()
		}
	}
}

func (s *peerSet) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// waitFor waits until cond, checked under the lock, holds; it fails the test after the bound.
func (s *peerSet) waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	timer := time.NewTimer(Bound)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ok, changed := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-timer.C:
			t.Fatalf("the target never announced %s", what)
		}
	}
}

// nextHeight waits until the target announces a height above after, and returns it.
func (s *peerSet) nextHeight(t testing.TB, after int64) int64 {
	t.Helper()
	var h int64
	s.waitFor(t, fmt.Sprintf("a height above %d", after), func() bool {
		h = s.height
		return h > after
	})
	return h
}

func (s *peerSet) AddPeer(peer p2p.Peer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peers = append(s.peers, peer)
}

func (s *peerSet) RemovePeer(peer p2p.Peer, _ error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.peers {
		if p == peer {
			s.peers = append(s.peers[:i], s.peers[i+1:]...)
			return
		}
	}
}

func (s *peerSet) list() []p2p.Peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]p2p.Peer(nil), s.peers...)
}
