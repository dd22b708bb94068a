package p2p

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ballot-bft/ballot/libs/protoio"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// sheetNodeInfo is the NodeInfo of the fact sheet's §4 vector.
func sheetNodeInfo() NodeInfo {
	return NodeInfo{
		ProtocolVersion: ProtocolVersion{P2P: 8, Block: 11, App: 0},
		ID:              testID,
		ListenAddr:      "tcp://0.0.0.0:26656",
		Network:         "test-chain",
		Version:         "0.38.26",
		Channels:        []byte{0x40, 0x20, 0x21, 0x22, 0x23, 0x30, 0x38, 0x60, 0x61, 0x00},
		Moniker:         "node0",
		Other:           NodeInfoOther{TxIndex: "on", RPCAddress: "tcp://127.0.0.1:26657"},
	}
}

const sheetNodeInfoHex = "0a040808100b1228326334653464316465366662666330356439353066633765363436316265333030376464313665341a137463703a2f2f302e302e302e303a3236363536220a746573742d636861696e2a07302e33382e3236320a402021222330386061003a056e6f646530421b0a026f6e12157463703a2f2f3132372e302e302e313a3236363537"

func TestNodeInfoWireVector(t *testing.T) {
	info := sheetNodeInfo()
	if info.ProtocolVersion != NewProtocolVersion(0) {
		t.Fatalf("NewProtocolVersion(0) = %+v, want {8 11 0}", NewProtocolVersion(0))
	}
	b, err := info.ToProto().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(b); got != sheetNodeInfoHex {
		t.Fatalf("encoding\n got %s\nwant %s", got, sheetNodeInfoHex)
	}
	framed, _ := protoio.MarshalDelimited(info.ToProto())
	if got := hex.EncodeToString(framed); got != "8a01"+sheetNodeInfoHex { // uvarint(138)
		t.Fatalf("frame %s", got)
	}
	want, _ := hex.DecodeString(sheetNodeInfoHex)
	var pb tmp2p.DefaultNodeInfo
	if err := pb.Unmarshal(want); err != nil {
		t.Fatal(err)
	}
	back, err := NodeInfoFromProto(&pb)
	if err != nil || !reflect.DeepEqual(back, info) {
		t.Fatalf("decoded %+v, %v", back, err)
	}
	if err := back.Validate(); err != nil {
		t.Fatalf("the sheet's node info does not validate: %v", err)
	}
	if _, err := NodeInfoFromProto(nil); err == nil {
		t.Fatal("nil proto accepted")
	}
}

