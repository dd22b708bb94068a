package jepsen

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy is the fault layer of one directed peer link: node link.From dials the proxy's
// address instead of node link.To's, and the proxy relays each connection to link.To, applying
// the Faults of link to the bytes From sends and those of the reverse link to the answers.
type Proxy struct {
	link   Link
	target string // link.To's p2p address
	faults *Faults
	ln     net.Listener

	mu    sync.Mutex
	conns map[*proxiedConn]struct{}

	accepted, refused atomic.Int64 // connections relayed / closed at once because the link was cut
	passed, dropped   atomic.Int64 // bytes relayed / discarded, both directions
}

// NewProxy returns a proxy for link that accepts on ln (the proxy owns it from now on) and
// relays to target; faults is consulted for every connection and chunk. Call Run to serve.
func NewProxy(faults *Faults, ln net.Listener, link Link, target string) *Proxy {
	p := &Proxy{link: link, target: target, faults: faults, ln: ln, conns: map[*proxiedConn]struct{}{}}
	faults.register(p)
	return p
}

// Addr is the address node link.From must dial ("127.0.0.1:port").
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// ProxyStats counts what a proxy did.
type ProxyStats struct {
	Accepted, Refused int64 // connections relayed / closed at once because the link was cut
	Passed, Dropped   int64 // bytes relayed / discarded
}

// Stats returns the proxy's counters so far.
func (p *Proxy) Stats() ProxyStats {
	return ProxyStats{Accepted: p.accepted.Load(), Refused: p.refused.Load(), Passed: p.passed.Load(), Dropped: p.dropped.Load()}
}

// Run accepts and relays connections until ctx is done, then closes the listener and every
// connection and returns once all of the proxy's goroutines have ended. It returns nil after
// ctx is done, or the listener's error if accepting fails otherwise.
func (p *Proxy) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	stop := context.AfterFunc(ctx, func() {
		p.ln.Close()
		p.closeConns()
	})
	defer stop()
	var err error
	for {
		conn, aerr := p.ln.Accept()
		if aerr != nil {
			if ctx.Err() == nil {
				err = aerr
				p.ln.Close()
				p.closeConns()
			}
			break
		}
		if p.faults.cut(p.link) {
			p.refused.Add(1)
			conn.Close()
			continue
		}
		p.accepted.Add(1)
		wg.Go(func() { p.serve(ctx, conn) })
	}
	wg.Wait()
	return err
}

// proxiedConn is one relayed connection: from the dialing node and to the target node.
type proxiedConn struct {
	down, up net.Conn
	once     sync.Once
}

func (c *proxiedConn) close() {
	c.once.Do(func() {
		c.down.Close()
		c.up.Close()
	})
}

func (p *Proxy) serve(ctx context.Context, down net.Conn) {
	d := net.Dialer{Timeout: 5 * time.Second}
	up, err := d.DialContext(ctx, "tcp", p.target)
	if err != nil {
		down.Close() // the target is down: the dialing node sees a closed connection
		return
	}
	c := &proxiedConn{down: down, up: up}
	p.mu.Lock()
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	if ctx.Err() != nil || p.faults.cut(p.link) {
		c.close()
	}
	var wg sync.WaitGroup
	wg.Go(func() { p.relay(up, down, p.link, c.close) })
	wg.Go(func() { p.relay(down, up, p.link.reverse(), c.close) })
	wg.Wait()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// closeConns closes every open connection of the proxy.
func (p *Proxy) closeConns() {
	p.mu.Lock()
	conns := make([]*proxiedConn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

func (p *Proxy) relay(dst io.Writer, src io.Reader, link Link, closeAll func()) {
	passed, dropped := relay(dst, src, func() Fault { return p.faults.Fault(link) }, closeAll)
	p.passed.Add(passed)
	p.dropped.Add(dropped)
}

// chunk is a piece of a stream waiting to be written.
type chunk struct {
	data []byte
	due  time.Time
}

// relay copies src to dst until either fails, applying fault() (read for every chunk) to
// each chunk read: dropped, delayed, or the end of the relay when the link is cut. When the
// relay ends it calls closeAll, which must make src's Read and dst's Write return, and waits
// for its reader. It returns the bytes written and the bytes dropped.
func relay(dst io.Writer, src io.Reader, fault func() Fault, closeAll func()) (passed, dropped int64) {
	queue := make(chan chunk, 256)
	stop := make(chan struct{})
	var readerDropped int64
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		defer close(queue)
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				f := fault()
				switch {
				case f.Cut:
					return
				case f.Drop:
					readerDropped += int64(n)
				default:
					c := chunk{data: append([]byte(nil), buf[:n]...), due: time.Now().Add(f.Delay)}
					select {
					case queue <- c:
					case <-stop:
						return
					}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	var timer *time.Timer
	for c := range queue {
		if wait := time.Until(c.due); wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			<-timer.C
		}
		if _, err := dst.Write(c.data); err != nil {
			break
		}
		passed += int64(len(c.data))
	}
	close(stop)
	closeAll()
	<-readerDone
	return passed, readerDropped
}
