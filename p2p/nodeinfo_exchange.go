package p2p

import (
	"fmt"
	"net"
	"time"

	"github.com/ballot-bft/ballot/libs/protoio"
	tmp2p "github.com/ballot-bft/ballot/proto/tendermint/p2p"
)

// ExchangeNodeInfo sends ours to the peer on conn (normally a SecretConnection) as a
// length-delimited DefaultNodeInfo while reading the peer's (at most MaxNodeInfoSize bytes), and
// returns the peer's NodeInfo unchecked: pass it to CheckPeerNodeInfo. Nothing beyond the peer's
// message is read from conn.
//
// The exchange must finish within timeout (> 0); conn's deadlines are set for it and cleared
// afterwards, so the caller must not rely on deadlines of its own across the call. On error conn
// may be unusable (a write may have been cut short) and should be closed.
func ExchangeNodeInfo(conn net.Conn, ours NodeInfo, timeout time.Duration) (NodeInfo, error) {
	if timeout <= 0 {
		return NodeInfo{}, fmt.Errorf("node info exchange: timeout %v must be positive", timeout)
	}
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return NodeInfo{}, fmt.Errorf("node info exchange: setting deadline: %w", err)
	}
	theirs, err := exchangeNodeInfo(conn, ours)
	if clearErr := conn.SetDeadline(time.Time{}); clearErr != nil && err == nil {
		err = fmt.Errorf("node info exchange: clearing deadline: %w", clearErr)
	}
	return theirs, err
}

func exchangeNodeInfo(conn net.Conn, ours NodeInfo) (NodeInfo, error) {
	written := make(chan error, 1)
	go func() {
		_, err := protoio.NewDelimitedWriter(conn).WriteMsg(ours.ToProto())
		written <- err
	}()
	var pb tmp2p.DefaultNodeInfo
	_, readErr := protoio.NewDelimitedReader(conn, MaxNodeInfoSize).ReadMsg(&pb)
	if readErr != nil {
		// Stop a write the peer is not reading, then wait for it: no goroutine outlives the call.
		conn.SetWriteDeadline(time.Now())
		<-written
		return NodeInfo{}, fmt.Errorf("node info exchange: reading the peer's: %w", readErr)
	}
	if err := <-written; err != nil {
		return NodeInfo{}, fmt.Errorf("node info exchange: sending ours: %w", err)
	}
	return NodeInfoFromProto(&pb)
}
