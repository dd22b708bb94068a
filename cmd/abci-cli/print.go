package main

import (
	"encoding/hex"
	"fmt"
	"strings"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	cryptoproto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

// result is what one printed response shows.
type result struct {
	Data   []byte
	Code   uint32
	Log    string
	Status int32

	Query *queryResult
}

type queryResult struct {
	Key      []byte
	Value    []byte
	Height   int64
	ProofOps *cryptoproto.ProofOps
}

// printResults prints results in CometBFT's abci-cli format. command decides the special
// cases: finalize_block prints data as hex only, process_proposal prints the status.
func (c *cli) printResults(command string, args []string, results ...result) {
	if c.verbose {
		c.printf("> %s %s\n", command, strings.Join(args, " "))
	}
	for _, r := range results {
		if r.Code == 0 {
			c.printf("-> code: OK\n")
		} else {
			c.printf("-> code: %d\n", r.Code)
		}
		if len(r.Data) != 0 {
			if command != "finalize_block" {
				c.printf("-> data: %s\n", r.Data)
			}
			c.printf("-> data.hex: 0x%X\n", r.Data)
		}
		if r.Log != "" {
			c.printf("-> log: %s\n", r.Log)
		}
		if command == "process_proposal" {
			c.printf("-> status: %s\n", abci.ResponseProcessProposal_ProposalStatus_name[r.Status])
		}
		if q := r.Query; q != nil {
			c.printf("-> height: %d\n", q.Height)
			if q.Key != nil {
				c.printf("-> key: %s\n", q.Key)
				c.printf("-> key.hex: %X\n", q.Key)
			}
			if q.Value != nil {
				c.printf("-> value: %s\n", q.Value)
				c.printf("-> value.hex: %X\n", q.Value)
			}
			if q.ProofOps != nil {
				c.printf("-> proof: %#v\n", q.ProofOps)
			}
		}
	}
}

// argBytes decodes a command argument: 0x-prefixed hex, or a string in double quotes.
func argBytes(s string) ([]byte, error) {
	if len(s) > 2 && strings.EqualFold(s[:2], "0x") {
		b, err := hex.DecodeString(s[2:])
		if err != nil {
			return nil, fmt.Errorf("error decoding hex argument: %s", err.Error())
		}
		return b, nil
	}
	if len(s) < 2 || !strings.HasPrefix(s, `"`) || !strings.HasSuffix(s, `"`) {
		return nil, fmt.Errorf(`invalid string arg: "%s". Must be quoted or a "0x"-prefixed hex string`, s)
	}
	return []byte(s[1 : len(s)-1]), nil
}
