package load

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

const (
	subscribeID    = "ballot-load-newblock"
	newBlockQuery  = "tm.event='NewBlock'"
	maxGapFill     = 1000 // heights fetched with `block` to close one gap
	maxPollPerTick = 100  // heights fetched per poll tick
)

// blockWatcher reports every committed block of one endpoint, in height order, to sink.
type blockWatcher struct {
	endpoint string
	rpc      *rpcClient
	dialer   *websocket.Dialer
	sink     func(b Block, observedAt time.Time)
	last     int64 // last height reported
	warn     func(string)
}

// emit reports b after filling any gap below it with `block`; blocks at or below the last
// reported height are ignored.
func (w *blockWatcher) emit(ctx context.Context, b Block) error {
	if w.last > 0 && b.Height <= w.last {
		return nil
	}
	if w.last > 0 && b.Height > w.last+1 {
		if b.Height-w.last-1 > maxGapFill {
			w.warn(fmt.Sprintf("skipped heights %d..%d (gap larger than %d)", w.last+1, b.Height-maxGapFill-1, maxGapFill))
			w.last = b.Height - maxGapFill - 1
		}
		for h := w.last + 1; h < b.Height; h++ {
			gap, err := w.rpc.block(ctx, w.endpoint, h)
			if err != nil {
				return fmt.Errorf("filling gap at height %d: %w", h, err)
			}
			w.sink(gap, time.Now())
			w.last = h
		}
	}
	w.sink(b, time.Now())
	w.last = b.Height
	return nil
}

// subscribe connects to the endpoint's websocket and subscribes to NewBlock. It returns the
// connection once the subscription is acknowledged, with any blocks that arrived before the
// acknowledgement.
func (w *blockWatcher) subscribe(ctx context.Context) (*websocket.Conn, []Block, error) {
	conn, _, err := w.dialer.DialContext(ctx, websocketURL(w.endpoint), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("websocket to %s: %w", w.endpoint, err)
	}
	fail := func(err error) (*websocket.Conn, []Block, error) {
		conn.Close()
		return nil, nil, fmt.Errorf("subscribing on %s: %w", w.endpoint, err)
	}
	req := fmt.Sprintf(`{"jsonrpc":"2.0","id":%q,"method":"subscribe","params":{"query":%q}}`, subscribeID, newBlockQuery)
	if err := conn.WriteMessage(websocket.TextMessage, []byte(req)); err != nil {
		return fail(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(w.rpc.timeout))
	var early []Block
	for range 64 { // events may overtake the acknowledgement; bound the wait anyway
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return fail(err)
		}
		b, isBlock, err := decodeEvent(msg)
		if err != nil {
			return fail(err)
		}
		if !isBlock {
			_ = conn.SetReadDeadline(time.Time{})
			return conn, early, nil
		}
		early = append(early, b)
	}
	return fail(errors.New("no acknowledgement"))
}

// readEvents reports the early blocks, then NewBlock events from conn until ctx ends (nil) or
// the connection fails.
func (w *blockWatcher) readEvents(ctx context.Context, conn *websocket.Conn, early []Block) error {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()
	for _, b := range early {
		if err := w.emit(ctx, b); err != nil {
			return err
		}
	}
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("websocket events from %s: %w", w.endpoint, err)
		}
		b, ok, err := decodeEvent(msg)
		if err != nil {
			return fmt.Errorf("websocket events from %s: %w", w.endpoint, err)
		}
		if !ok {
			continue
		}
		if err := w.emit(ctx, b); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// poll reports new heights by polling `status` and fetching blocks, every interval, until ctx
// ends.
func (w *blockWatcher) poll(ctx context.Context, interval time.Duration) error {
	if w.last == 0 {
		st, err := w.rpc.status(ctx, w.endpoint)
		if err != nil {
			return err
		}
		w.last = st.Height
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
		st, err := w.rpc.status(ctx, w.endpoint)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		limit := min(st.Height, w.last+maxPollPerTick)
		for h := w.last + 1; h <= limit; h++ {
			b, err := w.rpc.block(ctx, w.endpoint, h)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			w.sink(b, time.Now())
			w.last = h
		}
	}
}

// errWatch marks a watcher that could not start.
var errWatch = errors.New("cannot watch blocks")
