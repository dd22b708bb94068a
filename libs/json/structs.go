package json

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// field is the JSON view of one visible struct field.
type field struct {
	index     int
	name      string // JSON key
	quoted    []byte // name as a JSON string, ready to write
	omitEmpty bool
}

// structInfo lists the visible fields of a struct type in declaration order.
type structInfo struct {
	fields []field
}

var structInfos sync.Map // reflect.Type → *structInfo

// structInfoOf returns the (cached) field list of struct type rt. A field is visible when
// it is exported (for an embedded field: when its type name is exported) and its json tag
// is not "-". The key is the tag's name part, or else the Go field name — for an embedded
// field that is its type name: embedded structs are not flattened.
func structInfoOf(rt reflect.Type) *structInfo {
	if cached, ok := structInfos.Load(rt); ok {
		return cached.(*structInfo)
	}
	info := &structInfo{}
	for i := range rt.NumField() {
		sf := rt.Field(i)
		if !sf.IsExported() {
			continue
		}
		f := field{index: i, name: sf.Name}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		if tag != "" {
			opts := strings.Split(tag, ",")
			if opts[0] != "" {
				f.name = opts[0]
			}
			for _, opt := range opts[1:] {
				if opt == "omitempty" {
					f.omitEmpty = true
				}
			}
		}
		quoted, err := json.Marshal(f.name)
		if err != nil {
			panic("json: cannot quote a field name: " + err.Error()) // strings always marshal
		}
		f.quoted = quoted
		info.fields = append(info.fields, f)
	}
	actual, _ := structInfos.LoadOrStore(rt, info)
	return actual.(*structInfo)
}
