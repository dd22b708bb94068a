package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/abci/client"
	"github.com/ballot-bft/ballot/abci/example/kvstore"
	"github.com/ballot-bft/ballot/abci/server"
)

func (c *cli) kvstoreCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kvstore",
		Short: "ABCI demo example",
		Long: "ABCI demo example: serves ballot's kvstore application on --address until interrupted. " +
			"See the abci/example/kvstore package for its transactions.",
		Args: cobra.ExactArgs(0),
		RunE: c.runKVStore,
	}
	f := cmd.PersistentFlags()
	f.StringVar(&c.persist, "persist", "", "directory to use for a database")
	f.StringVar(&c.addrAlias, "addr", "", "alias of --address")
	_ = f.MarkHidden("addr")
	f.Uint64Var(&c.snapshotInterval, "snapshot-interval", 0, "take a state-sync snapshot every N heights (0: none)")
	f.IntVar(&c.snapshotKeepRecent, "snapshot-keep-recent", 2, "number of snapshots to keep")
	f.IntVar(&c.snapshotChunkSize, "snapshot-chunk-size", 64<<10, "snapshot chunk size in bytes")
	f.Int64Var(&c.retainBlocks, "retain-blocks", 0, "ask the node to keep only the last N blocks (0: all)")
	return cmd
}

// runKVStore serves the kvstore until the command's context ends (SIGINT or SIGTERM).
func (c *cli) runKVStore(cmd *cobra.Command, _ []string) error {
	if c.abci != client.TransportSocket {
		return fmt.Errorf("kvstore: transport %q is not supported (use %q)", c.abci, client.TransportSocket)
	}
	logger, err := c.log()
	if err != nil {
		return err
	}
	addr := c.address
	if c.addrAlias != "" {
		addr = c.addrAlias
	}
	dir := c.persist
	if dir == "" {
		if dir, err = os.MkdirTemp("", "persistent_kvstore_tmp"); err != nil {
			return err
		}
	}
	app, err := kvstore.NewPersistentApplication(dir, kvstore.Options{
		Logger:             logger.With("module", "kvstore"),
		SnapshotInterval:   c.snapshotInterval,
		SnapshotKeepRecent: c.snapshotKeepRecent,
		SnapshotChunkSize:  c.snapshotChunkSize,
		RetainBlocks:       c.retainBlocks,
	})
	if err != nil {
		return err
	}
	defer app.Close()

	srv, err := server.NewSocketServer(addr, app, logger.With("module", "abci-server"))
	if err != nil {
		return err
	}
	ln, err := server.Listen(addr)
	if err != nil {
		return err
	}
	logger.Info("serving the kvstore", "module", "abci-server", "addr", ln.Addr().String(), "db", dir)
	if c.onListen != nil {
		c.onListen(ln.Addr())
	}
	return srv.Serve(cmd.Context(), ln)
}
