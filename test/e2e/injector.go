package e2e

import (
	"context"
	"crypto/rand"
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
	"github.com/ballot-bft/ballot/types"
	"github.com/ballot-bft/ballot/version"
)

// voteChannel is the consensus reactor's vote channel (p2p.md §6).
const voteChannel = byte(0x22)

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
	peers := &peerSet{}
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

// peerSet is the injector's reactor: it speaks on the vote channel only and ignores what it
// receives.
type peerSet struct {
	mu    sync.Mutex
	peers []p2p.Peer
}

func (s *peerSet) Channels() []p2p.ChannelDescriptor {
	return []p2p.ChannelDescriptor{{
		ChannelDescriptor: conn.ChannelDescriptor{ID: voteChannel, Priority: 7, SendQueueCapacity: 100,
			RecvBufferCapacity: 100 * 100, RecvMessageCapacity: 1 << 20},
		MessageType: &consensuspb.Message{},
	}}
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

func (s *peerSet) Receive(p2p.Envelope) {}

func (s *peerSet) list() []p2p.Peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]p2p.Peer(nil), s.peers...)
}
