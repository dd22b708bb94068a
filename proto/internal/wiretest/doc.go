// Package wiretest checks the generated tendermint.* wire types against the
// byte vectors of the fact sheets (captured from CometBFT v0.38.26) and fuzzes
// their decoders. It has no API: everything is in its _test.go files.
//
// Each vector test decodes the captured bytes, checks the fields that matter,
// and re-encodes them to the identical bytes. The fuzz target feeds arbitrary
// bytes to every outside-facing decoder and requires that a successful decode
// re-encodes, and that re-encoding is stable.
package wiretest
