package clone

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// Deserialize decodes bytes made by Serialize into vm. Every call builds
// fresh objects; no user code runs. Bad input of any kind gives an error
// wrapping ErrCorrupt, never a panic, and nesting deeper than Serialize
// allows is refused.
func Deserialize(vm *goja.Runtime, b []byte) (v goja.Value, err error) {
	if len(b) == 0 {
		return nil, corruptError{0, "empty input"}
	}
	if b[0] != formatVersion {
		return nil, corruptError{0, fmt.Sprintf("format version %d; this build reads version %d", b[0], formatVersion)}
	}
	d := decoder{vm: vm, cls: sharedClassifier(), b: b, pos: 1}
	defer func() {
		if x := recover(); x != nil {
			switch f := x.(type) {
			case corruptError:
				v, err = nil, f
			case abort:
				v, err = nil, f.err
			default:
				panic(x)
			}
		}
	}()
	v = d.value()
	if d.pos != len(b) {
		d.fail("%d bytes after the value", len(b)-d.pos)
	}
	return v, nil
}

type decoder struct {
	vm    *goja.Runtime
	cls   *classifier
	realm *realm
	b     []byte
	pos   int
	objs  []*goja.Object // by id; nil while a view's buffer is being read
	depth int
}

// abort carries a failure that is not the input's fault.
type abort struct{ err error }

func (d *decoder) fail(format string, args ...any) {
	panic(corruptError{d.pos, fmt.Sprintf(format, args...)})
}

func (d *decoder) getRealm() *realm {
	if d.realm == nil {
		r, err := realmOf(d.vm)
		if err != nil {
			panic(abort{err})
		}
		d.realm = r
	}
	return d.realm
}

func (d *decoder) byte() byte {
	if d.pos >= len(d.b) {
		d.fail("unexpected end of input")
	}
	c := d.b[d.pos]
	d.pos++
	return c
}

func (d *decoder) peek() byte {
	if d.pos >= len(d.b) {
		d.fail("unexpected end of input")
	}
	return d.b[d.pos]
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b[d.pos:])
	if n <= 0 {
		d.fail("bad varint")
	}
	d.pos += n
	return v
}

// count reads a length of items that take at least size bytes each, so a
// forged length cannot make us allocate more than the input justifies.
func (d *decoder) count(size int) int {
	n := d.uvarint()
	if n > uint64((len(d.b)-d.pos)/size) {
		d.fail("length %d exceeds the %d bytes left", n, len(d.b)-d.pos)
	}
	return int(n)
}

func (d *decoder) bytes(n int) []byte {
	if n > len(d.b)-d.pos {
		d.fail("length %d exceeds the %d bytes left", n, len(d.b)-d.pos)
	}
	b := d.b[d.pos : d.pos+n]
	d.pos += n
	return b
}

func (d *decoder) float() float64 {
	return math.Float64frombits(binary.LittleEndian.Uint64(d.bytes(8)))
}

func (d *decoder) value() goja.Value {
	start := d.pos
	switch tag := d.byte(); tag {
	case tagUndefined:
		return goja.Undefined()
	case tagNull:
		return goja.Null()
	case tagFalse:
		return d.cls.falseValue
	case tagTrue:
		return d.cls.trueValue
	case tagInt:
		i, n := binary.Varint(d.b[d.pos:])
		if n <= 0 || i < -maxSafeInteger || i > maxSafeInteger {
			d.fail("bad integer")
		}
		d.pos += n
		return d.vm.ToValue(i)
	case tagNumber:
		return d.vm.ToValue(d.float())
	case tagBigInt:
		h := d.uvarint()
		mag := d.bytes(d.lengthOf(h >> 1))
		n := new(big.Int).SetBytes(mag)
		if h&1 != 0 {
			n.Neg(n)
		}
		return d.vm.ToValue(n)
	case tagString:
		return d.utf8String()
	case tagString16:
		return goja.StringFromUTF16(d.units(d.count(2)))
	case tagRef:
		id := d.uvarint()
		if id >= uint64(len(d.objs)) || d.objs[id] == nil {
			d.pos = start
			d.fail("reference to object %d, which is not decoded yet", id)
		}
		return d.objs[id]
	default:
		d.pos = start
		return d.object()
	}
}

// lengthOf checks that n bytes remain and returns n as an int.
func (d *decoder) lengthOf(n uint64) int {
	if n > uint64(len(d.b)-d.pos) {
		d.fail("length %d exceeds the %d bytes left", n, len(d.b)-d.pos)
	}
	return int(n)
}

