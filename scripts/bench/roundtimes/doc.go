// Command roundtimes watches the consensus events of CometBFT-compatible nodes over their
// websockets (NewRound, NewRoundStep, CompleteProposal, Vote, NewBlockEvents) and reports, per
// node, where each height's time goes: the wait before proposing, the proposal and its block
// arriving, the node's own prevote, +2/3 prevotes, its precommit, +2/3 precommits, the commit
// step, and applying the block until the next height starts. Each event is timed when it
// arrives here, so every figure includes the node's event bus and websocket delay (a few ms);
// the differences between consecutive events are what the report shows.
//
//	go run ./scripts/bench/roundtimes --endpoints http://127.0.0.1:32201 --duration 60s --json out.json
//
// It stops after --duration or on SIGINT/SIGTERM and prints, for heights decided in round 0,
// the phases' p50/p90/max and their growth per transaction (least squares over heights), and
// the heights that needed more rounds.
package main