// The JSON form is RPC /status's node_info (rpc.md §… /status example).
func TestNodeInfoJSON(t *testing.T) {
	info := sheetNodeInfo()
	info.ProtocolVersion.App = 1
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"protocol_version":{"p2p":"8","block":"11","app":"1"},"id":"` + testID + `","listen_addr":"tcp://0.0.0.0:26656",` +
		`"network":"test-chain","version":"0.38.26","channels":"40202122233038606100","moniker":"node0",` +
		`"other":{"tx_index":"on","rpc_address":"tcp://127.0.0.1:26657"}}`
	if string(b) != want {
		t.Fatalf("JSON\n got %s\nwant %s", b, want)
	}
	var back NodeInfo
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, info) {
		t.Fatalf("JSON round trip: %+v, %v", back, err)
	}
}

func TestNodeInfoValidate(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(*NodeInfo)
		wantErr string
	}{
		{"sheet", func(*NodeInfo) {}, ""},
		{"listen addr without proto", func(i *NodeInfo) { i.ListenAddr = "127.0.0.1:26656" }, ""},
		{"listen addr host name", func(i *NodeInfo) { i.ListenAddr = "tcp://localhost:26656" }, ""},
		{"empty version", func(i *NodeInfo) { i.Version = "" }, ""},
		{"16 channels", func(i *NodeInfo) { i.Channels = []byte("0123456789abcdef") }, ""},
		{"no channels", func(i *NodeInfo) { i.Channels = nil }, ""},
		{"tx_index off", func(i *NodeInfo) { i.Other.TxIndex = "off" }, ""},
		{"tx_index empty", func(i *NodeInfo) { i.Other.TxIndex = "" }, ""},
		{"empty rpc", func(i *NodeInfo) { i.Other.RPCAddress = "" }, ""},
		{"bad ID", func(i *NodeInfo) { i.ID = "abc" }, "listen address"},
		{"no listen port", func(i *NodeInfo) { i.ListenAddr = "tcp://0.0.0.0" }, "listen address"},
		{"empty listen addr", func(i *NodeInfo) { i.ListenAddr = "" }, "listen address"},
		{"unresolvable listen host", func(i *NodeInfo) { i.ListenAddr = "tcp://not a host!:1" }, "listen address"},
		{"blank version", func(i *NodeInfo) { i.Version = "   " }, "version"},
		{"tab in version", func(i *NodeInfo) { i.Version = "0.38\t" }, "version"},
		{"non-ASCII version", func(i *NodeInfo) { i.Version = "0.38.26é" }, "version"},
		{"17 channels", func(i *NodeInfo) { i.Channels = []byte("0123456789abcdefg") }, "17 channels"},
		{"duplicate channel", func(i *NodeInfo) { i.Channels = []byte{0x20, 0x21, 0x20} }, "twice"},
		{"empty moniker", func(i *NodeInfo) { i.Moniker = "" }, "moniker"},
		{"blank moniker", func(i *NodeInfo) { i.Moniker = "  " }, "moniker"},
		{"newline moniker", func(i *NodeInfo) { i.Moniker = "a\nb" }, "moniker"},
		{"bad tx_index", func(i *NodeInfo) { i.Other.TxIndex = "kv" }, "tx_index"},
		{"blank rpc", func(i *NodeInfo) { i.Other.RPCAddress = " " }, "rpc_address"},
		{"control char rpc", func(i *NodeInfo) { i.Other.RPCAddress = "tcp://\x00" }, "rpc_address"},
	}
	for _, c := range cases {
		info := sheetNodeInfo()
		c.edit(&info)
		err := info.Validate()
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: got %v, want an error mentioning %q", c.name, err, c.wantErr)
		}
	}
}

// The fact sheet's §4 checks, as run against a real v0.38.26 switch: differing p2p and app
// versions and software version are accepted; the rest are rejected.
func TestCheckPeerNodeInfo(t *testing.T) {
	const ourID = "0000000000000000000000000000000000000001"
	ours := sheetNodeInfo()
	ours.ID = ourID
	cases := []struct {
		name    string
		edit    func(*NodeInfo)
		authID  ID
		wantErr error
	}{
		{"same", func(*NodeInfo) {}, testID, nil},
		{"other p2p, app, version", func(i *NodeInfo) {
			i.ProtocolVersion.P2P, i.ProtocolVersion.App, i.Version = 99, 7, "mine-0.1"
		}, testID, nil},
		{"one common channel", func(i *NodeInfo) { i.Channels = []byte{0x99, 0x38} }, testID, nil},
		{"block 10", func(i *NodeInfo) { i.ProtocolVersion.Block = 10 }, testID, ErrIncompatibleNodeInfo},
		{"other network", func(i *NodeInfo) { i.Network = "other-chain" }, testID, ErrIncompatibleNodeInfo},
		{"no common channel", func(i *NodeInfo) { i.Channels = []byte{0x99} }, testID, ErrIncompatibleNodeInfo},
		{"no channels", func(i *NodeInfo) { i.Channels = nil }, testID, ErrIncompatibleNodeInfo},
		{"id is not the key's", func(*NodeInfo) {}, "0000000000000000000000000000000000000002", ErrNodeIDMismatch},
		{"self", func(i *NodeInfo) { i.ID = ourID }, ourID, ErrSelfConnection},
		{"empty moniker", func(i *NodeInfo) { i.Moniker = "" }, testID, ErrInvalidNodeInfo},
	}
	for _, c := range cases {
		theirs := sheetNodeInfo()
		c.edit(&theirs)
		err := CheckPeerNodeInfo(ours, theirs, c.authID)
		if (c.wantErr == nil) != (err == nil) || (c.wantErr != nil && !errors.Is(err, c.wantErr)) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.wantErr)
		}
	}
	// A node listing no channels (a test node) accepts any channels.
	ours.Channels = nil
	theirs := sheetNodeInfo()
	theirs.Channels = []byte{0x99}
	if err := CheckPeerNodeInfo(ours, theirs, testID); err != nil {
		t.Errorf("channel-less node rejected a peer: %v", err)
	}
}