func (d *decoder) utf8String() goja.Value {
	b := d.bytes(d.count(1))
	if !utf8.Valid(b) {
		d.fail("string is not valid UTF-8")
	}
	return d.vm.ToValue(string(b))
}

func (d *decoder) units(n int) []uint16 {
	raw := d.bytes(2 * n)
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(raw[2*i:])
	}
	return u
}

// stringValue reads an item that must be a string.
func (d *decoder) stringValue() goja.Value {
	switch d.peek() {
	case tagString, tagString16:
		return d.value()
	}
	d.fail("expected a string, found tag 0x%02x", d.peek())
	return nil
}

func (d *decoder) register(o *goja.Object) *goja.Object {
	d.objs = append(d.objs, o)
	return o
}

// construct calls a captured constructor; a failure means the input asked
// for something impossible (an invalid regexp, a view out of range).
func (d *decoder) construct(ctor *goja.Object, args ...goja.Value) *goja.Object {
	o, err := d.vm.New(ctor, args...)
	if err != nil {
		d.fail("%v", err)
	}
	return o
}

func (d *decoder) call(fn goja.Callable, this goja.Value, args ...goja.Value) {
	if _, err := fn(this, args...); err != nil {
		d.fail("%v", err)
	}
}

func (d *decoder) object() goja.Value {
	if d.depth++; d.depth > maxDepth {
		d.fail("objects nested more than %d deep", maxDepth)
	}
	defer func() { d.depth-- }()
	start := d.pos
	switch tag := d.byte(); tag {
	case tagObject:
		o := d.register(d.vm.CreateObject(nil))
		d.properties(o, false)
		d.setPrototype(o, d.getRealm().objectProto)
		return o
	case tagArray:
		n := d.count(1)
		a := d.register(d.vm.NewArray())
		d.setPrototype(a, nil)
		if n > 0 {
			items := make([]goja.Value, n)
			for i := range items {
				items[i] = d.value()
			}
			d.call(d.getRealm().arrayPush, a, items...)
		}
		d.properties(a, true)
		d.setPrototype(a, d.getRealm().arrayProto)
		return a
	case tagSparseArray:
		length := d.uvarint()
		if length > maxArrayIndex {
			d.fail("array length %d", length)
		}
		a := d.register(d.vm.NewArray())
		d.setPrototype(a, nil)
		if err := a.Set("length", length); err != nil {
			d.fail("%v", err)
		}
		d.properties(a, true)
		d.setPrototype(a, d.getRealm().arrayProto)
		return a
	case tagMap:
		r := d.getRealm()
		m := d.register(d.construct(r.mapCtor))
		for n := d.count(2); n > 0; n-- {
			k := d.value()
			d.call(r.mapSet, m, k, d.value())
		}
		return m
	case tagSet:
		r := d.getRealm()
		s := d.register(d.construct(r.setCtor))
		for n := d.count(1); n > 0; n-- {
			d.call(r.setAdd, s, d.value())
		}
		return s
	case tagDate:
		return d.register(d.construct(d.getRealm().dateCtor, d.vm.ToValue(d.float())))
	case tagRegExp:
		source := d.stringValue()
		mask := d.byte()
		flags := make([]byte, 0, len(regexpFlags))
		for i := range len(regexpFlags) {
			if mask&(1<<i) != 0 {
				flags = append(flags, regexpFlags[i])
			}
		}
		return d.register(d.construct(d.getRealm().regexpCtor, source, d.vm.ToValue(string(flags))))
	case tagBoxed:
		switch d.peek() {
		case tagFalse, tagTrue, tagInt, tagNumber, tagBigInt, tagString, tagString16:
		default:
			d.fail("cannot box tag 0x%02x", d.peek())
		}
		return d.register(d.value().ToObject(d.vm))
	case tagArrayBuffer:
		src := d.bytes(d.count(1))
		// Round the capacity to 8 so the memory is 8-byte aligned for
		// Float64Array and BigInt64Array views (see NewArrayBuffer's warning).
		data := make([]byte, len(src), (len(src)+7)&^7)
		copy(data, src)
		return d.register(d.vm.ToValue(d.vm.NewArrayBuffer(data)).(*goja.Object))
	case tagTypedArray:
		id := d.reserve()
		tk := d.byte()
		if tk >= byte(typedKindCount) {
			d.fail("typed array kind %d", tk)
		}
		buf, size := d.buffer()
		off, n := d.uvarint(), d.uvarint()
		elem := uint64(typedElemSize[tk])
		if off > size || off%elem != 0 || n > (size-off)/elem {
			d.fail("%s at byte offset %d, length %d, over a %d-byte buffer", typedNames[tk], off, n, size)
		}
		d.objs[id] = d.construct(d.getRealm().typedCtors[tk], buf, d.vm.ToValue(off), d.vm.ToValue(n))
		return d.objs[id]
	case tagDataView:
		id := d.reserve()
		buf, size := d.buffer()
		off, n := d.uvarint(), d.uvarint()
		if off > size || n > size-off {
			d.fail("DataView at byte offset %d, length %d, over a %d-byte buffer", off, n, size)
		}
		d.objs[id] = d.construct(d.getRealm().dataViewCtor, buf, d.vm.ToValue(off), d.vm.ToValue(n))
		return d.objs[id]
	case tagError:
		return d.error()
	default:
		d.pos = start
		d.fail("unknown tag 0x%02x", tag)
		return nil
	}
}

