package wiretest

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/proto/tendermint/crypto"
	"github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// The NodeInfo a v0.38.26 node sends (p2p.md §4 vector).
func TestDefaultNodeInfoVector(t *testing.T) {
	b := unhex(t, "0a040808100b1228326334653464316465366662666330356439353066633765363436316265333030376464313665341a137463703a2f2f302e302e302e303a3236363536220a746573742d636861696e2a07302e33382e3236320a402021222330386061003a056e6f646530421b0a026f6e12157463703a2f2f3132372e302e302e313a3236363537")
	ni := roundTrip[p2p.DefaultNodeInfo](t, b)
	want := p2p.DefaultNodeInfo{
		ProtocolVersion: p2p.ProtocolVersion{P2P: 8, Block: 11, App: 0},
		DefaultNodeID:   "2c4e4d1de6fbfc05d950fc7e6461be3007dd16e4",
		ListenAddr:      "tcp://0.0.0.0:26656",
		Network:         "test-chain",
		Version:         "0.38.26",
		Channels:        []byte{0x40, 0x20, 0x21, 0x22, 0x23, 0x30, 0x38, 0x60, 0x61, 0x00},
		Moniker:         "node0",
		Other:           p2p.DefaultNodeInfoOther{TxIndex: "on", RPCAddress: "tcp://127.0.0.1:26657"},
	}
	if ni.ProtocolVersion != want.ProtocolVersion || ni.DefaultNodeID != want.DefaultNodeID ||
		ni.ListenAddr != want.ListenAddr || ni.Network != want.Network || ni.Version != want.Version ||
		!bytes.Equal(ni.Channels, want.Channels) || ni.Moniker != want.Moniker || ni.Other != want.Other {
		t.Fatalf("decoded\n%+v\nwant\n%+v", ni, want)
	}
	if got := encode(t, &want); !bytes.Equal(got, b) {
		t.Fatalf("encoding the expected value\n got %x\nwant %x", got, b)
	}
}

// MConnection packet vectors (p2p.md §5.1), without their length prefix.
func TestPacketVectors(t *testing.T) {
	t.Run("ping", func(t *testing.T) {
		if p := roundTrip[p2p.Packet](t, unhex(t, "0a00")); p.GetPacketPing() == nil {
			t.Fatalf("want ping, got %T", p.Sum)
		}
	})
	t.Run("pong", func(t *testing.T) {
		if p := roundTrip[p2p.Packet](t, unhex(t, "1200")); p.GetPacketPong() == nil {
			t.Fatalf("want pong, got %T", p.Sum)
		}
	})
	t.Run("msg", func(t *testing.T) {
		p := roundTrip[p2p.Packet](t, unhex(t, "1a09082010011a03616263"))
		m := p.GetPacketMsg()
		if m == nil || m.ChannelID != 0x20 || !m.EOF || string(m.Data) != "abc" {
			t.Fatalf("packet msg = %+v", m)
		}
	})
}

// The largest acceptable packet — channel 1, eof, 1024-byte payload — is 1034
// bytes without its length prefix (p2p.md §5.2); eof=false is omitted.
func TestPacketMaxSize(t *testing.T) {
	full := p2p.Packet{Sum: &p2p.Packet_PacketMsg{PacketMsg: &p2p.PacketMsg{ChannelID: 1, EOF: true, Data: make([]byte, 1024)}}}
	if n := len(encode(t, &full)); n != 1034 {
		t.Fatalf("max packet encodes to %d bytes, want 1034", n)
	}
	notLast := p2p.Packet{Sum: &p2p.Packet_PacketMsg{PacketMsg: &p2p.PacketMsg{ChannelID: 0x20, Data: []byte("abc")}}}
	if got, want := encode(t, &notLast), unhex(t, "1a 07 08 20 1a 03 61 62 63"); !bytes.Equal(got, want) {
		t.Fatalf("eof=false packet\n got %x\nwant %x", got, want)
	}
}

// The handshake's AuthSigMessage for an ed25519 key is one 103-byte frame:
// 66 0a 22 0a 20 <pub 32> 12 40 <sig 64> (p2p.md §3.1 step 12).
func TestAuthSigMessageLayout(t *testing.T) {
	pub, sig := filled(32, 0x5a), filled(64, 0xa5)
	msg := p2p.AuthSigMessage{PubKey: crypto.PublicKey{Sum: &crypto.PublicKey_Ed25519{Ed25519: pub}}, Sig: sig}
	frame := frameOf(encode(t, &msg))
	want := unhex(t, "66 0a 22 0a 20 "+strings.Repeat("5a", 32)+" 12 40 "+strings.Repeat("a5", 64))
	if !bytes.Equal(frame, want) {
		t.Fatalf("frame\n got %x\nwant %x", frame, want)
	}
	got := roundTrip[p2p.AuthSigMessage](t, unframe(t, frame))
	if !bytes.Equal(got.PubKey.GetEd25519(), pub) || !bytes.Equal(got.Sig, sig) {
		t.Fatalf("decoded %+v", got)
	}
}

// PEX messages (p2p.md §11): PexRequest is `0a00`; PexAddrs carries
// non-nullable NetAddresses.
func TestPexMessages(t *testing.T) {
	if m := roundTrip[p2p.Message](t, unhex(t, "0a00")); m.GetPexRequest() == nil {
		t.Fatalf("want pex_request, got %T", m.Sum)
	}
	addrs := p2p.Message{Sum: &p2p.Message_PexAddrs{PexAddrs: &p2p.PexAddrs{Addrs: []p2p.NetAddress{
		{ID: "2c4e4d1de6fbfc05d950fc7e6461be3007dd16e4", IP: "127.0.0.1", Port: 26656},
		{ID: "03f997765efe563cca533fe3f2b3ba5f7c96aadb", IP: "::1", Port: 1},
	}}}}
	b := encode(t, &addrs)
	want := unhex(t, "12 6e"+
		" 0a 39 0a 28 "+hex.EncodeToString([]byte("2c4e4d1de6fbfc05d950fc7e6461be3007dd16e4"))+
		" 12 09 "+hex.EncodeToString([]byte("127.0.0.1"))+" 18 a0 d0 01"+
		" 0a 31 0a 28 "+hex.EncodeToString([]byte("03f997765efe563cca533fe3f2b3ba5f7c96aadb"))+
		" 12 03 3a 3a 31 18 01")
	if !bytes.Equal(b, want) {
		t.Fatalf("encoding\n got %x\nwant %x", b, want)
	}
	got := roundTrip[p2p.Message](t, b)
	if a := got.GetPexAddrs().GetAddrs(); len(a) != 2 || a[0].Port != 26656 || a[1].IP != "::1" {
		t.Fatalf("decoded %+v", got)
	}
}
