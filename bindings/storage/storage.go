// Package storage is the JS room.storage object: the Durable Objects storage
// API (get, put, delete, deleteAll, list, transaction, alarms, sync) over one
// room of the store.
//
// Every method returns a promise, settled on the room's loop. Reads are
// served synchronously from the store on the loop goroutine: while one runs
// no other event of the room can, which is the input gate. Writes land in the
// room's buffer; the runtime flushes it at the end of the turn and holds the
// turn's output until the batch is durable (the output gate), so writes made
// without an await between them commit atomically. Values are encoded with
// bindings/clone (structured clone), so every get returns a fresh copy.
//
// Errors follow workerd (the Durable Objects runtime PartyKit runs on): the
// same error types and messages, delivered as rejections.
package storage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/dop251/goja"

	"gopk/bindings/clone"
	"gopk/bindings/host"
	"gopk/store"
)

// Limits of Durable Objects storage (workerd's ActorStorageLimits).
const (
	MaxKeyBytes   = 2048
	MaxValueBytes = 128 * 1024 // advertised; see enforcedValueBytes
	MaxKeysPerOp  = 128

	// workerd accepts a few bytes over the advertised size for the
	// serializer's framing; so do we.
	enforcedValueBytes = MaxValueBytes + 34
)

// kv is what both the room and a transaction offer.
type kv interface {
	Get(key string) ([]byte, bool, error)
	Put(key string, val []byte) error
	Delete(key string) (bool, error)
	List(o store.ListOptions, fn func(key string, val []byte) bool) error
	GetAlarm() (time.Time, bool, error)
	SetAlarm(t time.Time) error
	DeleteAlarm() error
}

// gate is the part of the room's loop that holds back other events; the
// real event loop has it. A transaction holds the gate until it settles.
type gate interface {
	Hold()
	Release()
}

// Binding makes storage objects; its New has the shape the room runtime asks
// for (runtime/room.StorageBinding).
type Binding struct{}

// New makes the JS storage object of a room.
func (Binding) New(vm *goja.Runtime, env host.Env, r *store.Room) goja.Value {
	return New(vm, env, r)
}

type binding struct {
	vm      *goja.Runtime
	env     host.Env
	room    *store.Room
	now     func() time.Time
	mapCtor *goja.Object
	mapSet  goja.Callable
	then    goja.Callable
	errCtor *goja.Object
	rangeEr *goja.Object
}

// New makes the room.storage object for r on vm. Call it before user code
// runs: it keeps the runtime's own Map, Promise and error constructors, so a
// program that replaces those globals cannot change what storage returns.
func New(vm *goja.Runtime, env host.Env, r *store.Room) *goja.Object {
	b := &binding{vm: vm, env: env, room: r, now: time.Now}
	b.mapCtor = vm.Get("Map").(*goja.Object)
	b.mapSet, _ = goja.AssertFunction(b.mapCtor.Get("prototype").(*goja.Object).Get("set"))
	promiseProto := vm.Get("Promise").(*goja.Object).Get("prototype").(*goja.Object)
	b.then, _ = goja.AssertFunction(promiseProto.Get("then"))
	b.errCtor = vm.Get("Error").(*goja.Object)
	b.rangeEr = vm.Get("RangeError").(*goja.Object)

	o := vm.NewObject()
	b.installOps(o, func(string) (kv, error) { return r, nil })
	b.method(o, "deleteAll", func(call goja.FunctionCall) goja.Value {
		return b.async(func() (goja.Value, error) {
			if err := r.DeleteAll(); err != nil {
				return nil, err
			}
			return goja.Undefined(), nil
		})
	})
	b.method(o, "transaction", b.transaction)
	b.method(o, "sync", b.sync)
	return o
}

func (b *binding) method(o *goja.Object, name string, fn func(goja.FunctionCall) goja.Value) {
	_ = o.Set(name, fn)
}

