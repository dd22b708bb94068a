// Command cmd runs one fault-test profile of test/jepsen against a freshly built ballot
// binary and prints the run's one-screen summary; the report folder holds the rest.
//
//	go run ./test/jepsen/cmd -profile kill9 [-validators 4 -full 1] [-duration 10m] [-seed N]
//	                         [-dir DIR] [-keep] [-bin PATH] [-reads tx|query] [-check-timeout 5m]
//
// Profiles: quick, restarts, kill9, crash-all, partitions (see docs/fault-tests.md). It exits
// with status 1 when a check failed (the run's homes and logs are then kept), 2 when the run
// could not be carried out.
package main
