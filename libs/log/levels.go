package log

import (
	"fmt"
	"strings"
)

// Level orders log lines by importance. LevelNone disables a module.
type Level int

// The levels, from most to least verbose.
const (
	LevelDebug Level = iota
	LevelInfo
	LevelError
	LevelNone
)

// ParseLevel parses "debug", "info", "error" or "none".
func ParseLevel(s string) (Level, error) {
	switch s {
	case "debug":
		return LevelDebug, nil
	case "info":
		return LevelInfo, nil
	case "error":
		return LevelError, nil
	case "none":
		return LevelNone, nil
	}
	return 0, fmt.Errorf("log: unknown level %q (want debug, info, error or none)", s)
}

// Levels maps modules to levels; Default applies to modules not listed.
type Levels struct {
	Default Level
	Modules map[string]Level
}

// ParseLevels parses CometBFT's log_level syntax: a single level ("info"), or a comma-separated
// list of module:level pairs where the module "*" sets the default ("consensus:debug,*:error").
// An empty spec means "info".
func ParseLevels(spec string) (Levels, error) {
	levels := Levels{Default: LevelInfo, Modules: map[string]Level{}}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return levels, nil
	}
	if !strings.ContainsAny(spec, ":,") {
		lvl, err := ParseLevel(spec)
		if err != nil {
			return Levels{}, err
		}
		levels.Default = lvl
		return levels, nil
	}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		module, name, ok := strings.Cut(item, ":")
		if !ok || module == "" {
			return Levels{}, fmt.Errorf("log: bad log_level item %q in %q (want module:level)", item, spec)
		}
		lvl, err := ParseLevel(name)
		if err != nil {
			return Levels{}, fmt.Errorf("log: bad log_level item %q in %q: %w", item, spec, err)
		}
		if module == "*" {
			levels.Default = lvl
		} else {
			levels.Modules[module] = lvl
		}
	}
	return levels, nil
}

func (l Levels) forModule(module string) Level {
	if lvl, ok := l.Modules[module]; ok {
		return lvl
	}
	return l.Default
}