// installOps puts the methods shared by storage and txn on o. target is
// asked for the kv at each call (with the operation's name, as in "get()"),
// so a finished transaction can refuse.
func (b *binding) installOps(o *goja.Object, target func(op string) (kv, error)) {
	ops := []struct {
		name string
		fn   func(kv, goja.FunctionCall) (goja.Value, error)
	}{
		{"get", b.get}, {"put", b.put}, {"delete", b.delete}, {"list", b.list},
		{"getAlarm", b.getAlarm}, {"setAlarm", b.setAlarm}, {"deleteAlarm", b.deleteAlarm},
	}
	for _, op := range ops {
		op := op
		b.method(o, op.name, func(call goja.FunctionCall) goja.Value {
			return b.async(func() (goja.Value, error) {
				t, err := target(op.name + "()")
				if err != nil {
					return nil, err
				}
				return op.fn(t, call)
			})
		})
	}
}

// thrown is an error that rejects with a JS value.
type thrown struct{ v goja.Value }

func (t thrown) Error() string { return t.v.String() }

func (b *binding) typeError(format string, args ...any) error {
	return thrown{b.vm.NewTypeError(fmt.Sprintf(format, args...))}
}

func (b *binding) rangeError(format string, args ...any) error {
	return b.construct(b.rangeEr, fmt.Sprintf(format, args...))
}

func (b *binding) plainError(format string, args ...any) error {
	return b.construct(b.errCtor, fmt.Sprintf(format, args...))
}

func (b *binding) construct(ctor *goja.Object, msg string) error {
	e, err := b.vm.New(ctor, b.vm.ToValue(msg))
	if err != nil {
		return err
	}
	return thrown{e}
}

// reason is the JS value a promise rejects with for err.
func (b *binding) reason(err error) goja.Value {
	var t thrown
	if errors.As(err, &t) {
		return t.v
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		return ex.Value()
	}
	e, _ := b.vm.New(b.errCtor, b.vm.ToValue(err.Error()))
	return e
}

// async runs fn now, on the loop, and returns a promise of its result.
func (b *binding) async(fn func() (goja.Value, error)) goja.Value {
	p, resolve, reject := b.vm.NewPromise()
	v, err := fn()
	if err != nil {
		_ = reject(b.reason(err))
	} else {
		_ = resolve(v)
	}
	return b.vm.ToValue(p)
}

func absent(v goja.Value) bool { return v == nil || goja.IsUndefined(v) }

// keyString converts a JS key and checks its size.
func (b *binding) keyString(v goja.Value) (string, error) {
	k := v.String()
	if len(k) > MaxKeyBytes {
		return "", b.rangeError("Keys cannot be larger than %d bytes. A key of size %d was provided.", MaxKeyBytes, len(k))
	}
	return k, nil
}

// keyList returns the keys of an array argument; ok is false if v is not one.
func (b *binding) keyList(v goja.Value) (keys []string, ok bool, err error) {
	o, isObj := v.(*goja.Object)
	if !isObj || o.ClassName() != "Array" {
		return nil, false, nil
	}
	n := int(o.Get("length").ToInteger())
	if n > MaxKeysPerOp {
		return nil, true, b.rangeError("Maximum number of key value pairs is %d. %d pairs were provided.", MaxKeysPerOp, n)
	}
	keys = make([]string, 0, n)
	for i := 0; i < n; i++ {
		k, err := b.keyString(o.Get(fmt.Sprint(i)))
		if err != nil {
			return nil, true, err
		}
		keys = append(keys, k)
	}
	return keys, true, nil
}

func (b *binding) value(key string, v []byte) (goja.Value, error) {
	out, err := clone.Deserialize(b.vm, v)
	if err != nil {
		return nil, fmt.Errorf("storage: value of key %q cannot be read: %w", key, err)
	}
	return out, nil
}

func (b *binding) serialize(v goja.Value) ([]byte, error) {
	data, err := clone.Serialize(b.vm, v)
	if err != nil {
		return nil, err
	}
	size := len(data)
	if s, isString := v.(goja.String); isString {
		size = v8StringSize(s.String())
	}
	if size > enforcedValueBytes {
		return nil, b.rangeError("Values cannot be larger than %d bytes. A value of size %d was provided.", MaxValueBytes, size)
	}
	return data, nil
}

