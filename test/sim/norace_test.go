//go:build !race

package sim

// raceEnabled reports a -race build: the seed set shrinks to a smoke run (see seedSet).
const raceEnabled = false
