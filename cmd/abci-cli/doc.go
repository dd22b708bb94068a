// Command abci-cli is ballot's ABCI command-line tool, a drop-in for CometBFT v0.38's
// abci-cli: it serves ballot's kvstore example application on a socket and sends single ABCI
// calls to any running application.
//
//	abci-cli kvstore [--persist DIR] [--snapshot-interval N]   serve the kvstore on --address
//	abci-cli echo|info|check_tx|finalize_block|commit|query|prepare_proposal|process_proposal ARGS
//	abci-cli console                                           commands read from stdin, one a line
//	abci-cli batch                                             the same, without prompts
//	abci-cli test                                              self-test against a fresh kvstore
//	abci-cli version                                           the ABCI version
//
// Global flags, as CometBFT's: --address (default tcp://0.0.0.0:26658), --abci ("socket";
// "grpc" is refused), --log_level (default "debug"), -v/--verbose (echo each command as
// "> cmd args" before its results). query takes --path (default "/store"), --height and
// --prove; kvstore takes --persist (default: a new temporary directory).
//
// Arguments that are transactions, query data or echo messages are strings in double quotes
// ('"a=b"', quoted for the shell) or 0x-prefixed hex (0x613D62). Results print as CometBFT's
// do, one "-> field: value" line each: "-> code: OK" (or the number), "-> data:" and
// "-> data.hex: 0x…" when there is data (only the hex for finalize_block, whose last result is
// the app hash), "-> log:", "-> status:" for process_proposal, and for query "-> height:",
// "-> key:", "-> key.hex:", "-> value:", "-> value.hex:". On an error the command prints
// cobra's "Error: …" and usage to stderr and the error to stdout, and exits with status 1.
//
// Differences from CometBFT's abci-cli: log lines go to stderr (stdout holds only results);
// console and batch split each line into a command and its arguments (CometBFT's re-parse of
// its own flags drops the command when -v is given), and console ends with status 0 at the end
// of its input; test runs a sequence that passes against a fresh kvstore of either
// implementation (CometBFT's sends 33-byte ed25519 keys, which crash its own v0.38 kvstore);
// kvstore also accepts --snapshot-interval, --snapshot-keep-recent, --snapshot-chunk-size and
// --retain-blocks.
package main
