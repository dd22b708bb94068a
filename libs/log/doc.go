// Package log is ballot's structured logger: key/value pairs, a "module" key per component, and
// per-module levels in CometBFT's log_level syntax ("info", or "consensus:debug,p2p:error,*:info").
//
// Loggers are injected: there is no global logger. A Logger is safe for concurrent use; the level
// check happens before anything is formatted, so disabled debug lines cost almost nothing.
package log
