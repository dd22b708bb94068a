package config

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// FileError reports a config.toml that cannot be used: bad TOML syntax, or
// a value of the wrong type for its key.
type FileError struct {
	Path   string // file name; "" when decoding bytes
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based; 0 when unknown
	Key    string // dotted key concerned; "" when none
	Msg    string // what is wrong
	Err    error  // underlying go-toml error, if any
}

// Error renders "config: <path>:<line>:<col>: <key>: <msg>", leaving out
// the parts that are unknown.
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString("config: ")
	where := e.Path
	if where == "" && e.Line > 0 {
		where = "line"
	}
	if e.Line > 0 {
		if e.Path == "" {
			where += fmt.Sprintf(" %d", e.Line)
		} else {
			where += fmt.Sprintf(":%d", e.Line)
			if e.Column > 0 {
				where += fmt.Sprintf(":%d", e.Column)
			}
		}
	}
	if where != "" {
		b.WriteString(where)
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying go-toml error, if any.
func (e *FileError) Unwrap() error { return e.Err }

// ignoredKeys are keys CometBFT's parser accepts without writing them; they
// are neither applied nor reported as unknown. A key matches if it equals
// an entry or lies below it.
var ignoredKeys = []string{"p2p.test_dial_fail", "p2p.test_fuzz", "p2p.test_fuzz_config"}

// Decode overlays the TOML document data onto cfg: keys present in data
// replace the values in cfg, absent keys keep them. It returns the dotted
// names of keys in data that config.toml does not have, sorted (a key of an
// unknown table is reported as "table.key"). Syntax errors and values of
// the wrong type give a *FileError with line and key; on error cfg may be
// partly updated. The sections of cfg must be non-nil.
func Decode(data []byte, cfg *Config) (unknown []string, err error) {
	if err := cfg.checkSections(); err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(data, err)
	}
	s := schema()
	var errs []*FileError
	apply := func(key string, v any) {
		f, ok := s.byKey[key]
		if !ok {
			if !isIgnored(key) {
				unknown = append(unknown, leafKeys(key, v)...)
			}
			return
		}
		val, err := fromTOML(f, v)
		if err == nil {
			mustField(cfg, f).Set(val)
			return
		}
		errs = append(errs, &FileError{Key: key, Msg: err.Error()})
	}
	for name, v := range doc {
		_, isSection := s.sectionIndex[name]
		if !isSection || name == "" {
			apply(name, v)
			continue
		}
		table, ok := v.(map[string]any)
		if !ok {
			errs = append(errs, &FileError{Key: name, Msg: "want a table ([" + name + "]), got " + tomlDesc(v)})
			continue
		}
		for key, sub := range table {
			apply(name+"."+key, sub)
		}
	}
	if len(errs) > 0 {
		exprs := exprPositions(data)
		for _, e := range errs {
			e.Line, e.Column = keyPosition(exprs, strings.Split(e.Key, "."))
		}
		first := slices.MinFunc(errs, func(a, b *FileError) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Key, b.Key))
		})
		return nil, first
	}
	sort.Strings(unknown)
	return unknown, nil
}

// mustField returns f's value in cfg, whose sections were checked.
func mustField(cfg *Config, f *schemaField) reflect.Value {
	v, err := cfg.fieldValue(f)
	if err != nil {
		panic(err) // checkSections ran first
	}
	return v
}

// syntaxError converts a go-toml error into a *FileError.
func syntaxError(data []byte, err error) *FileError {
	fe := &FileError{Msg: strings.TrimPrefix(err.Error(), "toml: "), Err: err}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		fe.Line, fe.Column = de.Position()
		key := de.Key()
		if len(key) > 0 {
			if full := keyAtLine(exprPositions(data), fe.Line); len(full) >= len(key) && slices.Equal(full[len(full)-len(key):], key) {
				key = full
			}
		}
		fe.Key = strings.Join(key, ".")
	}
	return fe
}

// isIgnored reports whether key is one of ignoredKeys or lies below one.
func isIgnored(key string) bool {
	for _, k := range ignoredKeys {
		if key == k || strings.HasPrefix(key, k+".") {
			return true
		}
	}
	return false
}

