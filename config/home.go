package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// HomeEnv is the environment variable naming the home directory.
const HomeEnv = EnvPrefix + "_HOME"

// DefaultHome returns the home directory to use when none is given on the
// command line: $BALLOT_HOME if set and non-empty, else $HOME/.ballot (or
// ".ballot" in the working directory when the user has no home directory).
func DefaultHome() string {
	if home := os.Getenv(HomeEnv); home != "" {
		return home
	}
	user, err := os.UserHomeDir()
	if err != nil {
		return DefaultHomeDirName
	}
	return filepath.Join(user, DefaultHomeDirName)
}

// EnsureRoot prepares a home directory the way every CometBFT command
// except version does: it creates home, home/config and home/data (mode
// 0700; existing directories are left as they are) and, if
// home/config/config.toml does not exist, writes DefaultConfig there.
// An existing config.toml is never modified.
func EnsureRoot(home string) error {
	for _, dir := range []string{home, filepath.Join(home, DefaultConfigDir), filepath.Join(home, DefaultDataDir)} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("config: create %s: %w", dir, err)
		}
	}
	path := ConfigFile(home)
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		return WriteConfigFile(path, DefaultConfig())
	default:
		return fmt.Errorf("config: %w", err)
	}
}
