package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/abci/client"
	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
	cryptoproto "github.com/ballot-bft/ballot/proto/tendermint/crypto"
)

func (c *cli) testCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "test",
		Short: "run integration tests",
		Long: "run integration tests: a fixed sequence of calls against a freshly started kvstore " +
			"(ballot's or CometBFT's), printing \"Passed test: <call>\" for each step; stops at the first failure",
		Args: cobra.ExactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			conn, err := c.client()
			if err != nil {
				return err
			}
			return c.selfTest(cmd.Context(), conn)
		},
	}
}

// kvstoreAppHash is the kvstore's app hash after n transactions (zig-zag varint of n, 8 bytes).
func kvstoreAppHash(n byte) []byte { return []byte{2 * n, 0, 0, 0, 0, 0, 0, 0} }

// selfTest runs the test sequence. Expected results are those of a fresh kvstore.
func (c *cli) selfTest(ctx context.Context, conn client.Client) error {
	steps := []struct {
		name string
		run  func() error
	}{
		{"InitChain", func() error {
			vals := make([]abci.ValidatorUpdate, 10)
			for i := range vals {
				pub := sha256.Sum256(fmt.Appendf(nil, "abci-cli test validator %d", i))
				vals[i] = abci.ValidatorUpdate{
					PubKey: cryptoproto.PublicKey{Sum: &cryptoproto.PublicKey_Ed25519{Ed25519: pub[:]}},
					Power:  int64(i + 1),
				}
			}
			_, err := conn.InitChain(ctx, &abci.RequestInitChain{Validators: vals})
			return err
		}},
		{"Commit", c.commitStep(ctx, conn)},
		{"FinalizeBlock", c.finalizeStep(ctx, conn, []string{"abc=def"}, kvstoreAppHash(1))},
		{"Commit", c.commitStep(ctx, conn)},
		{"FinalizeBlock", c.finalizeStep(ctx, conn, []string{"x=1", "y=2", "abc=ghi"}, kvstoreAppHash(4))},
		{"Commit", c.commitStep(ctx, conn)},
		{"CheckTx", c.checkTxStep(ctx, conn, "a=b", 0)},
		{"CheckTx", c.checkTxStep(ctx, conn, "abc", 2)},
		{"Query", func() error {
			res, err := conn.Query(ctx, &abci.RequestQuery{Data: []byte("abc")})
			if err != nil {
				return err
			}
			if res.Code != 0 || string(res.Value) != "ghi" {
				return fmt.Errorf("query abc: code %d value %q, want code 0 value \"ghi\"", res.Code, res.Value)
			}
			return nil
		}},
		{"PrepareProposal", func() error {
			res, err := conn.PrepareProposal(ctx, &abci.RequestPrepareProposal{
				Txs: [][]byte{[]byte("p:q"), []byte("invalid"), []byte("r=s")}, MaxTxBytes: 65536})
			if err != nil {
				return err
			}
			want := [][]byte{[]byte("p=q"), []byte("r=s")}
			if len(res.Txs) != len(want) || !bytes.Equal(res.Txs[0], want[0]) || !bytes.Equal(res.Txs[1], want[1]) {
				return fmt.Errorf("PrepareProposal returned %q, want %q", res.Txs, want)
			}
			return nil
		}},
		{"ProcessProposal", c.processStep(ctx, conn, []string{"p=q"}, abci.ResponseProcessProposal_ACCEPT)},
		{"ProcessProposal", c.processStep(ctx, conn, []string{"invalid"}, abci.ResponseProcessProposal_REJECT)},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			c.printf("Failed test: %s\n", s.name)
			c.printf("%v\n", err)
			return fmt.Errorf("%s: %w", s.name, err)
		}
		c.printf("Passed test: %s\n", s.name)
	}
	return nil
}

func (c *cli) commitStep(ctx context.Context, conn client.Client) func() error {
	return func() error {
		_, err := conn.Commit(ctx, &abci.RequestCommit{})
		return err
	}
}

func (c *cli) finalizeStep(ctx context.Context, conn client.Client, txs []string, appHash []byte) func() error {
	return func() error {
		req := &abci.RequestFinalizeBlock{}
		for _, tx := range txs {
			req.Txs = append(req.Txs, []byte(tx))
		}
		res, err := conn.FinalizeBlock(ctx, req)
		if err != nil {
			return err
		}
		if len(res.TxResults) != len(txs) {
			return fmt.Errorf("%d results for %d transactions", len(res.TxResults), len(txs))
		}
		for i, r := range res.TxResults {
			if r.Code != 0 {
				return fmt.Errorf("tx %q: code %d, want 0 (log %q)", txs[i], r.Code, r.Log)
			}
		}
		if !bytes.Equal(res.AppHash, appHash) {
			return fmt.Errorf("application hash was unexpected: got %X expected %X", res.AppHash, appHash)
		}
		return nil
	}
}

func (c *cli) checkTxStep(ctx context.Context, conn client.Client, tx string, code uint32) func() error {
	return func() error {
		res, err := conn.CheckTx(ctx, &abci.RequestCheckTx{Tx: []byte(tx)})
		if err != nil {
			return err
		}
		if res.Code != code {
			return fmt.Errorf("CheckTx %q: code %d, want %d (log %q)", tx, res.Code, code, res.Log)
		}
		return nil
	}
}

func (c *cli) processStep(ctx context.Context, conn client.Client, txs []string, want abci.ResponseProcessProposal_ProposalStatus) func() error {
	return func() error {
		req := &abci.RequestProcessProposal{}
		for _, tx := range txs {
			req.Txs = append(req.Txs, []byte(tx))
		}
		res, err := conn.ProcessProposal(ctx, req)
		if err != nil {
			return err
		}
		if res.Status != want {
			return errors.New("ProcessProposal status " + res.Status.String() + ", want " + want.String())
		}
		return nil
	}
}
