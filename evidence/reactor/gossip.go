package reactor

import (
	"time"

	"github.com/ballot-bft/ballot/evidence"
	"github.com/ballot-bft/ballot/p2p"
	tmproto "github.com/ballot-bft/ballot/proto/tendermint/types"
	"github.com/ballot-bft/ballot/types"
)

// verdict is what to do with one evidence for one peer now.
type verdict int

const (
	sendNow verdict = iota
	waitForPeer
	skipForPeer
)

// judge decides whether a peer at consensus height peerHeight can take evidence of evHeight: it
// must have committed that height (peerHeight > evHeight) and the evidence must not be more than
// maxAge blocks older than the peer's height.
func judge(evHeight, peerHeight, maxAge int64) verdict {
	switch {
	case peerHeight <= evHeight:
		return waitForPeer
	case peerHeight-evHeight > maxAge:
		return skipForPeer
	default:
		return sendNow
	}
}

// gossip sends the pool's pending evidence to peer until stop is closed or the peer is done. It
// runs on the peer's own goroutine.
func (r *Reactor) gossip(peer p2p.Peer, stop <-chan struct{}) {
	id := peer.ID()
	var (
		after   uint64           // arrival number of the last evidence taken from the pool
		waiting []evidence.Entry // evidence the peer is not yet high enough for, oldest first
		timer   *time.Timer      // rebroadcast; armed after a send
		resend  <-chan time.Time
	)
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		newEvidence := r.pool.EvidenceWaitChan() // taken before looking, so no arrival is missed
		height, heightChanged := r.heights.PeerHeight(id)
		maxAge := r.pool.State().ConsensusParams.Evidence.MaxAgeNumBlocks
		offered := false // something was sent, or failed to send

		// offer sends e if the peer can take it now and reports whether it must wait.
		offer := func(e evidence.Entry) (wait bool) {
			switch judge(e.Evidence.Height(), height, maxAge) {
			case waitForPeer:
				return true
			case sendNow:
				r.send(peer, e.Evidence)
				offered = true
			}
			return false
		}

		kept := waiting[:0]
		for _, e := range waiting {
			if r.stillPending(e) && offer(e) {
				kept = append(kept, e)
			}
		}
		clear(waiting[len(kept):])
		waiting = kept
		for {
			e, ok := r.pool.NextEvidence(after)
			if !ok {
				break
			}
			after = e.Seq
			if offer(e) {
				waiting = append(waiting, e)
			}
		}

		if offered && r.rebroadcast > 0 && resend == nil {
			timer = time.NewTimer(r.rebroadcast)
			resend = timer.C
		}
		var heightWake <-chan struct{}
		if len(waiting) > 0 {
			heightWake = heightChanged
		}
		select {
		case <-newEvidence:
		case <-heightWake:
		case <-resend:
			// Start over: everything still pending is offered again.
			resend, timer = nil, nil
			after, waiting = 0, waiting[:0]
		case <-peer.Done():
			return
		case <-stop:
			return
		}
	}
}

// stillPending reports whether e is still pending in the pool.
func (r *Reactor) stillPending(e evidence.Entry) bool {
	next, ok := r.pool.NextEvidence(e.Seq - 1)
	return ok && next.Seq == e.Seq
}

// send sends ev alone in an EvidenceList (CometBFT v0.38 sends one per message). A failed send
// is not retried at once: the rebroadcast offers it again.
func (r *Reactor) send(peer p2p.Peer, ev types.Evidence) {
	pb, err := types.EvidenceToProto(ev)
	if err != nil {
		r.logger.Error("cannot encode pending evidence", "evidence", ev, "err", err)
		return
	}
	msg := &tmproto.EvidenceList{Evidence: []tmproto.Evidence{*pb}}
	if !peer.Send(p2p.Envelope{ChannelID: Channel, Message: msg}) {
		r.logger.Debug("evidence not sent", "peer", peer.ID(), "evidence", ev)
	}
}
