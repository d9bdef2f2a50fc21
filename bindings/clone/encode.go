package clone

import (
	"fmt"
	"io"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// Serialize encodes v (see doc.go for the format). Getters run, as in the
// spec. A value that cannot be cloned (a function, symbol, Proxy, Promise,
// WeakMap, an object wrapping a Go value, a detached ArrayBuffer, nesting
// deeper than 2000) gives a DataCloneError; an exception thrown by a getter
// comes back as is. Either way the error is a *goja.Exception that a native
// function can rethrow with panic(err).
//
// Call it on the runtime's goroutine, normally from inside a native
// function. Called from Go with no JS on the stack, goja runs queued
// promise jobs each time the codec calls a built-in, so user code could
// then run in the middle of a value.
func Serialize(vm *goja.Runtime, v goja.Value) ([]byte, error) {
	cls := sharedClassifier()
	if b, ok := serializePrimitive(cls, v); ok {
		return b, nil
	}
	e := &encoder{vm: vm, cls: cls, buf: make([]byte, 1, 256)}
	e.buf[0] = formatVersion
	if ex := vm.Try(func() { e.value(v) }); ex != nil {
		return nil, ex
	}
	return e.buf, nil
}

// serializePrimitive is the allocation-lean path for strings and numbers,
// the most common stored values. ok is false for anything else.
func serializePrimitive(cls *classifier, v goja.Value) ([]byte, bool) {
	if s, isString := v.(goja.String); isString && reflect.TypeOf(s) == cls.asciiType {
		str := s.String()
		b := make([]byte, 0, 2+uvarintLen(uint64(len(str)))+len(str))
		b = append(b, formatVersion, tagString)
		b = appendUvarint(b, uint64(len(str)))
		return append(b, str...), true
	}
	if v != nil && goja.IsNumber(v) {
		return appendNumber(append(make([]byte, 0, 10), formatVersion), v.ToFloat()), true
	}
	return nil, false
}

type encoder struct {
	vm    *goja.Runtime
	cls   *classifier
	realm *realm // captured on first need
	buf   []byte
	refs  refTable
	depth int
	// stack holds Map and Set entries while they are written; nested
	// collections push above and truncate back.
	stack []goja.Value
}

func (e *encoder) getRealm() *realm {
	if e.realm == nil {
		r, err := realmOf(e.vm)
		if err != nil {
			panic(e.vm.NewGoError(err))
		}
		e.realm = r
	}
	return e.realm
}

func (e *encoder) value(v goja.Value) {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, tagUndefined)
	case *goja.Object:
		e.object(x)
	case *goja.Symbol:
		e.uncloneable("Symbol(" + x.String() + ")")
	case goja.String:
		e.string(x)
	default:
		e.primitive(v)
	}
}

func (e *encoder) primitive(v goja.Value) {
	switch {
	case goja.IsNumber(v):
		e.buf = appendNumber(e.buf, v.ToFloat())
	case v == e.cls.trueValue:
		e.buf = append(e.buf, tagTrue)
	case v == e.cls.falseValue:
		e.buf = append(e.buf, tagFalse)
	case goja.IsUndefined(v):
		e.buf = append(e.buf, tagUndefined)
	case goja.IsNull(v):
		e.buf = append(e.buf, tagNull)
	case goja.IsBigInt(v):
		e.bigInt(v.Export().(*big.Int))
	default:
		e.uncloneable(v.String())
	}
}

func (e *encoder) bigInt(n *big.Int) {
	mag := n.Bytes()
	h := uint64(len(mag)) << 1
	if n.Sign() < 0 {
		h |= 1
	}
	e.buf = append(e.buf, tagBigInt)
	e.buf = appendUvarint(e.buf, h)
	e.buf = append(e.buf, mag...)
}

