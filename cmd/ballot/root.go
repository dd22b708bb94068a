package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ballot-bft/ballot/config"
	"github.com/ballot-bft/ballot/libs/log"
)

// env is the environment the CLI reads BALLOT_* overrides from, injected for tests.
type env struct {
	vars   []string
	stdout io.Writer
	stderr io.Writer

	// Filled by the root command's pre-run for every command but version.
	home       string
	cfg        *config.Config
	logger     log.Logger // module=main
	rootLogger log.Logger // for the node, whose parts add their own module
}

func (e *env) lookup(name string) (string, bool) {
	prefix := name + "="
	for i := len(e.vars) - 1; i >= 0; i-- {
		if strings.HasPrefix(e.vars[i], prefix) {
			return e.vars[i][len(prefix):], true
		}
	}
	return "", false
}

// newRootCmd builds the command tree. Output goes to stdout and stderr; environ holds the
// environment variables (os.Environ() in main).
func newRootCmd(stdout, stderr io.Writer, environ []string) *cobra.Command {
	e := &env{vars: environ, stdout: stdout, stderr: stderr}
	var (
		home     string
		logLevel string
		trace    bool
	)
	root := &cobra.Command{
		Use:           "ballot",
		Short:         "ballot: a BFT replicated-state-machine node, drop-in for CometBFT v0.38",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Name() == "version" || cmd.Name() == "help" || cmd.Name() == "completion" {
				return nil
			}
			return e.setup(cmd, home, logLevel)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&home, "home", "", "directory for config and data (default $BALLOT_HOME or ~/.ballot)")
	root.PersistentFlags().StringVar(&logLevel, "log_level", "", `log level: "info", or "consensus:debug,*:error" (default from config.toml)`)
	root.PersistentFlags().BoolVar(&trace, "trace", false, "print the full error chain on failure")
	_ = trace // errors already carry their wrapped context; kept for CometBFT flag compatibility

	root.AddCommand(
		newVersionCmd(e),
		newInitCmd(e),
		newShowNodeIDCmd(e),
		newShowValidatorCmd(e),
		newGenValidatorCmd(e),
		newGenNodeKeyCmd(e),
		newTestnetCmd(e),
		newUnsafeResetAllCmd(e),
		newResetStateCmd(e),
		newUnsafeResetPrivValidatorCmd(e),
		newStartCmd(e),
		newWALCmd(e),
		newReindexEventCmd(e),
	)
	return root
}

// resolveHome picks the home directory: --home, then $BALLOT_HOME, then ~/.ballot.
func (e *env) resolveHome(flag string) (string, error) {
	if flag != "" {
		return filepath.Abs(flag)
	}
	if h, ok := e.lookup("BALLOT_HOME"); ok && h != "" {
		return filepath.Abs(h)
	}
	userHome, ok := e.lookup("HOME")
	if !ok || userHome == "" {
		var err error
		if userHome, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("can't find a home directory: set --home or BALLOT_HOME: %w", err)
		}
	}
	return filepath.Join(userHome, config.DefaultHomeDirName), nil
}

// setup creates the home directory layout (writing a default config.toml if there is none), loads
// the configuration with BALLOT_* environment overrides and the command's flags on top, and builds
// the logger.
func (e *env) setup(cmd *cobra.Command, homeFlag, logLevelFlag string) error {
	home, err := e.resolveHome(homeFlag)
	if err != nil {
		return err
	}
	if err := config.EnsureRoot(home); err != nil {
		return err
	}
	cfg, unknown, err := config.LoadFromHome(home)
	if err != nil {
		return err
	}
	if err := config.ApplyEnv(cfg, e.vars); err != nil {
		return err
	}
	if err := applyConfigFlags(cmd, cfg); err != nil {
		return err
	}
	if logLevelFlag != "" {
		cfg.LogLevel = logLevelFlag
	}
	if err := cfg.ValidateBasic(); err != nil {
		return err
	}
	logger, err := log.New(e.stdout, cfg.LogFormat, cfg.LogLevel)
	if err != nil {
		return err
	}
	for _, key := range unknown {
		logger.Error("unknown key in config.toml is ignored", "key", key, "file", filepath.Join(home, "config", "config.toml"))
	}
	e.home, e.cfg, e.logger, e.rootLogger = home, cfg, logger.With("module", "main"), logger
	return nil
}

// applyConfigFlags copies every flag the user set whose name is a config key (e.g. --proxy_app,
// --rpc.laddr) onto cfg.
func applyConfigFlags(cmd *cobra.Command, cfg *config.Config) error {
	var firstErr error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if firstErr != nil {
			return
		}
		key := f.Name
		if key == "p2p.external-address" { // cometbft's flag name; the key is p2p.external_address
			key = "p2p.external_address"
		}
		if _, ok := config.Lookup(key); !ok {
			return
		}
		if err := config.Set(cfg, key, f.Value.String()); err != nil {
			firstErr = fmt.Errorf("flag --%s: %w", f.Name, err)
		}
	})
	return firstErr
}
