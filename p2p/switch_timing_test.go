package p2p_test

import (
	"context"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/p2p/p2ptest"
)

func TestRedialDelaySchedule(t *testing.T) {
	for _, tc := range []struct {
		attempt   int
		maxPeriod time.Duration
		want      time.Duration
	}{
		{0, 0, 5 * time.Second},
		{19, 0, 5 * time.Second},
		{20, 0, time.Second},
		{21, 0, 3 * time.Second},
		{22, 0, 9 * time.Second},
		{29, 0, 19683 * time.Second},
		{1000, 0, 19683 * time.Second},
		{0, 2 * time.Second, 2 * time.Second},
		{25, time.Minute, time.Minute},
		{20, time.Minute, time.Second},
	} {
		if got := p2p.RedialDelay(tc.attempt, tc.maxPeriod); got != tc.want {
			t.Errorf("RedialDelay(%d, %v) = %v, want %v", tc.attempt, tc.maxPeriod, got, tc.want)
		}
	}
}

// dialRecorder is a transport that reports the time of every dial.
type dialRecorder struct {
	p2p.Transport
	dials chan time.Time
}

func (d *dialRecorder) Dial(ctx context.Context, addr p2p.NetAddress) (net.Conn, error) {
	d.dials <- time.Now()
	return d.Transport.Dial(ctx, addr)
}

// redialGaps runs a switch whose one persistent peer never answers, and returns the pauses
// between its first n+1 dials.
func redialGaps(t *testing.T, n int, maxPeriod time.Duration) []time.Duration {
	mem := p2ptest.NewMemNetwork()
	mt := mem.NewTransport()
	rec := &dialRecorder{Transport: mt, dials: make(chan time.Time)}
	nobody := p2p.NetAddress{ID: p2ptest.NodeKey(9).ID(), IP: mt.Addr().Addr().Next(), Port: 26656}
	sw := p2ptest.MakeSwitch(t, 0, nil, p2ptest.WithTransport(rec, mt.ListenAddr()),
		p2ptest.WithConfig(func(_ int, cfg *config.P2PConfig) {
			cfg.PersistentPeers = nobody.String()
			cfg.PersistentPeersMaxDialPeriod = maxPeriod
		}))
	p2ptest.Start(t, sw)
	prev := <-rec.dials
	gaps := make([]time.Duration, n)
	for i := range gaps {
		at := <-rec.dials
		gaps[i] = at.Sub(prev)
		prev = at
	}
	return gaps
}

func TestPersistentPeerRedialBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gaps := redialGaps(t, 26, 0)
		for i, gap := range gaps {
			base := p2p.RedialDelay(i, 0)
			if gap < base || gap >= base+3*time.Second {
				t.Errorf("pause after failed dial %d: %v, want in [%v, %v)", i+1, gap, base, base+3*time.Second)
			}
		}
	})
}

func TestPersistentPeerRedialCappedByMaxDialPeriod(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const maxPeriod = 2 * time.Second
		for i, gap := range redialGaps(t, 30, maxPeriod) {
			if gap <= 0 || gap > maxPeriod {
				t.Errorf("pause after failed dial %d: %v, want in (0, %v]", i+1, gap, maxPeriod)
			}
		}
	})
}

func TestPersistentPeerRedialedAfterRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := p2ptest.NewMemNetwork()
		bt := mem.NewTransport()
		b := p2ptest.MakeSwitch(t, 1, nil, p2ptest.WithTransport(bt, bt.ListenAddr()))
		a := p2ptest.MakeSwitch(t, 0, nil, p2ptest.WithMemNetwork(mem))
		if err := a.AddPersistentPeers([]string{mustAddr(t, b).String()}); err != nil {
			t.Fatal(err)
		}
		p2ptest.Start(t, a)
		stopB := p2ptest.Start(t, b)
		idB := b.NodeInfo().ID
		p2ptest.WaitForPeer(t, a, idB)
		if !peerOf(t, a, idB).IsPersistent() {
			t.Fatal("the persistent peer is not marked persistent")
		}

		// Kill b: a loses it, redials at once, fails, and waits for its timer.
		stopB()
		p2ptest.WaitForNoPeer(t, a, idB)
		lost := time.Now()
		synctest.Wait()

		bt2, err := bt.Reopen()
		if err != nil {
			t.Fatal(err)
		}
		b2 := p2ptest.MakeSwitch(t, 1, nil, p2ptest.WithTransport(bt2, bt2.ListenAddr()))
		p2ptest.Start(t, b2)
		p2ptest.WaitForPeer(t, a, idB)
		if took := time.Since(lost); took < 5*time.Second || took >= 8*time.Second {
			t.Fatalf("reconnected after %v, want within [5s, 8s) (one failed redial, then one pause)", took)
		}

		// A persistent peer stopped for an error is redialed too.
		a.StopPeerForError(peerOf(t, a, idB), context.DeadlineExceeded)
		p2ptest.WaitForNoPeer(t, a, idB)
		p2ptest.WaitForPeer(t, a, idB)
	})
}

func TestMutualPersistentPeersConverge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := p2ptest.NewMemNetwork()
		const n = 3
		sws := make([]*p2p.PeerSwitch, n)
		for i := range sws {
			sws[i] = p2ptest.MakeSwitch(t, i, nil, p2ptest.WithMemNetwork(mem))
		}
		// Everybody lists everybody: dials cross, and duplicates are refused until the jitter
		// of the redials lets one connection of each pair through.
		for i, sw := range sws {
			var addrs []string
			for j := range sws {
				if j != i {
					addrs = append(addrs, mustAddr(t, sws[j]).String())
				}
			}
			if err := sw.AddPersistentPeers(addrs); err != nil {
				t.Fatal(err)
			}
		}
		for _, sw := range sws {
			p2ptest.Start(t, sw)
		}
		for round := 0; ; round++ {
			if round == 20 {
				t.Fatal("the switches did not settle in 20 rounds")
			}
			for _, sw := range sws {
				p2ptest.WaitForNumPeers(t, sw, n-1)
			}
			synctest.Wait() // every dial, handshake and removal has played out
			settled := true
			for _, sw := range sws {
				settled = settled && len(sw.Peers()) == n-1
			}
			if settled {
				break
			}
		}
	})
}
