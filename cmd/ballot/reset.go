package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/privval"
)

func newUnsafeResetAllCmd(e *env) *cobra.Command {
	var keepAddrBook bool
	cmd := &cobra.Command{
		Use:     "unsafe-reset-all",
		Aliases: []string{"unsafe_reset_all"},
		Short:   "(unsafe) Remove all blockchain data and the address book, and reset the validator's sign state",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return resetAll(e.cfg, keepAddrBook, e.logger)
		},
	}
	cmd.Flags().BoolVar(&keepAddrBook, "keep-addr-book", false, "keep the address book intact")
	return cmd
}

func newResetStateCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "reset-state",
		Aliases: []string{"reset_state"},
		Short:   "Remove the blockchain databases and WAL, keeping keys, sign state and address book",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return resetState(e.cfg.DBDir(), e.logger)
		},
	}
}

func newUnsafeResetPrivValidatorCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:     "unsafe-reset-priv-validator",
		Aliases: []string{"unsafe_reset_priv_validator"},
		Short:   "(unsafe) Reset the validator's last sign state (or generate a key if there is none)",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return resetPrivValidator(e.cfg, e.logger)
		},
	}
}

// resetAll removes the address book (unless kept) and the whole database directory, recreates it
// empty, and resets the validator's sign state.
func resetAll(cfg *config.Config, keepAddrBook bool, logger log.Logger) error {
	if keepAddrBook {
		logger.Info("The address book remains intact")
	} else if err := removeIfExists(cfg.P2P.AddrBookFile()); err != nil {
		return err
	} else {
		logger.Info("Removed the address book", "file", cfg.P2P.AddrBookFile())
	}
	dbDir := cfg.DBDir()
	if err := os.RemoveAll(dbDir); err != nil {
		return fmt.Errorf("removing %s: %w", dbDir, err)
	}
	logger.Info("Removed all blockchain history", "dir", dbDir)
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return fmt.Errorf("recreating %s: %w", dbDir, err)
	}
	return resetPrivValidator(cfg, logger)
}

// stateDatabases are what reset-state removes from the database directory.
var stateDatabases = []string{"blockstore.db", "state.db", "cs.wal", "evidence.db", "tx_index.db"}

func resetState(dbDir string, logger log.Logger) error {
	for _, name := range stateDatabases {
		path := filepath.Join(dbDir, name)
		exists, err := fileExists(path)
		if err != nil {
			return err
		}
		if !exists {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			return fmt.Errorf("removing %s: %w", path, err)
		}
		logger.Info("Removed", "path", path)
	}
	return nil
}

func resetPrivValidator(cfg *config.Config, logger log.Logger) error {
	keyFile, stateFile := cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()
	exists, err := fileExists(keyFile)
	if err != nil {
		return err
	}
	if !exists {
		pv := privval.GenFilePV(keyFile, stateFile)
		if err := pv.Save(); err != nil {
			return err
		}
		logger.Info("Generated private validator file", "keyFile", keyFile, "stateFile", stateFile)
		return nil
	}
	pv, err := privval.LoadFilePVEmptyState(keyFile, stateFile)
	if err != nil {
		return err
	}
	if err := pv.Reset(); err != nil {
		return err
	}
	logger.Info("Reset private validator file to genesis state", "keyFile", keyFile, "stateFile", stateFile)
	return nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}
