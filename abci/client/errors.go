package client

import "errors"

// ErrClientClosed is the error of calls made after Run returned because its context ended.
var ErrClientClosed = errors.New("abci client closed")

// ErrAlreadyStarted is returned by a second call of Run.
var ErrAlreadyStarted = errors.New("abci client already started")

// ErrUnexpectedResponse means the app sent a response whose type does not match the oldest
// outstanding request, or a response when none was outstanding.
var ErrUnexpectedResponse = errors.New("unexpected response")

// ErrNilResponse means an in-process Application returned neither a response nor an error.
var ErrNilResponse = errors.New("app returned a nil response")

// ExceptionError is the application's failure to process a request: a Response.exception on a
// socket, or an error returned by an in-process Application (then available through Unwrap).
type ExceptionError struct {
	Message string
	Err     error // the Application's own error, for a LocalClient; nil on a socket
}

func (e *ExceptionError) Error() string { return "app returned exception: " + e.Message }

// Unwrap returns the Application's error, if any.
func (e *ExceptionError) Unwrap() error { return e.Err }
