package core

import (
	"github.com/ballot-bft/ballot/crypto"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	rpctypes "github.com/ballot-bft/ballot/rpc/jsonrpc/types"
	"github.com/ballot-bft/ballot/version"
)

// ABCIInfo asks the application for its Info, with the same request the handshake sends.
func (env *Environment) ABCIInfo(ctx *rpctypes.Context) (*ResultABCIInfo, error) {
	res, err := env.AppQuery.Info(ctx.Context(), &abci.RequestInfo{
		Version:      version.CometBFT,
		BlockVersion: version.BlockProtocol,
		P2PVersion:   version.P2PProtocol,
		AbciVersion:  version.ABCI,
	})
	if err != nil {
		return nil, err
	}
	return &ResultABCIInfo{Response: *res}, nil
}

// ABCIQuery asks the application's Query with path, data, height (0: latest, passed as is) and
// prove. An application error is returned as the route's error.
func (env *Environment) ABCIQuery(ctx *rpctypes.Context, path string, data crypto.HexBytes, height int64, prove bool) (*ResultABCIQuery, error) {
	res, err := env.AppQuery.Query(ctx.Context(), &abci.RequestQuery{Path: path, Data: data, Height: height, Prove: prove})
	if err != nil {
		return nil, err
	}
	return &ResultABCIQuery{Response: *res}, nil
}
