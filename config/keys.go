package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
)

// ErrUnknownKey is wrapped by the errors of Set and Get for a key that
// config.toml does not have.
var ErrUnknownKey = errors.New("unknown config key")

// Kind is the value type of a key, as far as reading and writing it goes.
type Kind int

// The kinds of keys.
const (
	KindString    Kind = iota + 1 // TOML string
	KindBool                      // TOML boolean
	KindInt                       // TOML integer (any Go integer type, range-checked)
	KindDuration                  // Go duration string, e.g. "1m0s"
	KindList                      // TOML array of strings; "a,b" as text
	KindCommaList                 // one comma-separated TOML string; []string in Go
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindBool:
		return "bool"
	case KindInt:
		return "int"
	case KindDuration:
		return "duration"
	case KindList:
		return "list"
	case KindCommaList:
		return "comma-list"
	default:
		return fmt.Sprintf("Kind(%d)", int(k))
	}
}

// Field describes one config.toml key.
type Field struct {
	Key     string // dotted name: "moniker", "rpc.laddr"
	Section string // section name, "" for a top-level key
	Name    string // name within the section: "laddr"
	Kind    Kind
	Usage   string // the comment written above the key in config.toml
}

// Env returns the environment variable that overrides the key.
func (f Field) Env() string { return EnvName(f.Key) }

// schemaField is a Field plus how to reach it in a Config.
type schemaField struct {
	Field
	section int          // index into schemaTable.sections
	index   int          // field index within the section struct
	typ     reflect.Type // Go type of the field
	quoted  bool         // integer written as a quoted string
}

// schemaSection is the base config or one [section].
type schemaSection struct {
	name   string // "" for the top-level keys
	index  int    // field index within Config
	fields []int  // indices into schemaTable.fields, in file order
}

// schemaTable is the key table built once from the struct tags.
type schemaTable struct {
	sections     []schemaSection
	fields       []schemaField
	byKey        map[string]*schemaField
	byEnv        map[string]*schemaField
	sectionIndex map[string]int
}

// schema returns the key table. It is immutable after construction.
var schema = sync.OnceValue(buildSchema)

var durationType = reflect.TypeFor[time.Duration]()

// buildSchema walks Config's struct tags. It panics when a tag or a field
// type is not supported or a key has no usage text: those are programming
// errors in this package, caught by any test.
func buildSchema() *schemaTable {
	t := &schemaTable{
		byKey:        map[string]*schemaField{},
		byEnv:        map[string]*schemaField{},
		sectionIndex: map[string]int{},
	}
	ct := reflect.TypeFor[Config]()
	for i := range ct.NumField() {
		sf := ct.Field(i)
		st := sf.Type
		name := sf.Tag.Get("toml")
		if sf.Anonymous {
			name = ""
		} else {
			if st.Kind() != reflect.Pointer || st.Elem().Kind() != reflect.Struct || name == "" {
				panic(fmt.Sprintf("config: field %s must be a tagged pointer to a section struct", sf.Name))
			}
			st = st.Elem()
		}
		t.sectionIndex[name] = len(t.sections)
		sec := schemaSection{name: name, index: i}
		for j := range st.NumField() {
			ff := st.Field(j)
			tag := ff.Tag.Get("toml")
			if tag == "-" {
				continue
			}
			key, opts, _ := strings.Cut(tag, ",")
			if key == "" {
				panic(fmt.Sprintf("config: field %s.%s has no toml tag", st.Name(), ff.Name))
			}
			f := schemaField{section: len(t.sections), index: j, typ: ff.Type}
			f.Section, f.Name, f.Key = name, key, key
			if name != "" {
				f.Key = name + "." + key
			}
			f.Kind = kindOf(ff.Type, opts == "commalist")
			f.quoted = opts == "quoted"
			if f.quoted && f.Kind != KindInt {
				panic(fmt.Sprintf("config: %s: option quoted needs an integer", f.Key))
			}
			usage, ok := keyUsage[f.Key]
			if !ok {
				panic(fmt.Sprintf("config: %s has no usage text", f.Key))
			}
			f.Usage = usage
			sec.fields = append(sec.fields, len(t.fields))
			t.fields = append(t.fields, f)
		}
		t.sections = append(t.sections, sec)
	}
	for i := range t.fields {
		f := &t.fields[i]
		env := EnvName(f.Key)
		if _, dup := t.byEnv[env]; dup {
			panic(fmt.Sprintf("config: two keys map to %s", env))
		}
		t.byKey[f.Key] = f
		t.byEnv[env] = f
	}
	return t
}

