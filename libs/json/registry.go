package json

import (
	"fmt"
	"reflect"
	"sync"
)

// typeInfo is one registered concrete type.
type typeInfo struct {
	name string
	// rt is the registered type with pointers removed.
	rt reflect.Type
	// asPointer: the type was registered as a pointer, so decoding into an interface
	// stores *rt rather than rt.
	asPointer bool
	// decode, when set, decodes a whole {"type","value"} envelope of this name into a
	// value of type rt (used for key types, to reuse crypto/encoding's validation).
	decode func(envelope []byte) (reflect.Value, error)
}

// registry maps registered names to types and back.
type registry struct {
	mu     sync.RWMutex
	byName map[string]*typeInfo
	byType map[reflect.Type]*typeInfo
}

var typeRegistry = &registry{
	byName: make(map[string]*typeInfo),
	byType: make(map[reflect.Type]*typeInfo),
}

// RegisterType registers the concrete type of value under name, so that the type is
// written as {"type":name,"value":…} wherever it appears in an interface, and so that
// Unmarshal can rebuild it from that form.
//
// A value and a pointer to it share the registration. If value is a pointer, decoding the
// name into an interface yields a pointer (needed for types whose methods have pointer
// receivers); otherwise it yields the bare value.
//
// RegisterType is for package init functions. It panics if value is nil, name is empty,
// or the name or the type is already registered: those are programming errors.
func RegisterType(value any, name string) {
	if value == nil {
		panic("json: RegisterType of a nil value")
	}
	if err := typeRegistry.register(name, reflect.TypeOf(value), nil); err != nil {
		panic(err)
	}
}

func (r *registry) register(name string, rt reflect.Type, decode func([]byte) (reflect.Value, error)) error {
	if name == "" {
		return fmt.Errorf("json: RegisterType of %v with an empty name", rt)
	}
	info := &typeInfo{name: name, decode: decode}
	for rt.Kind() == reflect.Pointer {
		info.asPointer = true
		rt = rt.Elem()
	}
	info.rt = rt
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.byName[name]; ok {
		return fmt.Errorf("json: name %q is already registered for %v", name, prev.rt)
	}
	if prev, ok := r.byType[rt]; ok {
		return fmt.Errorf("json: type %v is already registered as %q", rt, prev.name)
	}
	r.byName[name] = info
	r.byType[rt] = info
	return nil
}

// byTypeOf returns the registration of rt (pointers removed), or nil.
func (r *registry) byTypeOf(rt reflect.Type) *typeInfo {
	for rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byType[rt]
}

// byNameOf returns the registration of name, or nil.
func (r *registry) byNameOf(name string) *typeInfo {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.byName[name]
}

// RegisteredName returns the name v's concrete type (pointers removed) was registered
// under, and whether it was.
func RegisteredName(v any) (string, bool) {
	if v == nil {
		return "", false
	}
	info := typeRegistry.byTypeOf(reflect.TypeOf(v))
	if info == nil {
		return "", false
	}
	return info.name, true
}
