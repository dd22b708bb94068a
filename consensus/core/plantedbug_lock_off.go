//go:build !ballot_plantedbug_lock

package core

// plantedBugIgnoreLock is false: the lock is honoured (see plantedbug_lock.go for the planted
// bug of the simulator's negative controls).
const plantedBugIgnoreLock = false
