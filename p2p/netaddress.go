package p2p

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// Errors of NetAddress parsing and validation; they are returned wrapped with the offending text.
var (
	// ErrNetAddressNoID: the address has no "<id>@" part.
	ErrNetAddressNoID = errors.New("address has no node ID (want <id>@<host>:<port>)")
	// ErrNetAddressInvalid: the address is malformed (bad ID, host, port or IP).
	ErrNetAddressInvalid = errors.New("invalid address")
	// ErrNetAddressLookup: the host name did not resolve.
	ErrNetAddressLookup = errors.New("address lookup failed")
)

// NetAddress is a peer's dialable address: its node ID (empty for an address whose node is not
// known), an IP address (the constructors hold IPv4 addresses unmapped; the range checks treat
// an IPv4-mapped IPv6 address as IPv4) and a TCP port. Its JSON form
// is CometBFT's ({"id":…,"ip":…,"port":…}). A NetAddress is a comparable value.
type NetAddress struct {
	ID   ID         `json:"id"`
	IP   netip.Addr `json:"ip"`
	Port uint16     `json:"port"`
}

// ParseNetAddress parses "<id>@<host>:<port>", with an optional "<proto>://" prefix that is
// ignored. The ID must be valid; a host that is not an IP literal is resolved through DNS and
// its first address used; the port must fit 16 bits. Errors wrap ErrNetAddressNoID,
// ErrNetAddressInvalid or ErrNetAddressLookup.
func ParseNetAddress(addr string) (NetAddress, error) {
	rest := removeProtocol(addr)
	idPart, hostPort, ok := strings.Cut(rest, "@")
	if !ok || strings.Contains(hostPort, "@") {
		return NetAddress{}, fmt.Errorf("%q: %w", addr, ErrNetAddressNoID)
	}
	id := ID(idPart)
	if err := id.Validate(); err != nil {
		return NetAddress{}, fmt.Errorf("%q: %w: %v", addr, ErrNetAddressInvalid, err)
	}
	na, err := parseHostPort(hostPort)
	if err != nil {
		return NetAddress{}, fmt.Errorf("%q: %w", addr, err)
	}
	na.ID = id
	return na, nil
}

// ParseNetAddresses parses each of addrs with ParseNetAddress, returning the good addresses and
// the errors of the bad ones.
func ParseNetAddresses(addrs []string) ([]NetAddress, []error) {
	var (
		good []NetAddress
		errs []error
	)
	for _, a := range addrs {
		na, err := ParseNetAddress(a)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		good = append(good, na)
	}
	return good, errs
}

// parseHostPort parses "<host>:<port>", resolving host if it is not an IP literal.
func parseHostPort(hostPort string) (NetAddress, error) {
	host, portStr, err := net.SplitHostPort(hostPort)
	if err != nil {
		return NetAddress{}, fmt.Errorf("%w: %v", ErrNetAddressInvalid, err)
	}
	if host == "" {
		return NetAddress{}, fmt.Errorf("%w: empty host", ErrNetAddressInvalid)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return NetAddress{}, fmt.Errorf("%w: port %q is not a number in 0..65535", ErrNetAddressInvalid, portStr)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ips, lookupErr := net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
		if lookupErr != nil {
			return NetAddress{}, fmt.Errorf("%w: %v", ErrNetAddressLookup, lookupErr)
		}
		if len(ips) == 0 {
			return NetAddress{}, fmt.Errorf("%w: %s has no addresses", ErrNetAddressLookup, host)
		}
		ip = ips[0]
	}
	if ip.Zone() != "" {
		return NetAddress{}, fmt.Errorf("%w: IPv6 zone %q not supported", ErrNetAddressInvalid, ip.Zone())
	}
	return NetAddress{IP: ip.Unmap(), Port: uint16(port)}, nil
}

