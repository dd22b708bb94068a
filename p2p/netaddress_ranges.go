package p2p

import (
	"net/netip"
	"strings"
)

// Address ranges the routability checks and the address book classify IPs by.
var (
	ipv4Broadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})
	zero4         = netip.MustParsePrefix("0.0.0.0/8")
	rfc1918       = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"),
	}
	rfc3849     = netip.MustParsePrefix("2001:db8::/32")
	rfc3927     = netip.MustParsePrefix("169.254.0.0/16")
	rfc3964     = netip.MustParsePrefix("2002::/16")
	rfc4193     = netip.MustParsePrefix("fc00::/7")
	rfc4380     = netip.MustParsePrefix("2001::/32")
	rfc4843     = netip.MustParsePrefix("2001:10::/28")
	rfc4862     = netip.MustParsePrefix("fe80::/64")
	rfc6052     = netip.MustParsePrefix("64:ff9b::/96")
	rfc6145     = netip.MustParsePrefix("::ffff:0:0:0/96")
	onionCatTor = netip.MustParsePrefix("fd87:d87e:eb43::/48")
)

// RFC1918 reports an IPv4 private address (10/8, 172.16/12, 192.168/16).
func (na NetAddress) RFC1918() bool {
	for _, p := range rfc1918 {
		if p.Contains(na.addr()) {
			return true
		}
	}
	return false
}

// RFC3849 reports an IPv6 documentation address (2001:db8::/32).
func (na NetAddress) RFC3849() bool { return rfc3849.Contains(na.addr()) }

// RFC3927 reports an IPv4 link-local autoconfiguration address (169.254/16).
func (na NetAddress) RFC3927() bool { return rfc3927.Contains(na.addr()) }

// RFC3964 reports an IPv6 6to4 address (2002::/16).
func (na NetAddress) RFC3964() bool { return rfc3964.Contains(na.addr()) }

// RFC4193 reports an IPv6 unique local address (fc00::/7).
func (na NetAddress) RFC4193() bool { return rfc4193.Contains(na.addr()) }

// RFC4380 reports an IPv6 Teredo address (2001::/32).
func (na NetAddress) RFC4380() bool { return rfc4380.Contains(na.addr()) }

// RFC4843 reports an IPv6 ORCHID address (2001:10::/28).
func (na NetAddress) RFC4843() bool { return rfc4843.Contains(na.addr()) }

// RFC4862 reports an IPv6 link-local autoconfiguration address (fe80::/64).
func (na NetAddress) RFC4862() bool { return rfc4862.Contains(na.addr()) }

// RFC6052 reports an IPv6 address of the IPv4/IPv6 translation well-known prefix (64:ff9b::/96).
func (na NetAddress) RFC6052() bool { return rfc6052.Contains(na.addr()) }

// RFC6145 reports an IPv4-translated IPv6 address (::ffff:0:0:0/96).
func (na NetAddress) RFC6145() bool { return rfc6145.Contains(na.addr()) }

// OnionCatTor reports an address of the OnionCat Tor range (fd87:d87e:eb43::/48).
func (na NetAddress) OnionCatTor() bool { return onionCatTor.Contains(na.addr()) }

// Reachability ranks how well a node at one address can reach another (ReachabilityTo); the
// address book prefers higher ranks.
type Reachability int

// Reachability ranks, worst first.
const (
	Unreachable Reachability = iota
	ReachDefault
	ReachTeredo
	ReachIPv6Weak
	ReachIPv4
	ReachIPv6Strong
)

// ReachabilityTo ranks how well a node at na can reach o: unreachable if na is not routable; a
// Teredo na reaches Teredo, IPv4 and other IPv6 addresses; an IPv4 na reaches routable IPv4
// addresses; an IPv6 na reaches IPv6 best when o is not a tunnelled (6to4, RFC 6052, RFC 6145)
// address.
func (na NetAddress) ReachabilityTo(o NetAddress) Reachability {
	switch {
	case !na.Routable():
		return Unreachable
	case na.RFC4380():
		switch {
		case !o.Routable():
			return ReachDefault
		case o.RFC4380():
			return ReachTeredo
		case o.addr().Is4():
			return ReachIPv4
		default:
			return ReachIPv6Weak
		}
	case na.addr().Is4():
		if o.Routable() && o.addr().Is4() {
			return ReachIPv4
		}
		return ReachDefault
	default:
		switch {
		case !o.Routable():
			return ReachDefault
		case o.RFC4380():
			return ReachTeredo
		case o.addr().Is4():
			return ReachIPv4
		case o.RFC3964() || o.RFC6052() || o.RFC6145():
			return ReachIPv6Weak
		default:
			return ReachIPv6Strong
		}
	}
}

// addr returns the IP with an IPv4-mapped IPv6 address unmapped, so IPv4 ranges match it.
func (na NetAddress) addr() netip.Addr { return na.IP.Unmap() }

// removeProtocol strips a leading "<proto>://" from addr.
func removeProtocol(addr string) string {
	if _, rest, ok := strings.Cut(addr, "://"); ok {
		return rest
	}
	return addr
}
