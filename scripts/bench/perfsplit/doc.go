// Command perfsplit reads `perf script -F comm,pid,ip,sym` output (call-graph samples of
// ballot or CometBFT nodes, as BENCH_PERF=1 records them) and splits the samples into what the
// node was doing: each sample goes to the first category, in the order of the table below,
// that one of its frames matches. With --summary (a ballot-load JSON summary of the same run)
// it also turns the shares into µs of node CPU per committed transaction. It then lists the
// functions that allocate, by the samples spent in the allocator under them.
//
//	perf script -i ballot-step-perf.data -F comm,pid,ip,sym | go run ./scripts/bench/perfsplit --summary ballot-step.json
package main
