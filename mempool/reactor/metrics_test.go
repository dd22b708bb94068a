package reactor

import (
	"sync"
	"testing"
	"testing/synctest"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/mempool"
)

// level is a gauge that remembers its value.
type level struct {
	mu sync.Mutex
	v  float64
}

func (l *level) Set(v float64) { l.mu.Lock(); l.v = v; l.mu.Unlock() }
func (l *level) Add(d float64) { l.mu.Lock(); l.v += d; l.mu.Unlock() }
func (l *level) get() float64  { l.mu.Lock(); defer l.mu.Unlock(); return l.v }

// active_outbound_connections counts the peers being gossiped to: not the one waiting for a
// slot, and no longer one that left.
func TestActiveOutboundConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := mempool.NopMetrics()
		active := &level{}
		m.ActiveOutboundConnections = active
		env := newEnv(t, 1, func(c *config.MempoolConfig) {
			c.ExperimentalMaxGossipConnectionsToNonPersistentPeers = 1
		}, WithMetrics(m))
		a, b := newFakePeer("a"), newFakePeer("b")
		env.r.AddPeer(a)
		env.r.AddPeer(b)
		synctest.Wait()
		if got := active.get(); got != 1 {
			t.Fatalf("%v active with one slot for two peers, want 1", got)
		}
		env.r.RemovePeer(a, nil)
		synctest.Wait()
		if got := active.get(); got != 1 {
			t.Fatalf("%v active after a left and b took its slot, want 1", got)
		}
		env.stop()
		if got := active.get(); got != 0 {
			t.Fatalf("%v active after Run returned, want 0", got)
		}
	})
}