// string writes s as UTF-8 unless it holds a lone surrogate.
func (e *encoder) string(s goja.String) {
	if reflect.TypeOf(s) == e.cls.asciiType {
		str := s.String()
		e.buf = append(e.buf, tagString)
		e.buf = appendUvarint(e.buf, uint64(len(str)))
		e.buf = append(e.buf, str...)
		return
	}
	start := len(e.buf)
	e.buf = append(e.buf, tagString)
	// UTF-8 is at least one byte per UTF-16 unit: reserve that much length
	// prefix and fix it up afterwards.
	lenPos, reserved := len(e.buf), uvarintLen(uint64(s.Length()))
	e.buf = append(e.buf, make([]byte, reserved)...)
	dataStart := len(e.buf)
	rd := s.Reader()
	for {
		r, _, err := rd.ReadRune()
		if err == io.EOF {
			break
		}
		if err != nil { // a lone surrogate: UTF-8 cannot say it
			e.buf = e.buf[:start]
			e.string16(s)
			return
		}
		e.buf = utf8.AppendRune(e.buf, r)
	}
	e.buf = putUvarintAt(e.buf, lenPos, reserved, uint64(len(e.buf)-dataStart))
}

func (e *encoder) string16(s goja.String) {
	n := s.Length()
	e.buf = append(e.buf, tagString16)
	e.buf = appendUvarint(e.buf, uint64(n))
	for i := 0; i < n; i++ {
		c := s.CharAt(i)
		e.buf = append(e.buf, byte(c), byte(c>>8))
	}
}

// stringItem writes a string value that came back from a helper.
func (e *encoder) stringItem(v goja.Value) {
	s, ok := v.(goja.String)
	if !ok {
		s = v.ToString().(goja.String)
	}
	e.string(s)
}

func (e *encoder) object(o *goja.Object) {
	if id, seen := e.refs.find(o); seen {
		e.buf = append(e.buf, tagRef)
		e.buf = appendUvarint(e.buf, uint64(id))
		return
	}
	k := e.cls.kindOf(o)
	if k == kindUncloneable || k == kindHost || k == kindProxy {
		e.uncloneableObject(o, k)
	}
	e.refs.add(o)
	if e.depth++; e.depth > maxDepth {
		e.throw(fmt.Sprintf("The value is nested more than %d levels deep and could not be cloned.", maxDepth))
	}
	switch k {
	case kindPlain:
		e.plainObject(o)
	case kindArray:
		e.array(o)
	case kindMap:
		e.collection(o, tagMap)
	case kindSet:
		e.collection(o, tagSet)
	case kindDate:
		t := e.call(e.getRealm().dateGetTime, o)
		e.buf = append(e.buf, tagDate)
		e.buf = appendFloat(e.buf, t.ToFloat())
	case kindRegExp:
		e.regexp(o)
	case kindPrimitiveWrapper:
		e.boxed(o)
	case kindStringWrapper:
		e.buf = append(e.buf, tagBoxed)
		e.stringItem(e.call(e.getRealm().stringValueOf, o))
	case kindArrayBuffer:
		e.arrayBuffer(o)
	case kindTypedArray:
		e.typedArray(o)
	case kindDataView:
		e.dataView(o)
	case kindError:
		e.error(o)
	}
	e.depth--
}

// call runs a captured built-in; its exceptions propagate to Serialize.
func (e *encoder) call(fn goja.Callable, this goja.Value, args ...goja.Value) goja.Value {
	v, err := fn(this, args...)
	if err != nil {
		panic(err)
	}
	return v
}

func (e *encoder) plainObject(o *goja.Object) {
	keys := o.Keys()
	e.buf = append(e.buf, tagObject)
	if anyUnnameable(keys) {
		e.slowProperties(o)
		return
	}
	e.properties(o, keys)
}

// properties writes varint(n) and n (key, item) pairs for keys, skipping
// keys a getter deleted on the way.
func (e *encoder) properties(o *goja.Object, keys []string) {
	countPos, reserved := len(e.buf), uvarintLen(uint64(len(keys)))
	e.buf = append(e.buf, make([]byte, reserved)...)
	n := 0
	for _, k := range keys {
		v := o.Get(k)
		if v == nil {
			continue
		}
		e.buf = appendKey(e.buf, k)
		e.value(v)
		n++
	}
	if n != len(keys) {
		e.buf = putUvarintAt(e.buf, countPos, reserved, uint64(n))
	} else {
		e.buf = appendUvarintAt(e.buf, countPos, uint64(n))
	}
}

// appendUvarintAt fills a varint slot reserved with exactly uvarintLen(v) bytes.
func appendUvarintAt(b []byte, pos int, v uint64) []byte {
	for v >= 0x80 {
		b[pos] = byte(v) | 0x80
		v >>= 7
		pos++
	}
	b[pos] = byte(v)
	return b
}