// kindOf maps a Go field type to its Kind.
func kindOf(typ reflect.Type, commaList bool) Kind {
	switch {
	case typ == durationType:
		return KindDuration
	case typ.Kind() == reflect.String:
		return KindString
	case typ.Kind() == reflect.Bool:
		return KindBool
	case typ.Kind() >= reflect.Int && typ.Kind() <= reflect.Uint64:
		return KindInt
	case typ.Kind() == reflect.Slice && typ.Elem().Kind() == reflect.String:
		if commaList {
			return KindCommaList
		}
		return KindList
	}
	panic(fmt.Sprintf("config: unsupported field type %s", typ))
}

// Fields returns every key in config.toml order. The slice is a fresh copy.
func Fields() []Field {
	s := schema()
	out := make([]Field, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.Field
	}
	return out
}

// Keys returns the dotted name of every key in config.toml order
// ("version", ..., "rpc.laddr", ...).
func Keys() []string {
	s := schema()
	out := make([]string, len(s.fields))
	for i, f := range s.fields {
		out[i] = f.Key
	}
	return out
}

// Lookup returns the description of a dotted key.
func Lookup(key string) (Field, bool) {
	f, ok := schema().byKey[key]
	if !ok {
		return Field{}, false
	}
	return f.Field, true
}

// EnvName returns the environment variable for a dotted key: EnvPrefix,
// "_", then the key upper-cased with "." and "-" replaced by "_"
// ("rpc.laddr" → "BALLOT_RPC_LADDR"). It does not check that key exists.
func EnvName(key string) string {
	r := strings.NewReplacer(".", "_", "-", "_")
	return EnvPrefix + "_" + strings.ToUpper(r.Replace(key))
}

// Set parses value as the text form of key's kind and stores it in cfg:
// strings as is, booleans as strconv.ParseBool, integers in decimal,
// durations as time.ParseDuration, lists as comma-separated items (spaces
// around items trimmed, "" is the empty list). It is the entry point for
// command-line flags named after the dotted key. An unknown key wraps
// ErrUnknownKey; a bad value names the key and the value. cfg is unchanged
// on error.
func Set(cfg *Config, key, value string) error {
	f, ok := schema().byKey[key]
	if !ok {
		return fmt.Errorf("config: %w %q", ErrUnknownKey, key)
	}
	v, err := parseText(f, value)
	if err != nil {
		return fmt.Errorf("config: %s: %w", key, err)
	}
	dst, err := cfg.fieldValue(f)
	if err != nil {
		return err
	}
	dst.Set(v)
	return nil
}

// Get returns key's value in cfg in the text form Set accepts, so that
// Set(cfg, key, Get(cfg, key)) changes nothing (for list items without
// commas or surrounding spaces).
func Get(cfg *Config, key string) (string, error) {
	f, ok := schema().byKey[key]
	if !ok {
		return "", fmt.Errorf("config: %w %q", ErrUnknownKey, key)
	}
	v, err := cfg.fieldValue(f)
	if err != nil {
		return "", err
	}
	return formatText(f, v), nil
}

// section returns the reflect value of a section field of cfg: the
// embedded BaseConfig struct or a section pointer.
func (cfg *Config) section(s schemaSection) reflect.Value {
	return reflect.ValueOf(cfg).Elem().Field(s.index)
}

// fieldValue returns the settable value of f in cfg.
func (cfg *Config) fieldValue(f *schemaField) (reflect.Value, error) {
	if cfg == nil {
		return reflect.Value{}, errors.New("config: nil *Config")
	}
	s := schema().sections[f.section]
	sv := cfg.section(s)
	if sv.Kind() == reflect.Pointer {
		if sv.IsNil() {
			return reflect.Value{}, fmt.Errorf("config: section [%s] is nil", s.name)
		}
		sv = sv.Elem()
	}
	return sv.Field(f.index), nil
}
