package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/ballot-bft/ballot/libs/protoio"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// bufferSize is the size of the client's write and read buffers (CometBFT writes through a 4 KiB
// bufio.Writer).
const bufferSize = 4096

// Run dials the app and serves the connection; see Client.Run. Dialing honours ctx: a
// cancellation while waiting to retry makes Run return nil.
func (c *SocketClient) Run(ctx context.Context) error {
	if !c.started.CompareAndSwap(false, true) {
		return ErrAlreadyStarted
	}
	conn, err := c.dial(ctx)
	if err != nil {
		if ctx.Err() != nil {
			c.fail(ErrClientClosed)
			return nil
		}
		c.fail(err)
		return c.Error()
	}
	c.opts.logger.Debug("abci connection established", "conn", c.opts.name, "addr", c.addr)
	close(c.connected)

	errs := make(chan error, 2)
	go func() {
		errs <- c.readLoop(protoio.NewDelimitedReader(bufio.NewReaderSize(conn, bufferSize), MaxMessageSize))
	}()
	go func() { errs <- c.writeLoop(conn) }()

	var runErr error
	select {
	case <-ctx.Done():
		c.fail(ErrClientClosed)
	case err := <-errs:
		errs <- nil // keep the count of pending results at two
		if ctx.Err() != nil {
			c.fail(ErrClientClosed) // the connection died as we were shutting down anyway
			break
		}
		c.fail(err)
		runErr = c.Error()
	}
	// Unblock a reader or writer stuck in I/O, then wait for both.
	closeErr := conn.Close()
	<-errs
	<-errs
	if runErr != nil {
		c.opts.logger.Debug("abci connection failed", "conn", c.opts.name, "err", runErr)
		return runErr
	}
	if closeErr != nil {
		c.opts.logger.Debug("closing abci connection", "conn", c.opts.name, "err", closeErr)
	}
	return nil
}

// dial connects to the app, retrying until ctx ends unless mustConnect is set.
func (c *SocketClient) dial(ctx context.Context) (net.Conn, error) {
	var lastInfo time.Time
	for attempt := 1; ; attempt++ {
		conn, err := c.opts.dial(ctx, c.network, c.address)
		if err == nil {
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if c.mustConnect {
			return nil, fmt.Errorf("dialing %s: %w", c.addr, err)
		}
		keyvals := []any{"conn", c.opts.name, "addr", c.addr, "attempt", attempt, "err", err, "retry_in", c.opts.retryInterval}
		if now := time.Now(); lastInfo.IsZero() || now.Sub(lastInfo) >= retryLogEvery {
			c.opts.logger.Info("abci application not reachable, retrying", keyvals...)
			lastInfo = now
		} else {
			c.opts.logger.Debug("abci application not reachable, retrying", keyvals...)
		}
		timer := time.NewTimer(c.opts.retryInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// writeLoop owns the connection's write side: it takes queued requests in order, moves them to the
// unanswered list before writing them, and flushes the buffer after each Flush request. It
// returns nil once the client is stopped, or the write error that must stop it.
func (c *SocketClient) writeLoop(conn net.Conn) error {
	buf := bufio.NewWriterSize(conn, bufferSize)
	w := protoio.NewDelimitedWriter(buf)
	unflushed := false // requests other than Flush written since the last Flush
	for {
		c.mtx.Lock()
		if c.err != nil {
			c.mtx.Unlock()
			return nil
		}
		batch := c.queue
		c.queue = nil
		if len(batch) == 0 && unflushed {
			batch = []*ReqRes{newReqRes(flushRequest(), nil)} // holds no queue slot
		} else {
			c.release(len(batch))
		}
		c.sent = append(c.sent, batch...)
		c.mtx.Unlock()

		if len(batch) == 0 {
			select {
			case <-c.wake:
				continue
			case <-c.stopped:
				return nil
			}
		}
		for _, rr := range batch {
			if _, err := w.WriteMsg(rr.Request); err != nil {
				return fmt.Errorf("writing request %s: %w", requestName(rr.Request), err)
			}
			if _, isFlush := rr.Request.Value.(*abci.Request_Flush); !isFlush {
				unflushed = true
				continue
			}
			if err := buf.Flush(); err != nil {
				return fmt.Errorf("flushing requests: %w", err)
			}
			unflushed = false
		}
	}
}

// readLoop owns the connection's read side: it matches each response to the oldest unanswered
// request and completes it, in order. It returns the error that must stop the client.
func (c *SocketClient) readLoop(r *protoio.Reader) error {
	for {
		res := &abci.Response{}
		if _, err := r.ReadMsg(res); err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("reading response: app closed the connection: %w", err)
			}
			return fmt.Errorf("reading response: %w", err)
		}
		c.mtx.Lock()
		var oldest *ReqRes
		if len(c.sent) > 0 {
			oldest = c.sent[0]
		}
		var err error
		switch {
		case oldest == nil:
			err = errUnanswered(nil, res)
		case res.GetException() != nil:
			err = &ExceptionError{Message: res.GetException().Error}
		case !answers(oldest.Request, res):
			err = errUnanswered(oldest.Request, res)
		default:
			c.sent[0] = nil
			c.sent = c.sent[1:]
		}
		c.mtx.Unlock()
		if err != nil {
			return err // fail completes oldest and the rest with the named error
		}
		oldest.complete(res, nil)
	}
}