// reserve takes an id for an object built only after its contents.
func (d *decoder) reserve() int {
	d.objs = append(d.objs, nil)
	return len(d.objs) - 1
}

// buffer reads the ArrayBuffer under a view: a new one or a reference.
func (d *decoder) buffer() (*goja.Object, uint64) {
	if t := d.peek(); t != tagArrayBuffer && t != tagRef {
		d.fail("a view needs an ArrayBuffer, found tag 0x%02x", t)
	}
	start := d.pos
	o, _ := d.value().(*goja.Object)
	if o == nil || d.cls.kindOf(o) != kindArrayBuffer {
		d.pos = start
		d.fail("a view refers to an object that is not an ArrayBuffer")
	}
	return o, uint64(len(o.Export().(goja.ArrayBuffer).Bytes()))
}

func (d *decoder) error() goja.Value {
	kind := d.byte()
	if kind >= errorKindCount {
		d.fail("error kind %d", kind)
	}
	fields := d.byte()
	if fields&^(errorHasMessage|errorHasStack|errorHasCause) != 0 {
		d.fail("error fields 0x%02x", fields)
	}
	e := d.register(d.construct(d.getRealm().errorCtors[kind]))
	hidden := func(name string, v goja.Value) {
		if err := e.DefineDataProperty(name, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE); err != nil {
			d.fail("%v", err)
		}
	}
	if fields&errorHasMessage != 0 {
		hidden("message", d.stringValue())
	}
	if fields&errorHasStack != 0 {
		hidden("stack", d.stringValue())
	} else if err := e.Delete("stack"); err != nil { // not the stack of this decode
		d.fail("%v", err)
	}
	if fields&errorHasCause != 0 {
		hidden("cause", d.value())
	}
	return e
}

// properties reads varint(n) and n (key, item) pairs onto o, which has a
// null prototype while this runs: plain assignment then creates own data
// properties and meets no setter (so "__proto__" is a key like any other),
// and is cheaper than defining each property.
func (d *decoder) properties(o *goja.Object, isArray bool) {
	for n := d.count(2); n > 0; n-- {
		h := d.uvarint()
		switch h & 3 {
		case keyUTF8:
			b := d.bytes(d.lengthOf(h >> 2))
			if !utf8.Valid(b) {
				d.fail("key is not valid UTF-8")
			}
			key := string(b)
			if isArray && key == "length" { // would assign the length, not add a key
				d.fail("array with a length property")
			}
			d.set(o, key)
		case keyIndex:
			if h>>2 >= maxArrayIndex {
				d.fail("array index %d", h>>2)
			}
			d.set(o, strconv.FormatUint(h>>2, 10))
		case keyUTF16:
			if h>>2 > uint64(len(d.b)-d.pos)/2 {
				d.fail("key length %d exceeds the input", h>>2)
			}
			k := goja.StringFromUTF16(d.units(int(h >> 2)))
			d.call(d.getRealm().defineKey, nil, o, k, d.value())
		default:
			d.fail("key kind %d", h&3)
		}
	}
}

func (d *decoder) set(o *goja.Object, key string) {
	if err := o.Set(key, d.value()); err != nil {
		d.fail("property %q: %v", key, err)
	}
}

// setPrototype gives a finished object its built-in prototype. No user
// code runs during a decode, so nothing sees the object without it.
func (d *decoder) setPrototype(o, proto *goja.Object) {
	if err := o.SetPrototype(proto); err != nil {
		d.fail("%v", err)
	}
}
