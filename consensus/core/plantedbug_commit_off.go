//go:build !ballot_plantedbug_commit

package core

import "github.com/ballot-bft/ballot/types"

// precommitWeights returns the set whose voting powers weigh the precommits: the validators
// themselves (see plantedbug_commit.go for the planted bug of the simulator's negative
// controls).
func precommitWeights(vals *types.ValidatorSet) *types.ValidatorSet { return vals }
