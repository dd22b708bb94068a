package p2p

import (
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"testing"

	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

const testID = "2c4e4d1de6fbfc05d950fc7e6461be3007dd16e4"

func TestParseNetAddress(t *testing.T) {
	cases := []struct {
		in      string
		want    string // String() of the result
		wantErr error
	}{
		{testID + "@127.0.0.1:26656", testID + "@127.0.0.1:26656", nil},
		{"tcp://" + testID + "@1.2.3.4:80", testID + "@1.2.3.4:80", nil},
		{testID + "@[::1]:26656", testID + "@[::1]:26656", nil},
		{testID + "@[::ffff:10.0.0.1]:1", testID + "@10.0.0.1:1", nil},
		{testID + "@localhost:26656", testID + "@127.0.0.1:26656", nil},
		{testID + "@1.2.3.4:0", testID + "@1.2.3.4:0", nil},
		{testID + "@1.2.3.4:65535", testID + "@1.2.3.4:65535", nil},
		{"127.0.0.1:26656", "", ErrNetAddressNoID},
		{testID + "@" + testID + "@1.2.3.4:1", "", ErrNetAddressNoID},
		{"xyz@1.2.3.4:1", "", ErrNetAddressInvalid},
		{"2C4E4D1DE6FBFC05D950FC7E6461BE3007DD16E4@1.2.3.4:1", "", ErrNetAddressInvalid},
		{testID[:38] + "@1.2.3.4:1", "", ErrNetAddressInvalid},
		{testID + "@1.2.3.4", "", ErrNetAddressInvalid},
		{testID + "@:26656", "", ErrNetAddressInvalid},
		{testID + "@1.2.3.4:65536", "", ErrNetAddressInvalid},
		{testID + "@1.2.3.4:-1", "", ErrNetAddressInvalid},
		{testID + "@1.2.3.4:port", "", ErrNetAddressInvalid},
		{testID + "@[fe80::1%eth0]:1", "", ErrNetAddressInvalid},
		{testID + "@not a host!:26656", "", ErrNetAddressLookup},
	}
	for _, c := range cases {
		na, err := ParseNetAddress(c.in)
		if c.wantErr != nil {
			if !errors.Is(err, c.wantErr) {
				t.Errorf("%q: got %v, %v; want %v", c.in, na, err, c.wantErr)
			}
			continue
		}
		if err != nil || na.String() != c.want {
			t.Errorf("%q: got %v, %v; want %s", c.in, na, err, c.want)
		}
	}
}

func TestParseNetAddresses(t *testing.T) {
	good, errs := ParseNetAddresses([]string{testID + "@1.2.3.4:5", "bad", testID + "@5.6.7.8:9"})
	if len(good) != 2 || len(errs) != 1 || good[1].String() != testID+"@5.6.7.8:9" {
		t.Fatalf("good %v, errs %v", good, errs)
	}
}

func mustAddr(t *testing.T, ip string) NetAddress {
	t.Helper()
	return NetAddress{ID: testID, IP: netip.MustParseAddr(ip), Port: 26656}
}

func TestNetAddressClassification(t *testing.T) {
	cases := []struct {
		ip                     string
		valid, local, routable bool
	}{
		{"1.2.3.4", true, false, true},
		{"8.8.8.8", true, false, true},
		{"127.0.0.1", true, true, false},
		{"0.1.2.3", true, true, false},
		{"0.0.0.0", false, true, false},
		{"255.255.255.255", false, false, false},
		{"10.1.2.3", true, false, false},
		{"172.16.0.1", true, false, false},
		{"172.32.0.1", true, false, true},
		{"192.168.1.1", true, false, false},
		{"169.254.1.1", true, false, false},
		{"::1", true, true, false},
		{"::", false, false, false},
		{"2001:db8::1", false, false, false},
		{"fe80::1", true, false, false},
		{"fc00::1", true, false, false},
		{"2001:10::1", true, false, false},
		{"2001:4860:4860::8888", true, false, true},
		{"::ffff:10.0.0.1", true, false, false},
	}
	for _, c := range cases {
		na := mustAddr(t, c.ip)
		if got := na.Valid() == nil; got != c.valid {
			t.Errorf("%s: Valid()=%v, want valid=%v", c.ip, na.Valid(), c.valid)
		}
		if got := na.Local(); got != c.local {
			t.Errorf("%s: Local()=%v, want %v", c.ip, got, c.local)
		}
		if got := na.Routable(); got != c.routable {
			t.Errorf("%s: Routable()=%v, want %v", c.ip, got, c.routable)
		}
	}
	if err := (NetAddress{IP: netip.MustParseAddr("1.2.3.4")}).Valid(); !errors.Is(err, ErrNetAddressInvalid) {
		t.Errorf("no ID: Valid()=%v", err)
	}
	if err := (NetAddress{ID: testID}).Valid(); !errors.Is(err, ErrNetAddressInvalid) {
		t.Errorf("no IP: Valid()=%v", err)
	}
}

func TestNetAddressRanges(t *testing.T) {
	checks := []struct {
		ip   string
		name string
		pred func(NetAddress) bool
	}{
		{"2002::1", "RFC3964", NetAddress.RFC3964},
		{"2001::1", "RFC4380", NetAddress.RFC4380},
		{"64:ff9b::1.2.3.4", "RFC6052", NetAddress.RFC6052},
		{"::ffff:0:1.2.3.4", "RFC6145", NetAddress.RFC6145},
		{"fd87:d87e:eb43::1", "OnionCatTor", NetAddress.OnionCatTor},
	}
	for _, c := range checks {
		if !c.pred(mustAddr(t, c.ip)) {
			t.Errorf("%s is not %s", c.ip, c.name)
		}
		if c.pred(mustAddr(t, "1.2.3.4")) {
			t.Errorf("1.2.3.4 is %s", c.name)
		}
	}
}

func TestNetAddressReachability(t *testing.T) {
	v4, v4b := mustAddr(t, "1.2.3.4"), mustAddr(t, "5.6.7.8")
	v6, teredo, tunnel := mustAddr(t, "2001:4860::1"), mustAddr(t, "2001::1"), mustAddr(t, "2002::1")
	private := mustAddr(t, "10.0.0.1")
	cases := []struct {
		from, to NetAddress
		want     Reachability
	}{
		{private, v4, Unreachable},
		{v4, v4b, ReachIPv4},
		{v4, v6, ReachDefault},
		{v4, private, ReachDefault},
		{teredo, teredo, ReachTeredo},
		{teredo, v4, ReachIPv4},
		{teredo, v6, ReachIPv6Weak},
		{teredo, private, ReachDefault},
		{v6, v6, ReachIPv6Strong},
		{v6, tunnel, ReachIPv6Weak},
		{v6, teredo, ReachTeredo},
		{v6, v4, ReachIPv4},
	}
	for _, c := range cases {
		if got := c.from.ReachabilityTo(c.to); got != c.want {
			t.Errorf("%s → %s: %d, want %d", c.from.IP, c.to.IP, got, c.want)
		}
	}
}

func TestNetAddressProtoAndJSON(t *testing.T) {
	na := mustAddr(t, "1.2.3.4")
	back, err := NetAddressFromProto(na.ToProto())
	if err != nil || back != na {
		t.Fatalf("proto round trip: %v, %v", back, err)
	}
	if _, err := NetAddressFromProto(tmp2p.NetAddress{ID: testID, IP: "1.2.3", Port: 1}); !errors.Is(err, ErrNetAddressInvalid) {
		t.Errorf("bad IP: %v", err)
	}
	if _, err := NetAddressFromProto(tmp2p.NetAddress{ID: testID, IP: "1.2.3.4", Port: 70000}); !errors.Is(err, ErrNetAddressInvalid) {
		t.Errorf("bad port: %v", err)
	}
	b, err := json.Marshal(na)
	if want := `{"id":"` + testID + `","ip":"1.2.3.4","port":26656}`; err != nil || string(b) != want {
		t.Fatalf("JSON %s, want %s", b, want)
	}
	var fromJSON NetAddress
	if err := json.Unmarshal(b, &fromJSON); err != nil || fromJSON != na {
		t.Fatalf("JSON round trip: %v, %v", fromJSON, err)
	}
}

func TestNetAddressSame(t *testing.T) {
	a := mustAddr(t, "1.2.3.4")
	otherID := a
	otherID.ID = "0000000000000000000000000000000000000000"
	otherIP := mustAddr(t, "5.6.7.8")
	if !a.Same(otherID) || !a.Same(otherIP) || otherID.Same(otherIP) {
		t.Fatal("Same: want true (same IP:port), true (same ID), false (neither)")
	}
}

func TestNewNetAddressAndDial(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	na, err := NewNetAddress(testID, ln.Addr())
	if err != nil || !na.IP.IsLoopback() || na.ID != testID {
		t.Fatalf("NewNetAddress: %v, %v", na, err)
	}
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	c, err := na.Dial(0)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if ac := <-accepted; ac != nil {
		ac.Close()
	}
	if _, err := NewNetAddress(testID, &net.UnixAddr{Name: "x", Net: "unix"}); !errors.Is(err, ErrNetAddressInvalid) {
		t.Fatalf("unix address: %v", err)
	}
}