// NewNetAddress returns the address of node id at addr, which must be a *net.TCPAddr (the remote
// address of a TCP connection).
func NewNetAddress(id ID, addr net.Addr) (NetAddress, error) {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return NetAddress{}, fmt.Errorf("%w: %v is a %T, not a TCP address", ErrNetAddressInvalid, addr, addr)
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	if !ok || tcp.Port < 0 || tcp.Port > 65535 {
		return NetAddress{}, fmt.Errorf("%w: %v", ErrNetAddressInvalid, addr)
	}
	return NetAddress{ID: id, IP: ip.Unmap(), Port: uint16(tcp.Port)}, nil
}

// NetAddressFromProto converts the PEX wire form; the IP must parse and the port fit 16 bits.
// The ID is not checked (see Valid).
func NetAddressFromProto(pb tmp2p.NetAddress) (NetAddress, error) {
	ip, err := netip.ParseAddr(pb.IP)
	if err != nil || ip.Zone() != "" {
		return NetAddress{}, fmt.Errorf("%w: IP %q", ErrNetAddressInvalid, pb.IP)
	}
	if pb.Port > 65535 {
		return NetAddress{}, fmt.Errorf("%w: port %d", ErrNetAddressInvalid, pb.Port)
	}
	return NetAddress{ID: ID(pb.ID), IP: ip.Unmap(), Port: uint16(pb.Port)}, nil
}

// ToProto returns the PEX wire form.
func (na NetAddress) ToProto() tmp2p.NetAddress {
	return tmp2p.NetAddress{ID: string(na.ID), IP: na.IP.String(), Port: uint32(na.Port)}
}

// String returns "<id>@<ip>:<port>", or "<ip>:<port>" without an ID; IPv6 addresses are
// bracketed.
func (na NetAddress) String() string {
	if na.ID == "" {
		return na.DialString()
	}
	return string(na.ID) + "@" + na.DialString()
}

// DialString returns "<ip>:<port>".
func (na NetAddress) DialString() string {
	return net.JoinHostPort(na.IP.String(), strconv.Itoa(int(na.Port)))
}

// Dial opens a TCP connection to the address, giving up after timeout (0: no limit).
func (na NetAddress) Dial(timeout time.Duration) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", na.DialString(), timeout)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", na, err)
	}
	return conn, nil
}

// DialContext opens a TCP connection to the address, giving up when ctx ends.
func (na NetAddress) DialContext(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", na.DialString())
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", na, err)
	}
	return conn, nil
}

// HasID reports whether the address names a node (without checking the ID).
func (na NetAddress) HasID() bool { return na.ID != "" }

// Same reports whether na and other have the same IP and port, or the same non-empty ID.
func (na NetAddress) Same(other NetAddress) bool {
	return (na.addr() == other.addr() && na.Port == other.Port) || (na.ID != "" && na.ID == other.ID)
}

// Valid checks that the ID is well formed and the IP is one a peer can have: set, not
// unspecified (0.0.0.0, ::), not the IPv4 broadcast address and not IPv6 documentation space
// (RFC 3849). Errors wrap ErrNetAddressInvalid.
func (na NetAddress) Valid() error {
	if err := na.ID.Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrNetAddressInvalid, err)
	}
	if !na.IP.IsValid() {
		return fmt.Errorf("%w: no IP", ErrNetAddressInvalid)
	}
	if ip := na.addr(); ip.IsUnspecified() || ip == ipv4Broadcast || na.RFC3849() {
		return fmt.Errorf("%w: IP %s cannot be a peer's", ErrNetAddressInvalid, na.IP)
	}
	return nil
}

// Local reports whether the IP is a loopback address or in 0.0.0.0/8.
func (na NetAddress) Local() bool {
	return na.addr().IsLoopback() || zero4.Contains(na.addr())
}

// Routable reports whether the address is valid and reachable across the public internet: not
// private (RFC 1918, RFC 4193), link-local autoconfiguration (RFC 3927, RFC 4862), ORCHID
// (RFC 4843) or local.
func (na NetAddress) Routable() bool {
	if na.Valid() != nil {
		return false
	}
	return !na.RFC1918() && !na.RFC3927() && !na.RFC4862() && !na.RFC4193() && !na.RFC4843() && !na.Local()
}
