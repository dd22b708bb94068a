// Command cmd runs the ABCI app conformance harness (package appconformance) against one or
// two running socket applications:
//
//	go run ./test/appconformance/cmd -app1 tcp://127.0.0.1:26658 -app2 tcp://127.0.0.1:26659 -heights 100 -seed 7
//
// Both apps must start without state. It prints one line per height (-v) and a PASS summary,
// or "FAIL seed=N: <rule>" and exits with status 1. -restart-exec runs a shell command for
// each app during the half-way restart (APP_INDEX and APP_ADDR in its environment), e.g. to
// restart the app process from its database.
package main
