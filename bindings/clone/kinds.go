package clone

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/dop251/goja"
)

// kind is what the codec does with an object.
type kind uint8

const (
	kindUncloneable kind = iota // functions, promises, proxies, weak collections, iterators, ...
	kindHost                    // wraps a Go value (ToValue of a struct, map, slice; dynamic objects)
	kindProxy
	kindPlain
	kindArray
	kindMap
	kindSet
	kindDate
	kindRegExp
	kindPrimitiveWrapper // Boolean, Number, BigInt (and Symbol, which is refused)
	kindStringWrapper
	kindArrayBuffer
	kindTypedArray
	kindDataView
	kindError
)

// typedKind numbers the typed array constructors; the numbers are part of
// the wire format (see doc.go), so only ever append.
type typedKind uint8

const (
	typedInt8 typedKind = iota
	typedUint8
	typedUint8Clamped
	typedInt16
	typedUint16
	typedInt32
	typedUint32
	typedFloat32
	typedFloat64
	typedBigInt64
	typedBigUint64
	typedKindCount
)

var typedNames = [typedKindCount]string{
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
}

var typedElemSize = [typedKindCount]int{1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8}

// classifier tells objects apart by the Go type of goja's internal object
// implementation (the unexported Object.self field).
//
// Why not the public API: ClassName and ExportType cannot tell a Map from a
// Go []any wrapper, a DataView or WeakMap from a plain object, or a
// Uint8Array from a Uint8ClampedArray; brand checks in JS cost an exception
// per plain object and can be fooled by setPrototypeOf. Structured clone
// dispatches on internal slots, and the implementation type is exactly that.
// Reading a field's dynamic type through reflect is read-only and cheap. The
// table is learned from goja itself at first use, so a goja upgrade that
// renames a type still classifies correctly, and one that changes the
// fields fails loudly in every test rather than misclassifying.
type classifier struct {
	selfIndex  []int                      // Object.self
	typedIndex []int                      // typedArrayObject.typedArray
	kinds      map[reflect.Type]kind      // implementation type → kind
	typed      map[reflect.Type]typedKind // typedArray implementation → constructor
	asciiType  reflect.Type               // goja's ASCII-only string type
	trueValue  goja.Value
	falseValue goja.Value
}

var sharedClassifier = sync.OnceValue(learnClassifier)

func (c *classifier) impl(o *goja.Object) reflect.Value {
	return reflect.ValueOf(o).Elem().FieldByIndex(c.selfIndex).Elem()
}

func (c *classifier) kindOf(o *goja.Object) kind {
	return c.kinds[c.impl(o).Type()] // missing means kindUncloneable (0)
}

func (c *classifier) typedKindOf(o *goja.Object) (typedKind, bool) {
	self := c.impl(o)
	if self.Kind() != reflect.Pointer || self.Elem().Kind() != reflect.Struct {
		return 0, false
	}
	t, ok := c.typed[self.Elem().FieldByIndex(c.typedIndex).Elem().Type()]
	return t, ok
}

// learnClassifier builds the table from samples made by a scratch runtime.
// It panics if goja's internals no longer have the shape it relies on: that
// is a dependency upgrade to handle, not a runtime condition.
func learnClassifier() *classifier {
	selfField, ok := reflect.TypeFor[goja.Object]().FieldByName("self")
	if !ok || selfField.Type.Kind() != reflect.Interface {
		panic("clone: goja.Object has no interface field \"self\"; this goja version is not supported")
	}
	c := &classifier{
		selfIndex: selfField.Index,
		kinds:     make(map[reflect.Type]kind),
		typed:     make(map[reflect.Type]typedKind),
	}
	vm := goja.New()
	eval := func(src string) *goja.Object {
		v, err := vm.RunString(src)
		if err != nil {
			panic(fmt.Sprintf("clone: learning goja object types: %s: %v", src, err))
		}
		return v.(*goja.Object)
	}
	learn := func(k kind, o *goja.Object) {
		t := c.impl(o).Type()
		if prev, dup := c.kinds[t]; dup && prev != k {
			panic(fmt.Sprintf("clone: goja type %v is both kind %d and %d; this goja version is not supported", t, prev, k))
		}
		c.kinds[t] = k
	}
	for src, k := range map[string]kind{
		"({})":                               kindPlain,
		"Math":                               kindPlain, // built-ins materialised lazily from a template
		"(function(){ return arguments })()": kindPlain,
		"[]":                                 kindArray,
		"var a = []; a[1e9] = 1; a":          kindArray, // sparse representation
		"new Map":                            kindMap,
		"new Set":                            kindSet,
		"new Date":                           kindDate,
		"/x/":                                kindRegExp,
		"new Boolean(true)":                  kindPrimitiveWrapper,
		"new String('')":                     kindStringWrapper,
		"new ArrayBuffer(8)":                 kindArrayBuffer,
		"new Uint8Array(1)":                  kindTypedArray,
		"new DataView(new ArrayBuffer(1))":   kindDataView,
		"new TypeError('x')":                 kindError,
	} {
		learn(k, eval(src))
	}
	for _, goValue := range []any{
		map[string]any{}, map[string]int{}, struct{}{}, &struct{}{},
		[]any{}, []int{}, [1]int{}, fmt.Errorf("x"),
	} {
		learn(kindHost, vm.ToValue(goValue).(*goja.Object))
	}
	learn(kindHost, vm.NewDynamicObject(emptyDynamic{}))
	learn(kindHost, vm.NewDynamicArray(emptyDynamicArray{}))

	typedField, ok := c.impl(eval("new Uint8Array(1)")).Elem().Type().FieldByName("typedArray")
	if !ok || typedField.Type.Kind() != reflect.Interface {
		panic("clone: goja's typed array has no interface field \"typedArray\"; this goja version is not supported")
	}
	c.typedIndex = typedField.Index
	for i, name := range typedNames {
		o := eval("new " + name + "(1)")
		t := c.impl(o).Elem().FieldByIndex(c.typedIndex).Elem().Type()
		if _, dup := c.typed[t]; dup {
			panic("clone: goja uses one type for two typed array kinds; this goja version is not supported")
		}
		c.typed[t] = typedKind(i)
	}

	c.asciiType = reflect.TypeOf(vm.ToValue("a"))
	c.trueValue, c.falseValue = vm.ToValue(true), vm.ToValue(false)
	return c
}

// emptyDynamic and emptyDynamicArray hold nothing; they exist only to learn
// the implementation types goja uses for dynamic objects.
type emptyDynamic struct{}

func (emptyDynamic) Get(string) goja.Value       { return nil }
func (emptyDynamic) Set(string, goja.Value) bool { return false }
func (emptyDynamic) Has(string) bool             { return false }
func (emptyDynamic) Delete(string) bool          { return false }
func (emptyDynamic) Keys() []string              { return nil }

type emptyDynamicArray struct{}

func (emptyDynamicArray) Len() int                 { return 0 }
func (emptyDynamicArray) Get(int) goja.Value       { return nil }
func (emptyDynamicArray) Set(int, goja.Value) bool { return false }
func (emptyDynamicArray) SetLen(int) bool          { return false }
