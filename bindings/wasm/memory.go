package wasm

import (
	"math"

	"github.com/dop251/goja"
	"github.com/tetratelabs/wazero/api"
)

// memory is a linear memory as JS sees it. Its buffer is an ArrayBuffer
// over wazero's bytes (no copy). When the memory grows the bytes may move,
// so the old ArrayBuffer is detached and the next read of `buffer` makes a
// new one, as in V8. A growth by WebAssembly is noticed after each call
// into it and at each call out of it to JS.
type memory struct {
	owner api.Module // the instance that exports it...
	name  string     // ...under this name
	mem   api.Memory
	obj   *goja.Object

	buf    goja.ArrayBuffer
	data   []byte // what buf wraps
	hasBuf bool
}

// maxPages is the JS API's bound for a memory descriptor (4 GiB).
const maxPages = 65536

func (r *realm) memoryNew(desc, this goja.Value) goja.Value {
	const apiName = "WebAssembly.Memory()"
	if !isObject(desc) {
		r.typeError("%s: Argument 0 must be a memory descriptor", apiName)
	}
	d := desc.ToObject(r.vm)
	initial, ok := r.optU32(d, "initial", apiName)
	if minimum, hasMin := r.optU32(d, "minimum", apiName); hasMin {
		if ok {
			r.typeError("%s: The properties 'initial' and 'minimum' are not allowed at the same time", apiName)
		}
		initial, ok = minimum, true
	}
	if !ok {
		r.typeError("%s: Property 'initial' is required", apiName)
	}
	maximum, hasMax := r.optU32(d, "maximum", apiName)
	if initial > maxPages {
		r.rangeError("%s: Property 'initial': value %d is above the upper bound %d", apiName, initial, maxPages)
	}
	if hasMax && maximum > maxPages {
		r.rangeError("%s: Property 'maximum': value %d is above the upper bound %d", apiName, maximum, maxPages)
	}
	if hasMax && maximum < initial {
		r.rangeError("%s: Property 'maximum': value %d is below the lower bound %d", apiName, maximum, initial)
	}
	if d.Get("shared") != nil && d.Get("shared").ToBoolean() {
		r.typeError("%s: shared memory is not supported by gopk (goja has no SharedArrayBuffer)", apiName)
	}
	if initial > r.e.opts.MemoryLimitPages {
		r.rangeError("%s: could not allocate memory: %d pages is over this server's limit of %d pages", apiName, initial, r.e.opts.MemoryLimitPages)
	}
	w := moduleWriter{
		memories: []limits{{min: initial, max: maximum, hasMax: hasMax}},
		exports:  []exportDesc{{name: "memory", kind: kindMemory}},
	}
	mod := r.ownInstance(w.bytes(), apiName)
	h := &memory{owner: mod, name: "memory", mem: mod.ExportedMemory("memory"), obj: this.(*goja.Object)}
	r.memObjs[h.mem] = h
	return r.vm.ToValue(h)
}

// ownInstance instantiates a module gopk wrote, with no imports.
func (r *realm) ownInstance(bin []byte, apiName string) api.Module {
	c, err := r.e.compileOwn(bin)
	if err != nil {
		r.rangeError("%s: %s", apiName, errorText(err))
	}
	mod, err := r.e.instantiate(c, nil)
	if err != nil {
		r.rangeError("%s: %s", apiName, err)
	}
	r.res.addModule(mod)
	return mod
}

// memoryObject is the Memory object of an exported memory.
func (r *realm) memoryObject(mod api.Module, name string) goja.Value {
	m := mod.ExportedMemory(name)
	if h, ok := r.memObjs[m]; ok {
		return h.obj
	}
	h := &memory{owner: mod, name: name, mem: m}
	r.memObjs[m] = h
	obj, err := r.shell.wrapMemory(goja.Undefined(), r.vm.ToValue(h))
	if err != nil {
		panic(err)
	}
	h.obj = obj.(*goja.Object)
	return h.obj
}

func (r *realm) memoryOf(v goja.Value) *memory {
	h, err := r.shell.memoryOf(goja.Undefined(), v)
	if err != nil {
		panic(err)
	}
	m, _ := h.Export().(*memory)
	return m
}

func (r *realm) memoryGrow(h *memory, delta goja.Value) goja.Value {
	d := r.u32(delta, "WebAssembly.Memory.grow(): Argument 0")
	prev, ok := h.mem.Grow(d)
	if !ok {
		r.rangeError("WebAssembly.Memory.grow(): Maximum memory size exceeded")
	}
	r.detach(h) // the JS API detaches on every grow, even by 0
	return r.vm.ToValue(prev)
}

func (r *realm) memoryBuffer(h *memory) goja.Value {
	data := h.bytes()
	// (A buffer JS transferred away, with structuredClone, is replaced.)
	if h.hasBuf && sameBytes(h.data, data) && !h.buf.Detached() {
		return r.vm.ToValue(h.buf)
	}
	r.detach(h)
	h.buf, h.data, h.hasBuf = r.vm.NewArrayBuffer(data), data, true
	r.buffered = append(r.buffered, h)
	return r.vm.ToValue(h.buf)
}

func (h *memory) bytes() []byte {
	b, _ := h.mem.Read(0, h.mem.Size())
	return b
}

func (r *realm) detach(h *memory) {
	if h.hasBuf {
		h.buf.Detach()
		h.buf, h.data, h.hasBuf = goja.ArrayBuffer{}, nil, false
	}
}

// refreshBuffers detaches the buffers of memories WebAssembly grew.
func (r *realm) refreshBuffers() {
	live := r.buffered[:0]
	for _, h := range r.buffered {
		if h.hasBuf && !sameBytes(h.data, h.bytes()) {
			r.detach(h)
		}
		if h.hasBuf {
			live = append(live, h)
		}
	}
	clear(r.buffered[len(live):])
	r.buffered = live
}

func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// u32 is WebIDL's [EnforceRange] unsigned long.
func (r *realm) u32(v goja.Value, what string) uint32 {
	f := r.toNumber(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		r.typeError("%s must be convertible to a valid number", what)
	}
	f = math.Trunc(f)
	if f < 0 || f > math.MaxUint32 {
		r.typeError("%s must be in the unsigned long range", what)
	}
	return uint32(f)
}

// optU32 reads an optional [EnforceRange] unsigned long of a descriptor.
func (r *realm) optU32(d *goja.Object, name, apiName string) (uint32, bool) {
	v := d.Get(name)
	if v == nil || goja.IsUndefined(v) {
		return 0, false
	}
	return r.u32(v, apiName+": Property '"+name+"'"), true
}
