package main

import (
	"errors"
	"fmt"

	dbm "github.com/cometbft/cometbft-db"
	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/blockstore"
	"github.com/ballot-bft/ballot/node"
	"github.com/ballot-bft/ballot/state"
	"github.com/ballot-bft/ballot/state/indexer"
)

// newReindexEventCmd is `ballot reindex-event`: index stored blocks' events again (the node must be
// stopped), as `cometbft reindex-event` does.
func newReindexEventCmd(e *env) *cobra.Command {
	var start, end int64
	cmd := &cobra.Command{
		Use:     "reindex-event",
		Aliases: []string{"reindex_event"},
		Short:   "Index the events of stored blocks again (the node must be stopped)",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if e.cfg.TxIndex.Indexer == "null" {
				return errors.New("no event indexer is configured (tx_index.indexer = \"null\"): nothing to reindex")
			}
			txs, blocks, closeIndex, err := node.OpenIndexers(e.cfg)
			if err != nil {
				return err
			}
			if closeIndex != nil {
				defer closeIndex()
			}
			open := func(name string) (dbm.DB, error) {
				return dbm.NewDB(name, dbm.BackendType(e.cfg.DBBackend), e.cfg.DBDir())
			}
			blockDB, err := open("blockstore")
			if err != nil {
				return fmt.Errorf("opening the block store: %w", err)
			}
			bs, err := blockstore.New(blockDB)
			if err != nil {
				blockDB.Close()
				return err
			}
			defer bs.Close()
			stateDB, err := open("state")
			if err != nil {
				return fmt.Errorf("opening the state store: %w", err)
			}
			ss := state.NewStore(stateDB, state.StoreOptions{DiscardABCIResponses: e.cfg.Storage.DiscardABCIResponses})
			defer ss.Close()

			from, to, err := indexer.ResolveRange(bs.Base(), bs.Height(), start, end)
			if err != nil {
				return err
			}
			if err := indexer.Reindex(cmd.Context(), from, to, bs, ss, txs, blocks); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "event re-index finished: heights %d to %d\n", from, to)
			return nil
		},
	}
	cmd.Flags().Int64Var(&start, "start-height", 0, "the first height to index (0: the block store's base)")
	cmd.Flags().Int64Var(&end, "end-height", 0, "the last height to index (0: the block store's height)")
	return cmd
}
