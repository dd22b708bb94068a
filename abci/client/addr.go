package client

import (
	"fmt"
	"strings"
)

// ParseAddr splits an ABCI address into a network and an address for net.Dial:
// "tcp://host:port" → ("tcp", "host:port"), "unix:///path" → ("unix", "/path"), and a bare
// "host:port" → ("tcp", "host:port"). Other schemes and empty addresses are errors.
func ParseAddr(addr string) (network, address string, err error) {
	scheme, rest, found := strings.Cut(addr, "://")
	if !found {
		scheme, rest = "tcp", addr
	}
	switch scheme {
	case "tcp", "unix":
	default:
		return "", "", fmt.Errorf("abci address %q: unsupported scheme %q (want tcp:// or unix://)", addr, scheme)
	}
	if rest == "" {
		return "", "", fmt.Errorf("abci address %q: empty %s address", addr, scheme)
	}
	return scheme, rest, nil
}
