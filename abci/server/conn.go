package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ballot-bft/ballot/abci/types"
	"github.com/ballot-bft/ballot/libs/protoio"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// bufferSize is the size of a connection's read and write buffers.
const bufferSize = 4096

// errRequestFailed marks a connection closed after an exception response.
var errRequestFailed = errors.New("request failed")

// serveStream reads requests from r and writes responses to w until r ends cleanly between two
// requests (nil), an I/O error occurs (that error), or a request fails; then it writes an
// exception response, flushes, and returns an error wrapping errRequestFailed. It calls app with
// ctx, one request at a time.
func serveStream(ctx context.Context, app types.Application, r io.Reader, w io.Writer) error {
	reader := protoio.NewDelimitedReader(r, MaxMessageSize)
	buf := bufio.NewWriterSize(w, bufferSize)
	writer := protoio.NewDelimitedWriter(buf)
	for {
		req := &abci.Request{}
		_, err := reader.ReadMsg(req)
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, protoio.ErrMalformedMessage),
			errors.Is(err, protoio.ErrMalformedLength),
			errors.Is(err, protoio.ErrFrameTooLarge):
			return writeException(writer, buf, fmt.Errorf("malformed request: %w", err))
		default:
			return fmt.Errorf("reading request: %w", err)
		}

		res, err := handle(ctx, app, req)
		if err != nil {
			return writeException(writer, buf, err)
		}
		if _, err := writer.WriteMsg(res); err != nil {
			return err
		}
		if _, isFlush := req.Value.(*abci.Request_Flush); isFlush {
			if err := buf.Flush(); err != nil {
				return fmt.Errorf("flushing responses: %w", err)
			}
		}
	}
}

// writeException answers the failed request with an exception carrying cause, pushes every
// buffered response out, and returns cause marked with errRequestFailed.
func writeException(writer *protoio.Writer, buf *bufio.Writer, cause error) error {
	ex := &abci.Response{Value: &abci.Response_Exception{Exception: &abci.ResponseException{Error: cause.Error()}}}
	if _, err := writer.WriteMsg(ex); err != nil {
		return fmt.Errorf("%w: %w (and writing the exception: %w)", errRequestFailed, cause, err)
	}
	if err := buf.Flush(); err != nil {
		return fmt.Errorf("%w: %w (and flushing the exception: %w)", errRequestFailed, cause, err)
	}
	return fmt.Errorf("%w: %w", errRequestFailed, cause)
}
