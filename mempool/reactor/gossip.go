package reactor

import (
	"math/bits"

	"github.com/ballot-bft/ballot/p2p"
	mempoolpb "github.com/ballot-bft/ballot/proto/tendermint/mempool"
)

// uvarintSize is the length of x as a protobuf varint.
func uvarintSize(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// txFieldSize is what one transaction of n bytes adds to a Txs message (field 1, bytes).
func txFieldSize(n int) int { return 1 + uvarintSize(uint64(n)) + n }

// messageSize is the size of a Message whose Txs holds transactions adding txsSize bytes.
func messageSize(txsSize int) int { return 1 + uvarintSize(uint64(txsSize)) + txsSize }

// MaxMessageSize is the largest mempool message a peer accepts: a Message holding one
// transaction of maxTxBytes (CometBFT's RecvMessageCapacity for the channel). The reactor's
// batches never exceed it.
func MaxMessageSize(maxTxBytes int) int { return messageSize(txFieldSize(maxTxBytes)) }

// gossip sends the pool's transactions to peer, each once, in admission order, until stop is
// closed or the peer is done. It runs on the peer's own goroutine.
func (r *Reactor) gossip(peer p2p.Peer, stop <-chan struct{}) {
	if !r.takeSlot(peer, stop) {
		return
	}
	defer r.releaseSlot(peer)
	r.active.Add(1)
	defer r.active.Add(-1)

	id := peer.ID()
	var after uint64 // admission number of the last transaction handled for this peer
	for {
		newTx := r.pool.TxsWaitChan() // taken before looking, so no admission is missed
		height, heightChanged := r.peerHeight(id)
		batch, next, lagging := r.nextBatch(id, height, after)
		if len(batch) > 0 {
			msg := &mempoolpb.Message{Sum: &mempoolpb.Message_Txs{Txs: &mempoolpb.Txs{Txs: batch}}}
			// Send waits (bounded by the connection's send timeout) for room; when it fails
			// the same batch is tried again unless the peer is gone.
			if !peer.Send(p2p.Envelope{ChannelID: Channel, Message: msg}) {
				select {
				case <-peer.Done():
					return
				case <-stop:
					return
				default:
					continue
				}
			}
			after = next
			continue
		}
		after = next // only transactions the peer sent us were passed
		var heightWake <-chan struct{}
		if lagging {
			heightWake = heightChanged
		}
		select {
		case <-newTx:
		case <-heightWake:
		case <-peer.Done():
			return
		case <-stop:
			return
		}
	}
}

// peerHeight returns the peer's consensus height and its change channel; without PeerHeights
// the height is unlimited and the channel nil.
func (r *Reactor) peerHeight(id p2p.ID) (int64, <-chan struct{}) {
	if r.heights == nil {
		return 1<<63 - 1, nil
	}
	return r.heights.PeerHeight(id)
}

// nextBatch collects the transactions after number after that can go to peer now: it skips the
// ones the peer sent us and stops before one admitted above peerHeight+1 (lagging is then true)
// or one that would take the message past maxMsgSize. next is the admission number of the last
// transaction taken or skipped.
func (r *Reactor) nextBatch(id p2p.ID, peerHeight int64, after uint64) (batch [][]byte, next uint64, lagging bool) {
	next = after
	size := 0
	for {
		e, ok := r.pool.NextTx(next)
		if !ok {
			return batch, next, false
		}
		if e.SentBy(id) {
			next = e.Seq
			continue
		}
		if peerHeight < e.Height-1 {
			return batch, next, true
		}
		add := txFieldSize(len(e.Tx))
		if len(batch) > 0 && messageSize(size+add) > r.maxMsgSize {
			return batch, next, false
		}
		batch = append(batch, e.Tx)
		size += add
		next = e.Seq
	}
}

// slots returns the semaphore that bounds the sending peers of peer's kind (nil: unbounded).
func (r *Reactor) slots(peer p2p.Peer) chan struct{} {
	if peer.IsPersistent() {
		return r.persistentSlots
	}
	return r.otherSlots
}

// takeSlot waits for a sending slot; it reports false if the peer stopped first.
func (r *Reactor) takeSlot(peer p2p.Peer, stop <-chan struct{}) bool {
	slots := r.slots(peer)
	if slots == nil {
		return true
	}
	select {
	case slots <- struct{}{}:
		return true
	case <-peer.Done():
	case <-stop:
	}
	return false
}

func (r *Reactor) releaseSlot(peer p2p.Peer) {
	if slots := r.slots(peer); slots != nil {
		<-slots
	}
}