// leafKeys lists the dotted names of the leaves of v below prefix, sorted
// by the caller. A non-table or empty table is its own leaf.
func leafKeys(prefix string, v any) []string {
	table, ok := v.(map[string]any)
	if !ok || len(table) == 0 {
		return []string{prefix}
	}
	var out []string
	for k, sub := range table {
		out = append(out, leafKeys(prefix+"."+k, sub)...)
	}
	return out
}

// exprPos is one table header or key-value of a document: its full dotted
// path and where its first key part starts.
type exprPos struct {
	path         []string
	table        bool // a [table] or [[array]] header
	line, column int  // 1-based
}

// exprPositions lists the headers and key-values of data in order. It is
// only used on the error path, after data parsed, and runs in linear time.
func exprPositions(data []byte) []exprPos {
	lineStarts := []int{0}
	for i, c := range data {
		if c == '\n' {
			lineStarts = append(lineStarts, i+1)
		}
	}
	var p unstable.Parser
	p.Reset(data)
	var out []exprPos
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		isTable := e.Kind == unstable.Table || e.Kind == unstable.ArrayTable
		if !isTable && e.Kind != unstable.KeyValue {
			continue
		}
		pos := exprPos{table: isTable}
		if !isTable {
			pos.path = slices.Clone(table)
		}
		offset := -1
		for it := e.Key(); it.Next(); {
			n := it.Node()
			if offset < 0 {
				offset = int(n.Raw.Offset)
			}
			pos.path = append(pos.path, string(n.Data))
		}
		if offset >= 0 {
			line := sort.SearchInts(lineStarts, offset+1) // lines starting at or before offset
			pos.line, pos.column = line, offset-lineStarts[line-1]+1
		}
		if isTable {
			table = pos.path
		}
		out = append(out, pos)
	}
	return out
}

// keyPosition returns where the key path is defined, or 0, 0: the first
// table header that is the key or lies below it, or the first key-value
// whose path is the key, lies below it, or holds it in an inline table.
func keyPosition(exprs []exprPos, key []string) (line, column int) {
	for _, e := range exprs {
		if hasPrefix(e.path, key) || (!e.table && hasPrefix(key, e.path)) {
			return e.line, e.column
		}
	}
	return 0, 0
}

// keyAtLine returns the full dotted path of the expression starting on
// line, or nil. go-toml reports some errors (duplicate keys) with the key
// relative to its table; this restores the table prefix.
func keyAtLine(exprs []exprPos, line int) []string {
	for _, e := range exprs {
		if e.line == line {
			return e.path
		}
	}
	return nil
}

// hasPrefix reports whether path starts with prefix (non-empty).
func hasPrefix(path, prefix []string) bool {
	return len(prefix) > 0 && len(path) >= len(prefix) && slices.Equal(path[:len(prefix)], prefix)
}

// Load reads the config.toml at path over DefaultConfig and returns the
// result with the unknown keys it found (see Decode). The returned Config's
// root directory is empty; call SetRoot, or use LoadFromHome. A missing
// file is an error wrapping fs.ErrNotExist.
func Load(path string) (*Config, []string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	cfg := DefaultConfig()
	unknown, err := Decode(data, cfg)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			fe.Path = path
		}
		return nil, nil, err
	}
	return cfg, unknown, nil
}

// ConfigFile returns the path of config.toml in a home directory.
func ConfigFile(home string) string {
	return filepath.Join(home, DefaultConfigDir, DefaultConfigFileName)
}

// LoadFromHome loads <home>/config/config.toml like Load and roots the
// result at home. A missing file is not an error: like CometBFT, the node
// then runs on the defaults (EnsureRoot normally writes the file first).
func LoadFromHome(home string) (*Config, []string, error) {
	cfg, unknown, err := Load(ConfigFile(home))
	if errors.Is(err, os.ErrNotExist) {
		cfg, unknown, err = DefaultConfig(), nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return cfg.SetRoot(home), unknown, nil
}
