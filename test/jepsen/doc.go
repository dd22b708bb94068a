// Package jepsen tests a network of real ballot processes under faults, Jepsen-style: clients
// run register and set workloads through the RPC while a nemesis kills, pauses, restarts and
// partitions nodes, and afterwards the history is checked for linearizability (porcupine) and
// every node's chain and stores for forks, lost acknowledged transactions and app-hash
// disagreement.
//
// # The network and the fault layer
//
// NewCluster writes the homes with `ballot testnet` and rewrites every config.toml: loopback
// ports from a range nobody else uses (Ports, 27000–32000 by default, below the ephemeral ports), pex off, JSON logs,
// fast timeouts, and persistent peers that point at proxies: node i reaches node j only
// through the Proxy of Link{i, j}, a TCP relay that applies the Faults table to every chunk
// (Cut closes and refuses connections, Drop discards bytes silently, Delay holds them). No
// root is needed. Node processes are started, killed with SIGKILL, stopped with SIGTERM and
// paused with SIGSTOP/SIGCONT by the harness only (Node); every "committed block" log line of
// every run is kept with the time the harness read it, and the "starting consensus" height of
// each restart is compared with what the node acknowledged before (a lower one means an
// acknowledged block was lost).
//
// # Workloads and checks
//
// Workload clients are bound to nodes and run one operation at a time with
// broadcast_tx_commit: reads are get transactions (ReadTx) or, for the negative control,
// abci_query (ReadQuery); writes are key=value; compare-and-set is the kvstore's cas
// transaction; set adds write a fresh key each. An operation ends ok, fail (certainly not
// executed: refused by CheckTx or the mempool, or the connection was refused — the request is
// sent with POST so the HTTP client never resends it) or info (indeterminate: timeouts, cut
// connections).
//
// After the run everything is healed and the nodes must converge within the profile's bound.
// Then: the set is read on every node at one height (acknowledged adds must be present, failed
// ones absent, all nodes equal); the chains are read over the RPC and compared height by height
// (CheckChains); every transaction's executions are read from the chain (block and
// block_results) and confronted with the history (Resolve: a client's result must match
// block_results; an indeterminate operation becomes what the chain did; an execution a client
// did not see — CometBFT's mempool lets a transaction whose execution failed be proposed
// again — becomes an operation of its own); the register history is checked per key with
// porcupine, both resolved and as a black box; the nodes are stopped and their stores are
// inspected offline with test/crash (CheckDurable: each store's invariants, agreement across
// stores, every acknowledged transaction present); the recovery time after every fault is
// computed from the commit logs (ComputeRecovery).
//
// # Profiles and reports
//
// Profiles (ProfileByName): quick (every fault once, about a minute; TestQuickProfile runs it
// in `make test`), restarts (the restart framework: one, f, f+1, 2f+1 and all validators, the
// full nodes and all nodes, at once and staggered, kill -9 and SIGTERM), kill9 (ten minutes of
// kill -9), crash-all (fifty crashes of every node at once), partitions (ten minutes of
// rolling network faults) and negative-control (stale abci_query reads through a cut-off
// validator must be rejected; TestNegativeControl). Run writes a folder per run: summary.txt
// (one screen), summary.json, history.jsonl, history-checked.jsonl, nemesis.jsonl,
// linearizability.html (porcupine's visualization with the faults as annotations) and plot.svg
// (throughput and latency over time, faults shaded); a failing run also keeps the homes and
// node logs. `go run ./test/jepsen/cmd -profile NAME` runs one profile; docs/fault-tests.md
// describes them.
package jepsen
