package config

import (
	"errors"
	"fmt"
	"strings"
)

// ApplyEnv sets every key that has a non-empty variable in environ
// (entries "NAME=value", as from os.Environ) named EnvName(key), e.g.
// BALLOT_RPC_LADDR or BALLOT_MEMPOOL_KEEP_INVALID_TXS_IN_CACHE, parsing the
// value as Set does. Empty variables are ignored (viper's rule), as are
// BALLOT_ variables that name no key (BALLOT_HOME, for instance). When a
// name occurs twice the first occurrence counts, as with os.Getenv.
//
// Call it after loading config.toml and before applying flags. The error
// joins one error per bad variable, each naming the variable and its value;
// the valid variables are applied regardless.
func ApplyEnv(cfg *Config, environ []string) error {
	if err := cfg.checkSections(); err != nil {
		return err
	}
	s := schema()
	seen := map[string]bool{}
	var errs []error
	for _, entry := range environ {
		name, value, ok := strings.Cut(entry, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix+"_") || seen[name] {
			continue
		}
		seen[name] = true
		f, known := s.byEnv[name]
		if !known || value == "" {
			continue
		}
		v, err := parseText(f, value)
		if err != nil {
			errs = append(errs, fmt.Errorf("config: environment variable %s (%s): %w", name, f.Key, err))
			continue
		}
		mustField(cfg, f).Set(v)
	}
	return errors.Join(errs...)
}
