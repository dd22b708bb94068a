package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/node"
	"github.com/ballot-bft/ballot/types"
)

func newStartCmd(e *env) *cobra.Command {
	var genesisHash, recordConsensus string
	cmd := &cobra.Command{
		Use:     "start",
		Aliases: []string{"node", "run"},
		Short:   "Run the ballot node",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if genesisHash != "" {
				if err := checkGenesisHash(e.cfg.GenesisFile(), genesisHash); err != nil {
					return err
				}
			}
			var opts []node.Option
			if recordConsensus != "" {
				opts = append(opts, node.WithConsensusRecord(recordConsensus))
			}
			n, err := node.New(e.cfg, e.rootLogger, opts...)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := n.Run(ctx); err != nil {
				return err
			}
			e.logger.Info("stopped")
			return nil
		},
	}
	f := cmd.Flags()
	// Flags named after config keys override config.toml (see applyConfigFlags).
	f.String("abci", "socket", "transport to the application: socket or grpc")
	f.Bool("consensus.create_empty_blocks", true, "make blocks even when there are no transactions")
	f.String("consensus.create_empty_blocks_interval", "0s", "the longest wait for transactions before an empty block")
	f.Int64("consensus.double_sign_check_height", 0, "how many past blocks to check for this validator's signature before signing")
	f.String("db_backend", "goleveldb", "database backend")
	f.String("db_dir", "data", "database directory")
	f.StringVar(&genesisHash, "genesis_hash", "", "the SHA-256 (hex) genesis.json must have")
	f.StringVar(&recordConsensus, "record-consensus", "", "record every input and action of the consensus machine to this file (replay it with ballot-sim inspect -replay)")
	f.String("moniker", "", "node name")
	f.String("p2p.external-address", "", "host:port advertised to peers")
	f.String("p2p.laddr", "tcp://0.0.0.0:26656", "address to listen on for peers")
	f.String("p2p.persistent_peers", "", "comma-separated ID@host:port peers to stay connected to")
	f.Bool("p2p.pex", true, "enable peer exchange")
	f.String("p2p.private_peer_ids", "", "comma-separated IDs of peers not to gossip")
	f.Bool("p2p.seed_mode", false, "run as a seed node")
	f.String("p2p.seeds", "", "comma-separated ID@host:port seed nodes")
	f.String("p2p.unconditional_peer_ids", "", "comma-separated IDs of peers allowed beyond the limits")
	f.String("priv_validator_laddr", "", "address to listen on for a remote signer")
	f.String("proxy_app", "tcp://127.0.0.1:26658", "application address, or the name of a built-in application (kvstore, persistent_kvstore, noop)")
	f.String("rpc.grpc_laddr", "", "address of the gRPC broadcast API")
	f.String("rpc.laddr", "tcp://127.0.0.1:26657", "address to listen on for RPC")
	f.String("rpc.pprof_laddr", "", "address to serve pprof on")
	f.Bool("rpc.unsafe", false, "enable the unsafe RPC routes")
	return cmd
}

// checkGenesisHash compares the SHA-256 of the genesis file's bytes with the --genesis_hash flag.
func checkGenesisHash(path, want string) error {
	wantBytes, err := hex.DecodeString(want)
	if err != nil {
		return fmt.Errorf("--genesis_hash=%s is not hex: %w", want, err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if got := types.GenesisHash(raw); !bytes.Equal(got, wantBytes) {
		return fmt.Errorf("--genesis_hash=%X does not match %s hash: %X", wantBytes, path, got)
	}
	return nil
}