// slowProperties is properties for an object with a key goja's Go API
// cannot name (one holding a lone surrogate): keys and values go through
// JS strings.
func (e *encoder) slowProperties(o *goja.Object) {
	r := e.getRealm()
	keys := e.call(r.ownKeys, nil, o).(*goja.Object)
	n := int(keys.Get("length").ToInteger())
	countPos, reserved := len(e.buf), uvarintLen(uint64(n))
	e.buf = append(e.buf, make([]byte, reserved)...)
	written := 0
	for i := 0; i < n; i++ {
		k := keys.Get(strconv.Itoa(i)).(goja.String)
		v := e.call(r.getOwn, nil, o, k)
		if v == r.absent {
			continue
		}
		e.key(k)
		e.value(v)
		written++
	}
	e.buf = putUvarintAt(e.buf, countPos, reserved, uint64(written))
}

// key writes a key given as a JS string, which may hold lone surrogates.
func (e *encoder) key(k goja.String) {
	if !hasLoneSurrogate(k) {
		e.buf = appendKey(e.buf, k.String())
		return
	}
	n := k.Length()
	e.buf = appendUvarint(e.buf, uint64(n)<<2|keyUTF16)
	for i := 0; i < n; i++ {
		c := k.CharAt(i)
		e.buf = append(e.buf, byte(c), byte(c>>8))
	}
}

func hasLoneSurrogate(s goja.String) bool {
	rd := s.Reader()
	for {
		_, _, err := rd.ReadRune()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return true
		}
	}
}

// array writes the dense form when the index keys are exactly 0..length-1
// (no holes), else the sparse form, which names every index.
func (e *encoder) array(o *goja.Object) {
	keys := o.Keys()
	length := uint64(o.Get("length").ToInteger())
	if anyUnnameable(keys) {
		e.buf = append(e.buf, tagSparseArray)
		e.buf = appendUvarint(e.buf, length)
		e.slowProperties(o)
		return
	}
	// Own keys list indices first, ascending; count those that are 0, 1, 2...
	indices := 0
	for _, k := range keys {
		if i, ok := arrayIndex(k); !ok || uint64(i) != uint64(indices) {
			break
		}
		indices++
	}
	if uint64(indices) != length {
		e.buf = append(e.buf, tagSparseArray)
		e.buf = appendUvarint(e.buf, length)
		e.properties(o, keys)
		return
	}
	e.buf = append(e.buf, tagArray)
	e.buf = appendUvarint(e.buf, length)
	for _, k := range keys[:indices] {
		v := o.Get(k)
		if v == nil { // a getter deleted it; V8 writes the hole as undefined too
			v = goja.Undefined()
		}
		e.value(v)
	}
	e.properties(o, keys[indices:])
}

// anyUnnameable reports whether a key came from a JS string with a lone
// surrogate, which goja's Keys turned into U+FFFD (so Get would miss it).
func anyUnnameable(keys []string) bool {
	for _, k := range keys {
		if strings.ContainsRune(k, utf8.RuneError) {
			return true
		}
	}
	return false
}

// collection writes a Map or Set. Entries are gathered first, as the spec
// says, so getters met while writing them cannot change the list.
func (e *encoder) collection(o *goja.Object, tag byte) {
	r := e.getRealm()
	start := len(e.stack)
	var err error
	per := 2
	if tag == tagMap {
		e.stack, err = r.forEach(r.mapForEach, o, r.collectPairs, e.stack)
	} else {
		per = 1
		e.stack, err = r.forEach(r.setForEach, o, r.collectValues, e.stack)
	}
	if err != nil {
		panic(err)
	}
	end := len(e.stack)
	e.buf = append(e.buf, tag)
	e.buf = appendUvarint(e.buf, uint64((end-start)/per))
	for i := start; i < end; i++ {
		e.value(e.stack[i]) // re-read: nested collections may grow e.stack
	}
	clear(e.stack[start:end])
	e.stack = e.stack[:start]
}

func (e *encoder) regexp(o *goja.Object) {
	parts := e.call(e.getRealm().regexpParts, nil, o).(*goja.Object)
	var mask byte
	for _, f := range parts.Get("1").String() {
		if i := strings.IndexRune(regexpFlags, f); i >= 0 {
			mask |= 1 << i
		}
	}
	e.buf = append(e.buf, tagRegExp)
	e.stringItem(parts.Get("0"))
	e.buf = append(e.buf, mask)
}

