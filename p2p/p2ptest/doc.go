// Package p2ptest builds real, connected switches for tests of the p2p layer and of reactors:
// every connection runs the full stack (SecretConnection handshake, NodeInfo checks,
// MConnection), over TCP loopback by default or over an in-memory MemNetwork of net.Pipe
// connections that works inside testing/synctest bubbles.
//
// The usual entry point is MakeConnectedSwitches(t, n, init), where init adds the reactors under
// test to each switch. Switch i always has node key NodeKey(i). Switches stop, and every
// goroutine they started ends, before the test's cleanup returns. Waits (WaitFor, Connect) block
// on the switch's PeersChanged notifications, never on sleeps; a test that waits for something
// that never happens hangs until go test's -timeout.
package p2ptest
