package crash

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ballot-bft/ballot/config"
)

// Settings are config keys ("consensus.timeout_commit") and their values, given to the nodes of a
// harness on top of its own settings. As a flag.Value it collects repeated -set key=value flags and
// checks each against config.toml's keys.
type Settings map[string]string

func (s Settings) String() string {
	var pairs []string
	for _, k := range slices.Sorted(maps.Keys(s)) {
		pairs = append(pairs, k+"="+s[k])
	}
	return strings.Join(pairs, ",")
}

// Set takes one key=value; the key must be a config.toml key and the value valid for it.
func (s Settings) Set(kv string) error {
	key, value, ok := strings.Cut(kv, "=")
	if !ok || key == "" {
		return fmt.Errorf("%q is not key=value", kv)
	}
	if err := config.Set(config.DefaultConfig(), key, value); err != nil {
		return err
	}
	s[key] = value
	return nil
}

// Apply sets every setting in cfg; the settings were checked by Set.
func (s Settings) Apply(cfg *config.Config) error {
	for key, value := range s {
		if err := config.Set(cfg, key, value); err != nil {
			return err
		}
	}
	return nil
}

// Env returns the settings as environment overrides (BALLOT_CONSENSUS_TIMEOUT_COMMIT=1s).
func (s Settings) Env() []string {
	env := make([]string, 0, len(s))
	for key, value := range s {
		env = append(env, config.EnvName(key)+"="+value)
	}
	return env
}
