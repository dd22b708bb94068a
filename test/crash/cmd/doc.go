// Command cmd runs the crash-point matrix of test/crash against a freshly built ballot binary:
// every crash point at every hit count of -counts, the torn-WAL scenario and the
// crash-while-recovering scenarios, and prints one line per scenario and the failures.
//
//	go run ./test/crash/cmd [-points REGEXP] [-counts 1,2,3,4,5,6] [-torn 7] [-recovery=true]
//	                        [-seed N] [-parallel 2] [-dir DIR] [-keep] [-progress 3] [-timeout 30s] [-txs 3]
//
// It exits with status 1 if any scenario failed; their homes and logs are kept (all are with
// -keep).
package main
