package server

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"time"

	"github.com/ballot-bft/ballot/abci/client"
)

// Listen listens on an ABCI address ("tcp://host:port", "unix:///path" or bare "host:port"). For
// a unix socket it first removes a stale socket file left by a process that died, but refuses to
// remove a file that is not a socket or a socket something still listens on.
func Listen(addr string) (net.Listener, error) {
	network, address, err := client.ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	if network == "unix" {
		if err := removeStaleSocket(address); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, fmt.Errorf("abci server: %w", err)
	}
	return ln, nil
}

// staleProbeTimeout bounds the connect attempt that tells a live unix socket from a stale one.
const staleProbeTimeout = time.Second

func removeStaleSocket(path string) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("abci server: %w", err)
	}
	if info.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("abci server: %s exists and is not a unix socket", path)
	}
	if conn, err := net.DialTimeout("unix", path, staleProbeTimeout); err == nil {
		_ = conn.Close() // it was only a probe
		return fmt.Errorf("abci server: unix socket %s is in use by another process", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("abci server: removing stale socket: %w", err)
	}
	return nil
}