// v8StringSize is the size of a string stored by workerd (V8's serializer:
// a 2-byte header, a tag, the length and one byte per character for Latin-1
// text, two per UTF-16 unit otherwise). Our encoding keeps strings as UTF-8,
// which is longer for non-ASCII text, so the limit is applied to what V8
// would write: text PartyKit accepts is accepted here. (For strings nested
// in objects our own, larger, size is used.)
func v8StringSize(s string) int {
	units, latin1 := 0, true
	for _, r := range s {
		if r > 0xff {
			latin1 = false
		}
		units++
		if r > 0xffff {
			units++ // a surrogate pair
		}
	}
	n := units
	if !latin1 {
		n = 2 * units
	}
	return 3 + uvarintLen(uint64(n)) + n
}

func uvarintLen(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

func (b *binding) newMap() *goja.Object {
	m, err := b.vm.New(b.mapCtor)
	if err != nil {
		panic(err) // the runtime's own Map constructor takes no arguments and cannot fail
	}
	return m
}

// get(key) → value | undefined; get(keys[]) → Map of the keys present, sorted.
func (b *binding) get(t kv, call goja.FunctionCall) (goja.Value, error) {
	keys, isList, err := b.keyList(call.Argument(0))
	if err != nil {
		return nil, err
	}
	if isList {
		sort.Strings(keys)
		m := b.newMap()
		for i, k := range keys {
			if i > 0 && keys[i-1] == k {
				continue
			}
			raw, ok, err := t.Get(k)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			v, err := b.value(k, raw)
			if err != nil {
				return nil, err
			}
			if _, err := b.mapSet(m, b.vm.ToValue(k), v); err != nil {
				return nil, err
			}
		}
		return m, nil
	}
	k, err := b.keyString(call.Argument(0))
	if err != nil {
		return nil, err
	}
	raw, ok, err := t.Get(k)
	if err != nil || !ok {
		return goja.Undefined(), err
	}
	return b.value(k, raw)
}

const putShapeMessage = "put() may only be called with a single key-value pair and optional options as put(key, value, options) or with multiple key-value pairs and optional options as put(entries, options)"

// put(key, value) or put(entries). Everything is checked and serialized
// before anything is written, so a put that fails writes nothing.
func (b *binding) put(t kv, call goja.FunctionCall) (goja.Value, error) {
	first := call.Argument(0)
	if entries, isObj := first.(*goja.Object); isObj {
		if opts := call.Argument(1); !absent(opts) {
			if _, isObj := opts.(*goja.Object); !isObj {
				return nil, b.typeError(putShapeMessage)
			}
		}
		type pair struct {
			k string
			v []byte
		}
		var pairs []pair
		for _, name := range entries.Keys() {
			v := entries.Get(name)
			if absent(v) {
				continue // workerd drops undefined entries
			}
			k, err := b.keyString(b.vm.ToValue(name))
			if err != nil {
				return nil, err
			}
			data, err := b.serialize(v)
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, pair{k, data})
		}
		if len(pairs) > MaxKeysPerOp {
			return nil, b.rangeError("Maximum number of key value pairs is %d. %d pairs were provided.", MaxKeysPerOp, len(pairs))
		}
		for _, p := range pairs {
			if err := t.Put(p.k, p.v); err != nil {
				return nil, err
			}
		}
		return goja.Undefined(), nil
	}
	v := call.Argument(1)
	if absent(v) {
		return nil, b.typeError("put() called with undefined value.")
	}
	data, err := b.serialize(v)
	if err != nil {
		return nil, err
	}
	k, err := b.keyString(first)
	if err != nil {
		return nil, err
	}
	return goja.Undefined(), t.Put(k, data)
}

// delete(key) → whether it existed; delete(keys[]) → how many existed.
func (b *binding) delete(t kv, call goja.FunctionCall) (goja.Value, error) {
	keys, isList, err := b.keyList(call.Argument(0))
	if err != nil {
		return nil, err
	}
	if isList {
		n := 0
		for _, k := range keys {
			existed, err := t.Delete(k)
			if err != nil {
				return nil, err
			}
			if existed {
				n++
			}
		}
		return b.vm.ToValue(n), nil
	}
	k, err := b.keyString(call.Argument(0))
	if err != nil {
		return nil, err
	}
	existed, err := t.Delete(k)
	if err != nil {
		return nil, err
	}
	return b.vm.ToValue(existed), nil
}

