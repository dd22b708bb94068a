package p2p

import (
	"bytes"
	"encoding/hex"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// literalHost reports whether addr ("[proto://][id@]host:port") has an IP-literal host, so
// that checking it needs no DNS: the fuzzers below never resolve names.
func literalHost(addr string) bool {
	addr = removeProtocol(addr)
	if i := strings.LastIndex(addr, "@"); i >= 0 {
		addr = addr[i+1:]
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return true // fails before any lookup
	}
	_, err = netip.ParseAddr(host)
	return err == nil || host == ""
}

// FuzzNodeInfo decodes a peer's DefaultNodeInfo and runs the acceptance checks on it: no
// panic, and what decodes re-encodes to a NodeInfo equal to it.
func FuzzNodeInfo(f *testing.F) {
	vector, _ := hex.DecodeString(sheetNodeInfoHex)
	f.Add(vector)
	f.Add([]byte{})
	f.Add([]byte{0x32, 0x03, 0x20, 0x20, 0x20})
	f.Fuzz(func(t *testing.T, data []byte) {
		var pb tmp2p.DefaultNodeInfo
		if err := pb.Unmarshal(data); err != nil {
			return
		}
		info, err := NodeInfoFromProto(&pb)
		if err != nil {
			t.Fatal(err)
		}
		b, err := info.ToProto().Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var again tmp2p.DefaultNodeInfo
		if err := again.Unmarshal(b); err != nil {
			t.Fatalf("re-encoded node info does not decode: %v", err)
		}
		back, _ := NodeInfoFromProto(&again)
		if !reflect.DeepEqual(normalize(back), normalize(info)) {
			t.Fatalf("round trip changed %+v into %+v", info, back)
		}
		if !literalHost(info.ListenAddr) {
			return
		}
		ours := sheetNodeInfo()
		ours.ID = "0000000000000000000000000000000000000001"
		if CheckPeerNodeInfo(ours, info, info.ID) == nil {
			if len(info.Channels) > maxNumChannels || info.Moniker == "" || info.Network != ours.Network {
				t.Fatalf("accepted an invalid node info %+v", info)
			}
		}
	})
}

// normalize makes empty and nil channel lists compare equal.
func normalize(info NodeInfo) NodeInfo {
	if len(info.Channels) == 0 {
		info.Channels = nil
	}
	return info
}

// FuzzParseNetAddress: no panic; a parsed address prints to a string that parses back to it.
func FuzzParseNetAddress(f *testing.F) {
	for _, s := range []string{testID + "@127.0.0.1:26656", "tcp://" + testID + "@[::1]:1", "@:", testID + "@[::ffff:1.2.3.4]:9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !literalHost(s) {
			return
		}
		na, err := ParseNetAddress(s)
		if err != nil {
			return
		}
		if err := na.ID.Validate(); err != nil {
			t.Fatalf("%q parsed with a bad ID: %v", s, err)
		}
		back, err := ParseNetAddress(na.String())
		if err != nil || back != na {
			t.Fatalf("%q → %s → %v, %v", s, na, back, err)
		}
		na.Routable()
		na.ReachabilityTo(back)
	})
}

// FuzzNetAddressFromProto: no panic on PEX addresses; what converts round-trips.
func FuzzNetAddressFromProto(f *testing.F) {
	f.Add(testID, "1.2.3.4", uint32(26656))
	f.Add("", "::ffff:1.2.3.4", uint32(70000))
	f.Fuzz(func(t *testing.T, id, ip string, port uint32) {
		na, err := NetAddressFromProto(tmp2p.NetAddress{ID: id, IP: ip, Port: port})
		if err != nil {
			return
		}
		back, err := NetAddressFromProto(na.ToProto())
		if err != nil || back != na {
			t.Fatalf("round trip %v → %v, %v", na, back, err)
		}
		if na.Valid() == nil && !bytes.Equal([]byte(na.ID), []byte(id)) {
			t.Fatal("ID changed")
		}
	})
}
