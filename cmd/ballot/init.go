package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
	"github.com/ballot-bft/ballot/p2p"
	"github.com/ballot-bft/ballot/privval"
	"github.com/ballot-bft/ballot/types"
)

func newInitCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Initialize a validator: keys, genesis file and config (existing files are kept)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return initFiles(e.cfg, e.logger, time.Now)
		},
	}
}

// initFiles creates, only where missing, the validator key and sign state, the node key and a
// single-validator genesis file, logging whether each was found or generated. Existing files are
// loaded and validated, never replaced.
func initFiles(cfg *config.Config, logger log.Logger, now func() time.Time) error {
	pv, err := loadOrGenPrivValidator(cfg, logger)
	if err != nil {
		return err
	}
	if _, err := loadOrGenNodeKey(cfg, logger); err != nil {
		return err
	}

	genFile := cfg.GenesisFile()
	if exists, err := fileExists(genFile); err != nil {
		return err
	} else if exists {
		// Validate it now rather than leave a broken genesis for start to trip over.
		if _, err := types.GenesisDocFromFile(genFile); err != nil {
			return err
		}
		logger.Info("Found genesis file", "path", genFile)
		return nil
	}
	pubKey, err := pv.PubKey()
	if err != nil {
		return err
	}
	chainID, err := randomChainID("test-chain-")
	if err != nil {
		return err
	}
	params := types.DefaultConsensusParams()
	doc := &types.GenesisDoc{
		ChainID:         chainID,
		GenesisTime:     now().UTC(),
		ConsensusParams: params,
		Validators: []types.GenesisValidator{{
			Address: pubKey.Address(),
			PubKey:  pubKey,
			Power:   10,
		}},
	}
	if err := doc.SaveAs(genFile); err != nil {
		return err
	}
	logger.Info("Generated genesis file", "path", genFile)
	return nil
}

func loadOrGenPrivValidator(cfg *config.Config, logger log.Logger) (*privval.FilePV, error) {
	keyFile, stateFile := cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile()
	exists, err := fileExists(keyFile)
	if err != nil {
		return nil, err
	}
	if exists {
		pv, err := privval.LoadFilePV(keyFile, stateFile)
		if err != nil {
			return nil, err
		}
		logger.Info("Found private validator", "keyFile", keyFile, "stateFile", stateFile)
		return pv, nil
	}
	pv := privval.GenFilePV(keyFile, stateFile)
	if err := pv.Save(); err != nil {
		return nil, err
	}
	logger.Info("Generated private validator", "keyFile", keyFile, "stateFile", stateFile)
	return pv, nil
}

func loadOrGenNodeKey(cfg *config.Config, logger log.Logger) (*p2p.NodeKey, error) {
	path := cfg.NodeKeyFile()
	key, created, err := p2p.LoadOrGenNodeKey(path)
	if err != nil {
		return nil, err
	}
	if created {
		logger.Info("Generated node key", "path", path)
	} else {
		logger.Info("Found node key", "path", path)
	}
	return key, nil
}

func fileExists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	default:
		return false, err
	}
}

// randomChainID returns prefix followed by 6 random letters and digits, as `cometbft init` does.
func randomChainID(prefix string) (string, error) {
	s, err := randomString(6, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
	if err != nil {
		return "", err
	}
	return prefix + s, nil
}

func randomString(n int, alphabet string) (string, error) {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	for i, b := range buf {
		buf[i] = alphabet[int(b)%len(alphabet)]
	}
	return string(buf), nil
}
