// Package e2e runs networks of real ballot processes on loopback and checks what a chain of
// several validators must do end to end: validator-set changes from the application taking effect
// two heights later on every node, and a validator that signs two different votes ending up in a
// block as evidence, handed to the application as misbehavior.
//
// The tests build the ballot binary once (TestMain), write the homes with `ballot testnet
// --local`, and follow each node through its log: a test waits for "committed block" lines, never
// by sleeping or polling. Every wait has a bound; a node's whole log is printed when a test fails.
// The equivocating validator is played by an injector that joins the network as a peer (ballot's
// own p2p stack) and sends a second, conflicting prevote signed with that validator's key.
package e2e
