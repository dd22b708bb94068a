package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/version"

	abci "github.com/ballot-bft/ballot/proto/tendermint/abci"
)

// callFunc runs one ABCI command; name is the command as typed (it selects printing rules).
type callFunc func(ctx context.Context, name string, args []string) error

// calls are the commands that send one ABCI call, shared by the command line and the console.
func (c *cli) calls() map[string]callFunc {
	return map[string]callFunc{
		"echo":             c.echo,
		"info":             c.info,
		"check_tx":         c.checkTx,
		"finalize_block":   c.finalizeBlock,
		"commit":           c.commit,
		"query":            c.query,
		"prepare_proposal": c.prepareProposal,
		"process_proposal": c.processProposal,
	}
}

// callCommands lists the call commands in the order CometBFT's help for the console gives.
var callCommands = []struct{ use, short string }{
	{"echo", "have the application echo a message"},
	{"check_tx", "validate a transaction"},
	{"commit", "commit the application state and return the Merkle root hash"},
	{"finalize_block", "deliver a block of transactions to the application"},
	{"info", "get some info about the application"},
	{"query", "query the application state"},
	{"prepare_proposal", "prepare proposal"},
	{"process_proposal", "process proposal"},
}

func (c *cli) addCommands() {
	calls := c.calls()
	argRules := map[string]cobra.PositionalArgs{
		"echo":             cobra.ExactArgs(1),
		"info":             cobra.ExactArgs(0),
		"check_tx":         cobra.ExactArgs(1),
		"finalize_block":   cobra.MinimumNArgs(1),
		"commit":           cobra.ExactArgs(0),
		"query":            cobra.ExactArgs(1),
		"prepare_proposal": cobra.MinimumNArgs(0),
		"process_proposal": cobra.MinimumNArgs(0),
	}
	for _, cc := range callCommands {
		call := calls[cc.use]
		cmd := &cobra.Command{
			Use:   cc.use,
			Short: cc.short,
			Long:  cc.short,
			Args:  argRules[cc.use],
			RunE: func(cmd *cobra.Command, args []string) error {
				return call(cmd.Context(), cmd.Use, args)
			},
		}
		if cc.use == "query" {
			cmd.PersistentFlags().StringVar(&c.path, "path", "/store", "path to prefix query with")
			cmd.PersistentFlags().Int64Var(&c.height, "height", 0, "height to query the blockchain at")
			cmd.PersistentFlags().BoolVar(&c.prove, "prove", false, "whether or not to return a merkle proof of the query result")
		}
		c.root.AddCommand(cmd)
	}
	c.root.AddCommand(c.consoleCommand(), c.batchCommand(), c.kvstoreCommand(), c.testCommand(), &cobra.Command{
		Use:   "version",
		Short: "print ABCI console version",
		Long:  "print ABCI console version",
		Args:  cobra.ExactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			c.printf("%s\n", version.ABCI)
			return nil
		},
	})
}

func (c *cli) echo(ctx context.Context, name string, args []string) error {
	msg := ""
	if len(args) > 0 {
		msg = args[0]
	}
	conn, err := c.client()
	if err != nil {
		return err
	}
	res, err := conn.Echo(ctx, msg)
	if err != nil {
		return err
	}
	c.printResults(name, args, result{Data: []byte(res.Message)})
	return nil
}

func (c *cli) info(ctx context.Context, name string, args []string) error {
	req := &abci.RequestInfo{}
	if len(args) == 1 {
		req.Version = args[0]
	}
	conn, err := c.client()
	if err != nil {
		return err
	}
	res, err := conn.Info(ctx, req)
	if err != nil {
		return err
	}
	c.printResults(name, args, result{Data: []byte(res.Data)})
	return nil
}

// txArgs decodes every argument as a transaction.
func txArgs(args []string) ([][]byte, error) {
	txs := make([][]byte, len(args))
	for i, a := range args {
		b, err := argBytes(a)
		if err != nil {
			return nil, err
		}
		txs[i] = b
	}
	return txs, nil
}

func (c *cli) finalizeBlock(ctx context.Context, name string, args []string) error {
	if len(args) == 0 {
		c.printResults(name, args, result{Code: codeBad, Log: "Must provide at least one transaction"})
		return nil
	}
	txs, err := txArgs(args)
	if err != nil {
		return err
	}
	conn, err := c.client()
	if err != nil {
		return err
	}
	res, err := conn.FinalizeBlock(ctx, &abci.RequestFinalizeBlock{Txs: txs})
	if err != nil {
		return err
	}
	results := make([]result, 0, len(res.TxResults)+1)
	for _, r := range res.TxResults {
		results = append(results, result{Code: r.Code, Data: r.Data, Log: r.Log})
	}
	results = append(results, result{Data: res.AppHash})
	c.printResults(name, args, results...)
	return nil
}

func (c *cli) checkTx(ctx context.Context, name string, args []string) error {
	if len(args) == 0 {
		c.printResults(name, args, result{Code: codeBad}) // CometBFT sets info "want the tx", never printed
		return nil
	}
	tx, err := argBytes(args[0])
	if err != nil {
		return err
	}
	conn, err := c.client()
	if err != nil {
		return err
	}
	res, err := conn.CheckTx(ctx, &abci.RequestCheckTx{Tx: tx})
	if err != nil {
		return err
	}
	c.printResults(name, args, result{Code: res.Code, Data: res.Data, Log: res.Log})
	return nil
}

func (c *cli) commit(ctx context.Context, name string, args []string) error {
	conn, err := c.client()
	if err != nil {
		return err
	}
	if _, err := conn.Commit(ctx, &abci.RequestCommit{}); err != nil {
		return err
	}
	c.printResults(name, args, result{})
	return nil
}

func (c *cli) query(ctx context.Context, name string, args []string) error {
	if len(args) == 0 {
		c.printResults(name, args, result{Code: codeBad})
		return nil
	}
	data, err := argBytes(args[0])
	if err != nil {
		return err
	}
	conn, err := c.client()
	if err != nil {
		return err
	}
	res, err := conn.Query(ctx, &abci.RequestQuery{Data: data, Path: c.path, Height: c.height, Prove: c.prove})
	if err != nil {
		return err
	}
	c.printResults(name, args, result{
		Code: res.Code,
		Log:  res.Log,
		Query: &queryResult{
			Key:      res.Key,
			Value:    res.Value,
			Height:   res.Height,
			ProofOps: res.ProofOps,
		},
	})
	return nil
}

func (c *cli) prepareProposal(ctx context.Context, name string, args []string) error {
	txs, err := txArgs(args)
	if err != nil {
		return err
	}
	conn, err := c.client()
	if err != nil {
		return err
	}
	// As CometBFT's abci-cli: a limit large enough for any command-line block.
	res, err := conn.PrepareProposal(ctx, &abci.RequestPrepareProposal{Txs: txs, MaxTxBytes: 65536})
	if err != nil {
		return err
	}
	results := make([]result, 0, len(res.Txs))
	for _, tx := range res.Txs {
		results = append(results, result{Log: fmt.Sprintf("Succeeded. Tx: %s", tx)})
	}
	c.printResults(name, args, results...)
	return nil
}

func (c *cli) processProposal(ctx context.Context, name string, args []string) error {
	txs, err := txArgs(args)
	if err != nil {
		return err
	}
	conn, err := c.client()
	if err != nil {
		return err
	}
	res, err := conn.ProcessProposal(ctx, &abci.RequestProcessProposal{Txs: txs})
	if err != nil {
		return err
	}
	c.printResults(name, args, result{Status: int32(res.Status)})
	return nil
}