// list({start, startAfter, end, prefix, reverse, limit}) → Map in UTF-8 byte
// order (reversed with reverse; bounds keep their meaning).
func (b *binding) list(t kv, call goja.FunctionCall) (goja.Value, error) {
	var o store.ListOptions
	var end *string
	if opts, isObj := call.Argument(0).(*goja.Object); isObj {
		start, startAfter := opts.Get("start"), opts.Get("startAfter")
		if !absent(start) && !absent(startAfter) {
			return nil, b.typeError("list() cannot be called with both start and startAfter values.")
		}
		if !absent(start) {
			o.Start = start.String()
		}
		if !absent(startAfter) {
			o.Start = startAfter.String() + "\x00" // the first key after startAfter
		}
		if v := opts.Get("end"); !absent(v) {
			e := v.String()
			end = &e
			o.End = e
		}
		if v := opts.Get("prefix"); !absent(v) {
			o.Prefix = v.String()
		}
		if v := opts.Get("reverse"); !absent(v) {
			o.Reverse = v.ToBoolean()
		}
		if v := opts.Get("limit"); !absent(v) {
			n := math.Trunc(v.ToFloat()) // an int, as workerd reads it
			if !(n > 0) {
				return nil, b.typeError("List limit must be positive.")
			}
			if n < math.MaxInt32 {
				o.Limit = int(n)
			}
		}
	}
	m := b.newMap()
	if end != nil && *end <= o.Start {
		return m, nil // an empty range ("" as end included)
	}
	var failed error
	err := t.List(o, func(k string, raw []byte) bool {
		v, err := b.value(k, raw)
		if err == nil {
			_, err = b.mapSet(m, b.vm.ToValue(k), v)
		}
		failed = err
		return err == nil
	})
	if err == nil {
		err = failed
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// getAlarm() → milliseconds since the epoch, or null.
func (b *binding) getAlarm(t kv, _ goja.FunctionCall) (goja.Value, error) {
	at, ok, err := t.GetAlarm()
	if err != nil {
		return nil, err
	}
	if !ok {
		return goja.Null(), nil
	}
	return b.vm.ToValue(at.UnixMilli()), nil
}

// setAlarm(Date | ms). A time in the past becomes now, as in workerd: the
// alarm fires as soon as possible.
func (b *binding) setAlarm(t kv, call goja.FunctionCall) (goja.Value, error) {
	arg := call.Argument(0)
	var ms float64
	switch x := arg.(type) {
	case *goja.Object:
		if x.ClassName() != "Date" {
			return nil, b.typeError("setAlarm() requires a Date or a number of milliseconds since the epoch.")
		}
		ms = x.ToNumber().ToFloat()
	default:
		if !goja.IsNumber(arg) {
			return nil, b.typeError("setAlarm() requires a Date or a number of milliseconds since the epoch.")
		}
		ms = arg.ToFloat()
	}
	if math.IsNaN(ms) || math.IsInf(ms, 0) {
		return nil, b.typeError("setAlarm() requires a valid time; got %v.", arg)
	}
	if ms <= 0 {
		return nil, b.typeError("setAlarm() cannot be called with an alarm time <= 0")
	}
	at := time.UnixMilli(int64(ms))
	if now := b.now().Truncate(time.Millisecond); at.Before(now) {
		at = now
	}
	return goja.Undefined(), t.SetAlarm(at)
}

func (b *binding) deleteAlarm(t kv, _ goja.FunctionCall) (goja.Value, error) {
	return goja.Undefined(), t.DeleteAlarm()
}

// sync() resolves once every write made so far is on disk. The writes of
// this turn are flushed when the turn ends, by the runtime.
func (b *binding) sync(goja.FunctionCall) goja.Value {
	p, resolve, reject := b.vm.NewPromise()
	done := make(chan error, 1)
	b.room.WhenDurable(func(err error) { done <- err })
	b.env.Loop.Go(func(ctx context.Context) func() {
		select {
		case err := <-done:
			return func() {
				if err != nil {
					_ = reject(b.reason(err))
					return
				}
				_ = resolve(goja.Undefined())
			}
		case <-ctx.Done():
			return nil
		}
	})
	return b.vm.ToValue(p)
}