func (e *encoder) boxed(o *goja.Object) {
	var prim goja.Value
	switch inner := o.Export().(type) {
	case bool:
		prim = e.vm.ToValue(inner)
	case int64:
		prim = e.vm.ToValue(inner)
	case float64:
		prim = e.vm.ToValue(inner)
	case *big.Int:
		prim = e.vm.ToValue(inner)
	default: // a Symbol wrapper exports its description
		e.uncloneable(fmt.Sprintf("Symbol(%v)", inner))
	}
	e.buf = append(e.buf, tagBoxed)
	e.primitive(prim)
}

func (e *encoder) arrayBuffer(o *goja.Object) {
	ab := o.Export().(goja.ArrayBuffer)
	if ab.Detached() {
		e.throw("An ArrayBuffer is detached and could not be cloned.")
	}
	data := ab.Bytes()
	e.buf = append(e.buf, tagArrayBuffer)
	e.buf = appendUvarint(e.buf, uint64(len(data)))
	e.buf = append(e.buf, data...)
}

// view writes the buffer behind a typed array or DataView, then where the
// view sits in it; a buffer seen before becomes a reference, so views that
// share memory still share it after decoding.
func (e *encoder) view(o *goja.Object, buffer, offset, length goja.Callable) {
	buf := e.call(buffer, o).(*goja.Object)
	off := e.call(offset, o).ToInteger()
	n := e.call(length, o).ToInteger()
	e.object(buf)
	e.buf = appendUvarint(e.buf, uint64(off))
	e.buf = appendUvarint(e.buf, uint64(n))
}

func (e *encoder) typedArray(o *goja.Object) {
	tk, ok := e.cls.typedKindOf(o)
	if !ok {
		e.uncloneableObject(o, kindUncloneable)
	}
	r := e.getRealm()
	e.buf = append(e.buf, tagTypedArray, byte(tk))
	e.view(o, r.typedBuffer, r.typedByteOffset, r.typedLen)
}

func (e *encoder) dataView(o *goja.Object) {
	r := e.getRealm()
	e.buf = append(e.buf, tagDataView)
	e.view(o, r.viewBuffer, r.viewByteOffset, r.viewLen)
}

func (e *encoder) error(o *goja.Object) {
	parts := e.call(e.getRealm().errorParts, nil, o).(*goja.Object)
	kind := parts.Get("0").ToInteger()
	var fields byte
	if parts.Get("1").ToBoolean() {
		fields |= errorHasMessage
	}
	stack := parts.Get("3")
	if !goja.IsUndefined(stack) {
		fields |= errorHasStack
	}
	if parts.Get("4").ToBoolean() {
		fields |= errorHasCause
	}
	e.buf = append(e.buf, tagError, byte(kind), fields)
	if fields&errorHasMessage != 0 {
		e.stringItem(parts.Get("2"))
	}
	if fields&errorHasStack != 0 {
		e.stringItem(stack)
	}
	if fields&errorHasCause != 0 {
		e.value(parts.Get("5"))
	}
}

func (e *encoder) uncloneableObject(o *goja.Object, k kind) {
	what := "#<Object>"
	if k == kindUncloneable { // describe reads prototypes: a Proxy could trap that
		what = e.call(e.getRealm().describe, nil, o).String()
	}
	e.uncloneable(what)
}

func (e *encoder) uncloneable(what string) {
	e.throw(what + " could not be cloned.")
}

func (e *encoder) throw(msg string) {
	panic(dataCloneError(e.vm, e.realm, msg))
}

// refTable numbers the objects written so far. Most values hold few
// objects, so it scans a slice until a map pays off.
type refTable struct {
	list  []*goja.Object
	index map[*goja.Object]uint32
}

const refTableScanMax = 16

func (t *refTable) find(o *goja.Object) (uint32, bool) {
	if t.index != nil {
		id, ok := t.index[o]
		return id, ok
	}
	for i, x := range t.list {
		if x == o {
			return uint32(i), true
		}
	}
	return 0, false
}

func (t *refTable) add(o *goja.Object) {
	if t.index != nil {
		t.index[o] = uint32(len(t.index))
		return
	}
	t.list = append(t.list, o)
	if len(t.list) > refTableScanMax {
		t.index = make(map[*goja.Object]uint32, 2*len(t.list))
		for i, x := range t.list {
			t.index[x] = uint32(i)
		}
		t.list = nil
	}
}
