package load

import (
	"context"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wsConn is one websocket sending connection: a writer (runWebsocket's loop) and a reader
// goroutine, with at most cfg.InFlight requests awaiting their answers.
type wsConn struct {
	s        *sender
	endpoint string
	conn     *websocket.Conn
	slots    chan struct{} // one token per outstanding request

	mu      sync.Mutex
	pending map[int64]struct{}
}

// runWebsocket sends each transaction of each job as one request frame on a new websocket
// connection to endpoint, until jobs is closed, then waits (at most RequestTimeout) for the
// outstanding answers. Requests that never get an answer fail; jobs that cannot be sent
// (no connection, connection lost, ctx ended) count as not sent.
func (s *sender) runWebsocket(ctx context.Context, dialer *websocket.Dialer, endpoint string, jobs <-chan int, warn func(string)) {
	dctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	conn, _, err := dialer.DialContext(dctx, websocketURL(endpoint), nil)
	cancel()
	if err != nil {
		warn("websocket sender to " + endpoint + ": " + err.Error())
		s.skip(jobs)
		return
	}
	c := &wsConn{s: s, endpoint: endpoint, conn: conn, slots: make(chan struct{}, s.cfg.InFlight), pending: map[int64]struct{}{}}
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		c.read()
	}()
	c.write(ctx, jobs, readerDone, warn)
	// Wait for the outstanding answers by taking every slot back.
	timer := time.NewTimer(s.cfg.RequestTimeout)
	defer timer.Stop()
wait:
	for range cap(c.slots) {
		select {
		case c.slots <- struct{}{}:
		case <-readerDone:
			break wait
		case <-timer.C:
			break wait
		}
	}
	conn.Close()
	<-readerDone
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for seq := range c.pending {
		s.answer(seq, now, Failed, "no reply for the request")
	}
	clear(c.pending)
}

// write sends the jobs' transactions until jobs is closed; after a failure it counts the rest
// as not sent.
func (c *wsConn) write(ctx context.Context, jobs <-chan int, readerDone <-chan struct{}, warn func(string)) {
	s := c.s
	var tx, frame []byte
	for n := range jobs {
		first, ok := s.tracker.Reserve(n)
		if !ok {
			s.stats.NotSent(time.Now(), n)
			continue
		}
		for i := range n {
			if err := c.acquire(ctx, readerDone); err != "" {
				if err != "interrupted" {
					warn("websocket sender to " + c.endpoint + ": " + err)
				}
				s.stats.NotSent(time.Now(), n-i)
				s.skip(jobs)
				return
			}
			seq := first + int64(i)
			tx = s.gen.AppendTx(tx[:0], seq)
			frame = appendBroadcast(frame[:0], s.method, seq, tx)
			c.mu.Lock()
			c.pending[seq] = struct{}{}
			c.mu.Unlock()
			now := time.Now()
			s.tracker.MarkSent(seq, now)
			s.stats.Sent(now, 1)
			_ = c.conn.SetWriteDeadline(now.Add(s.cfg.RequestTimeout))
			if err := c.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				warn("websocket sender to " + c.endpoint + ": " + err.Error())
				s.stats.NotSent(time.Now(), n-i-1)
				s.skip(jobs)
				return
			}
		}
	}
}

// acquire takes an in-flight slot, waiting at most RequestTimeout for an answer to free one.
// It returns "" on success, else why not.
func (c *wsConn) acquire(ctx context.Context, readerDone <-chan struct{}) string {
	select {
	case c.slots <- struct{}{}:
		return ""
	default:
	}
	timer := time.NewTimer(c.s.cfg.RequestTimeout)
	defer timer.Stop()
	select {
	case c.slots <- struct{}{}:
		return ""
	case <-readerDone:
		return "connection closed by the node"
	case <-timer.C:
		return "no answer freed an in-flight slot within the request timeout"
	case <-ctx.Done():
		return "interrupted"
	}
}

// read matches answers to pending requests until the connection fails or is closed.
func (c *wsConn) read() {
	for {
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		rs, err := decodeResponses(msg)
		if err != nil {
			continue // not an answer of ours; unanswered requests fail at the end
		}
		now := time.Now()
		for k := range rs {
			id, ok := rs[k].id()
			if !ok {
				continue
			}
			c.mu.Lock()
			_, mine := c.pending[id]
			delete(c.pending, id)
			c.mu.Unlock()
			if !mine {
				continue
			}
			o, reason := classify(&rs[k])
			c.s.answer(id, now, o, reason)
			<-c.slots
		}
	}
}
