package web

import (
	"reflect"

	"github.com/dop251/goja"
)

// classCache holds builtin constructors this package needs, looked up once
// per runtime (from the realm's own builtins, before user code can replace
// the globals).
type classCache struct {
	uint8Array, arrayBuffer, dataView *goja.Object
	promiseThen, hasOwn               goja.Callable
}

func (g *Globals) uint8ArrayCtor() *goja.Object {
	if g.classes.uint8Array == nil {
		g.classes.uint8Array = g.vm.Get("Uint8Array").ToObject(g.vm)
	}
	return g.classes.uint8Array
}

func (g *Globals) dataViewCtor() *goja.Object {
	if g.classes.dataView == nil {
		g.classes.dataView = g.vm.Get("DataView").ToObject(g.vm)
	}
	return g.classes.dataView
}

// newUint8Array wraps b (no copy) in a fresh Uint8Array. Go must not touch b
// afterwards.
func (g *Globals) newUint8Array(b []byte) *goja.Object {
	o, err := g.vm.New(g.uint8ArrayCtor(), g.vm.ToValue(g.vm.NewArrayBuffer(b)))
	if err != nil {
		panic(err)
	}
	return o
}

// newArrayBuffer wraps b (no copy) in a fresh ArrayBuffer.
func (g *Globals) newArrayBuffer(b []byte) goja.Value {
	return g.vm.ToValue(g.vm.NewArrayBuffer(b))
}

// typedArrayKind reports the element kind of a typed array, or Invalid.
func typedArrayKind(o *goja.Object) reflect.Kind {
	t := o.ExportType()
	if t == nil || t.Kind() != reflect.Slice {
		return reflect.Invalid
	}
	switch k := t.Elem().Kind(); k {
	case reflect.Int8, reflect.Uint8, reflect.Int16, reflect.Uint16, reflect.Int32,
		reflect.Uint32, reflect.Int64, reflect.Uint64, reflect.Float32, reflect.Float64:
		// A JS Array exports as []interface{}, so a numeric element kind
		// means a typed array.
		return k
	}
	return reflect.Invalid
}

// bufferSource returns the bytes of an ArrayBuffer, typed array or DataView.
// The slice aliases JS memory: copy it before it outlives the call or leaves
// the loop goroutine.
func (g *Globals) bufferSource(v goja.Value) ([]byte, bool) {
	o, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	if ab, ok := o.Export().(goja.ArrayBuffer); ok {
		return ab.Bytes(), true
	}
	if typedArrayKind(o) == reflect.Invalid && !g.vm.InstanceOf(o, g.dataViewCtor()) {
		return nil, false
	}
	var b []byte
	if err := g.vm.ExportTo(o, &b); err != nil {
		return nil, false
	}
	return b, true
}

// bufferSourceCopy is bufferSource with a private copy of the bytes.
func (g *Globals) bufferSourceCopy(v goja.Value) ([]byte, bool) {
	b, ok := g.bufferSource(v)
	if !ok {
		return nil, false
	}
	return append([]byte(nil), b...), true
}
