package log

import (
	"fmt"
	"io"

	kitlog "github.com/go-kit/log"
)

// Logger writes leveled, structured log lines. keyvals alternate keys (strings) and values.
type Logger interface {
	Debug(msg string, keyvals ...any)
	Info(msg string, keyvals ...any)
	Error(msg string, keyvals ...any)
	// With returns a logger that adds keyvals to every line. A "module" key also selects the
	// module's level from the filter.
	With(keyvals ...any) Logger
}

// Format is how lines are written: "plain" (logfmt) or "json".
const (
	FormatPlain = "plain"
	FormatJSON  = "json"
)

// New returns a logger writing to w in format ("plain" or "json"), filtered by levelSpec (see
// ParseLevels). Writes to w are serialized.
func New(w io.Writer, format, levelSpec string) (Logger, error) {
	levels, err := ParseLevels(levelSpec)
	if err != nil {
		return nil, err
	}
	sync := kitlog.NewSyncWriter(w)
	var base kitlog.Logger
	switch format {
	case FormatPlain, "":
		base = kitlog.NewLogfmtLogger(sync)
	case FormatJSON:
		base = kitlog.NewJSONLogger(sync)
	default:
		return nil, fmt.Errorf("log: unknown format %q (want %q or %q)", format, FormatPlain, FormatJSON)
	}
	base = kitlog.With(base, "ts", kitlog.DefaultTimestampUTC)
	return &logger{base: base, levels: levels, level: levels.forModule("")}, nil
}

// NewNop returns a logger that discards everything.
func NewNop() Logger { return nop{} }

type logger struct {
	base   kitlog.Logger
	levels Levels
	level  Level // the level of this logger's module
}

func (l *logger) Debug(msg string, keyvals ...any) { l.log(LevelDebug, "debug", msg, keyvals) }
func (l *logger) Info(msg string, keyvals ...any)  { l.log(LevelInfo, "info", msg, keyvals) }
func (l *logger) Error(msg string, keyvals ...any) { l.log(LevelError, "error", msg, keyvals) }

func (l *logger) log(lvl Level, name, msg string, keyvals []any) {
	if lvl < l.level {
		return
	}
	kv := make([]any, 0, len(keyvals)+4)
	kv = append(kv, "level", name, "msg", msg)
	kv = append(kv, keyvals...)
	_ = l.base.Log(kv...) // a failed log write has nowhere better to be reported
}

func (l *logger) With(keyvals ...any) Logger {
	level := l.level
	for i := 0; i+1 < len(keyvals); i += 2 {
		if k, ok := keyvals[i].(string); ok && k == "module" {
			level = l.levels.forModule(fmt.Sprint(keyvals[i+1]))
		}
	}
	return &logger{base: kitlog.With(l.base, keyvals...), levels: l.levels, level: level}
}

type nop struct{}

func (nop) Debug(string, ...any) {}
func (nop) Info(string, ...any)  {}
func (nop) Error(string, ...any) {}
func (nop) With(...any) Logger   { return nop{} }
