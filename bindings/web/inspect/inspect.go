// Package inspect renders goja values as text the way Node's util.inspect and
// util.format do, so console output from a room reads like it would under
// workerd or node: `{ a: 1, b: [ 'x' ] }`, `Map(1) { 'k' => 2 }`,
// `[Function: f]`, `<ref *1> { self: [Circular *1] }`.
//
// It runs on the room's goroutine (it reads properties and may call a
// user-defined inspect hook). Output is plain text without colours.
package inspect

import (
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// Options mirror the util.inspect options that change plain-text output.
type Options struct {
	// Depth is how many levels of nesting are expanded; deeper objects print
	// as [Object] / [Array]. Negative means unlimited. Node's default is 2.
	Depth int
	// BreakLength is the line width beyond which entries go one per line.
	BreakLength int
	// ShowHidden adds non-enumerable details (an array's [length]), as %o.
	ShowHidden bool
}

// DefaultOptions are Node's defaults.
var DefaultOptions = Options{Depth: 2, BreakLength: 80}

// goja's Map exports as [][2]any and Set as []any (arrays have class
// "Array"); that is how they are told apart from plain objects.
var (
	mapExportType = reflect.TypeOf([][2]interface{}{})
	setExportType = reflect.TypeOf([]interface{}{})
)

// maxArrayItems is how many elements of an array, Map or Set are shown.
const maxArrayItems = 100

// maxBufferBytes is how many bytes of an ArrayBuffer are shown.
const maxBufferBytes = 50

// Inspect renders v.
func Inspect(vm *goja.Runtime, v goja.Value, opts Options) string {
	if opts.BreakLength <= 0 {
		opts.BreakLength = DefaultOptions.BreakLength
	}
	in := &inspector{vm: vm, opts: opts}
	return in.value(v, 0, false)
}

type inspector struct {
	vm      *goja.Runtime
	opts    Options
	stack   []*goja.Object       // objects being formatted (cycle detection)
	refs    map[*goja.Object]int // objects seen again while on the stack
	nextRef int
	custom  *goja.Symbol
}

func (in *inspector) value(v goja.Value, depth int, nested bool) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if goja.IsNull(v) {
		return "null"
	}
	switch x := v.(type) {
	case *goja.Symbol:
		return symbolString(x)
	case *goja.Object:
		return in.object(x, depth)
	}
	switch {
	case goja.IsString(v):
		if nested {
			return Quote(v.String())
		}
		return v.String()
	case goja.IsBigInt(v):
		return v.String() + "n"
	case goja.IsNumber(v):
		return Number(v)
	}
	return v.String()
}

// Number formats a JS number as node does (-0 keeps its sign).
func Number(v goja.Value) string {
	f := v.ToFloat()
	if f == 0 && math.Signbit(f) {
		return "-0"
	}
	return v.String()
}

// Quote quotes s with single quotes, or double quotes / backticks when that
// avoids escaping, and escapes control characters as node does.
func Quote(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 {
		switch {
		case strings.IndexByte(s, '"') < 0:
			q = '"'
		case strings.IndexByte(s, '`') < 0 && !strings.Contains(s, "${"):
			q = '`'
		}
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\v':
			b.WriteString(`\v`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			h := strconv.FormatInt(int64(r), 16)
			if len(h) < 2 {
				b.WriteByte('0')
			}
			b.WriteString(strings.ToUpper(h))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

func (in *inspector) object(o *goja.Object, depth int) string {
	for _, s := range in.stack {
		if s == o {
			if in.refs == nil {
				in.refs = make(map[*goja.Object]int)
			}
			id, ok := in.refs[o]
			if !ok {
				in.nextRef++
				id = in.nextRef
				in.refs[o] = id
			}
			return "[Circular *" + strconv.Itoa(id) + "]"
		}
	}
	if s, ok := in.customInspect(o, depth); ok {
		return s
	}
	in.stack = append(in.stack, o)
	out := in.objectBody(o, depth)
	in.stack = in.stack[:len(in.stack)-1]
	if id, ok := in.refs[o]; ok {
		out = "<ref *" + strconv.Itoa(id) + "> " + out
	}
	return out
}

// customInspect honours obj[Symbol.for('nodejs.util.inspect.custom')], which
// libraries and our own classes use to print themselves.
func (in *inspector) customInspect(o *goja.Object, depth int) (string, bool) {
	if in.custom == nil {
		in.custom = customSymbol(in.vm)
		if in.custom == nil {
			return "", false
		}
	}
	fnv := in.get(func() goja.Value { return o.GetSymbol(in.custom) })
	fn, ok := goja.AssertFunction(fnv)
	if !ok {
		return "", false
	}
	remaining := in.opts.Depth - depth
	opts := in.vm.NewObject()
	_ = opts.Set("depth", remaining)
	res, err := fn(o, in.vm.ToValue(remaining), opts)
	if err != nil {
		return "", false
	}
	if ro, ok := res.(*goja.Object); ok && ro == o {
		return "", false
	}
	return in.value(res, depth, false), true
}

// customSymbol is Symbol.for('nodejs.util.inspect.custom') of vm's registry.
func customSymbol(vm *goja.Runtime) *goja.Symbol {
	symFor, ok := goja.AssertFunction(vm.Get("Symbol").ToObject(vm).Get("for"))
	if !ok {
		return nil
	}
	s, err := symFor(goja.Undefined(), vm.ToValue("nodejs.util.inspect.custom"))
	if err != nil {
		return nil
	}
	sym, _ := s.(*goja.Symbol)
	return sym
}

// get reads a property, turning a throwing getter into undefined.
func (in *inspector) get(f func() goja.Value) (v goja.Value) {
	defer func() {
		if r := recover(); r != nil {
			v = goja.Undefined()
		}
	}()
	v = f()
	if v == nil {
		v = goja.Undefined()
	}
	return v
}

func (in *inspector) tooDeep(depth int) bool {
	return in.opts.Depth >= 0 && depth > in.opts.Depth
}

func (in *inspector) objectBody(o *goja.Object, depth int) string {
	if _, ok := goja.AssertFunction(o); ok {
		return in.function(o, depth)
	}
	switch t := o.ExportType(); {
	case t == mapExportType:
		return in.mapOrSet(o, depth, true)
	case t == setExportType && o.ClassName() != "Array":
		return in.mapOrSet(o, depth, false)
	}
	if _, ok := o.Export().(*goja.Promise); ok {
		return in.promise(o, depth)
	}
	switch o.ClassName() {
	case "Array":
		return in.array(o, depth)
	case "Error":
		return in.errorValue(o, depth)
	case "Date":
		return in.withProps(o, depth, in.date(o), "")
	case "RegExp":
		return in.withProps(o, depth, o.String(), "")
	case "Number", "String", "Boolean":
		prim := goja.Value(goja.Undefined())
		if valueOf, ok := goja.AssertFunction(o.Get("valueOf")); ok {
			if v, err := valueOf(o); err == nil {
				prim = v
			}
		}
		return in.withProps(o, depth, "["+o.ClassName()+": "+in.value(prim, depth+1, true)+"]", "")
	case "WeakMap", "WeakSet":
		return o.ClassName() + " { <items unknown> }"
	}
	if ab, ok := o.Export().(goja.ArrayBuffer); ok {
		return in.arrayBuffer(ab)
	}
	if isTypedArray(o) {
		return in.typedArray(o, depth)
	}
	return in.plain(o, depth)
}

func (in *inspector) function(o *goja.Object, depth int) string {
	name := in.get(func() goja.Value { return o.Get("name") }).String()
	kind := "Function"
	if o.ClassName() == "AsyncFunction" {
		kind = "AsyncFunction"
	} else if o.ClassName() == "GeneratorFunction" {
		kind = "GeneratorFunction"
	}
	var head string
	src := ""
	if s, ok := in.get(func() goja.Value { return o.ToString() }).Export().(string); ok {
		src = s
	}
	switch {
	case strings.HasPrefix(src, "class"):
		if name == "" {
			name = "(anonymous)"
		}
		head = "[class " + name
		if p := o.Prototype(); p != nil {
			if pn, ok := in.get(func() goja.Value { return p.Get("name") }).Export().(string); ok && pn != "" {
				head += " extends " + pn
			}
		}
		head += "]"
	case name == "":
		head = "[" + kind + " (anonymous)]"
	default:
		head = "[" + kind + ": " + name + "]"
	}
	return in.withProps(o, depth, head, "")
}

func (in *inspector) date(o *goja.Object) string {
	fn, ok := goja.AssertFunction(o.Get("toISOString"))
	if !ok {
		return "Invalid Date"
	}
	res, err := fn(o)
	if err != nil {
		return "Invalid Date"
	}
	return res.String()
}

func (in *inspector) errorValue(o *goja.Object, depth int) string {
	stack := in.get(func() goja.Value { return o.Get("stack") })
	var text string
	if s, ok := stack.Export().(string); ok && s != "" {
		text = s
	} else {
		text = "[" + in.get(func() goja.Value { return o.ToString() }).String() + "]"
	}
	return in.withProps(o, depth, text, "")
}

func (in *inspector) promise(o *goja.Object, depth int) string {
	p, ok := o.Export().(*goja.Promise)
	if !ok {
		return in.plain(o, depth)
	}
	var inner string
	switch p.State() {
	case goja.PromiseStatePending:
		inner = "<pending>"
	case goja.PromiseStateRejected:
		inner = "<rejected> " + in.value(p.Result(), depth+1, true)
	default:
		inner = in.value(p.Result(), depth+1, true)
	}
	return in.withProps(o, depth, "Promise", "{ "+inner+" }")
}

func (in *inspector) arrayBuffer(ab goja.ArrayBuffer) string {
	b := ab.Bytes()
	var sb strings.Builder
	sb.WriteString("ArrayBuffer { [Uint8Contents]: <")
	for i, c := range b {
		if i == maxBufferBytes {
			sb.WriteString(" ... " + strconv.Itoa(len(b)-maxBufferBytes) + " more bytes")
			break
		}
		if i > 0 {
			sb.WriteByte(' ')
		}
		h := strconv.FormatUint(uint64(c), 16)
		if len(h) == 1 {
			sb.WriteByte('0')
		}
		sb.WriteString(h)
	}
	sb.WriteString(">, byteLength: " + strconv.Itoa(len(b)) + " }")
	return sb.String()
}

func (in *inspector) array(o *goja.Object, depth int) string {
	n := int(in.get(func() goja.Value { return o.Get("length") }).ToInteger())
	if in.tooDeep(depth) && (n > 0 || len(o.Keys()) > 0) {
		return "[Array]"
	}
	prefix := in.prefix(o, "Array")
	if prefix != "" {
		prefix = prefix[:len(prefix)-1] + "(" + strconv.Itoa(n) + ") "
	}
	entries := in.indexed(o, n, depth)
	entries = append(entries, in.props(o, depth, true)...)
	if in.opts.ShowHidden {
		entries = append(entries, "[length]: "+strconv.Itoa(n))
	}
	return prefix + in.join(entries, "[", "]", depth)
}

func (in *inspector) typedArray(o *goja.Object, depth int) string {
	n := int(in.get(func() goja.Value { return o.Get("length") }).ToInteger())
	name := in.ctorName(o)
	if in.tooDeep(depth) {
		return "[" + name + "]"
	}
	entries := in.indexed(o, n, depth)
	return name + "(" + strconv.Itoa(n) + ") " + in.join(entries, "[", "]", depth)
}

func (in *inspector) indexed(o *goja.Object, n, depth int) []string {
	shown := min(n, maxArrayItems)
	entries := make([]string, 0, shown+1)
	for i := 0; i < shown; i++ {
		idx := strconv.Itoa(i)
		entries = append(entries, in.value(in.get(func() goja.Value { return o.Get(idx) }), depth+1, true))
	}
	if n > shown {
		more := n - shown
		entries = append(entries, "... "+strconv.Itoa(more)+" more item"+plural(more))
	}
	return entries
}

func (in *inspector) mapOrSet(o *goja.Object, depth int, isMap bool) string {
	kind := "Set"
	if isMap {
		kind = "Map"
	}
	size := int(in.get(func() goja.Value { return o.Get("size") }).ToInteger())
	if in.tooDeep(depth) {
		return "[" + kind + "]"
	}
	var entries []string
	count := 0
	err := in.vm.Try(func() {
		in.vm.ForOf(o, func(cur goja.Value) bool {
			if count == maxArrayItems {
				return false
			}
			count++
			if isMap {
				pair := cur.ToObject(in.vm)
				entries = append(entries, in.value(pair.Get("0"), depth+1, true)+" => "+in.value(pair.Get("1"), depth+1, true))
			} else {
				entries = append(entries, in.value(cur, depth+1, true))
			}
			return true
		})
	})
	if err != nil {
		entries = append(entries, "<items unknown>")
	}
	if size > count && err == nil {
		more := size - count
		entries = append(entries, "... "+strconv.Itoa(more)+" more item"+plural(more))
	}
	entries = append(entries, in.props(o, depth, false)...)
	head := in.prefix(o, kind)
	if head == "" {
		head = kind + " "
	}
	head = strings.TrimSuffix(head, " ") + "(" + strconv.Itoa(size) + ") "
	return head + in.join(entries, "{", "}", depth)
}

func (in *inspector) plain(o *goja.Object, depth int) string {
	prefix := in.prefix(o, "Object")
	if in.tooDeep(depth) && (len(o.Keys()) > 0 || len(o.Symbols()) > 0) {
		name := strings.TrimSpace(prefix)
		if name == "" {
			name = "Object"
		}
		return "[" + name + "]"
	}
	entries := in.props(o, depth, false)
	if len(entries) == 0 {
		return prefix + "{}"
	}
	return prefix + in.join(entries, "{", "}", depth)
}

// withProps appends own enumerable properties to a head such as
// "[Function: f]", as node prints `[Function: f] { a: 1 }`.
func (in *inspector) withProps(o *goja.Object, depth int, head, body string) string {
	// A String object's characters are index keys; node does not list them.
	entries := in.props(o, depth, o.ClassName() == "String")
	if o.ClassName() == "Error" {
		entries = withoutKeys(entries, "stack", "message")
	}
	if body != "" {
		if len(entries) == 0 {
			return head + " " + body
		}
		return head + " " + in.join(append([]string{strings.Trim(body, "{} ")}, entries...), "{", "}", depth)
	}
	if len(entries) == 0 || in.tooDeep(depth) {
		return head
	}
	return head + " " + in.join(entries, "{", "}", depth)
}

func withoutKeys(entries []string, keys ...string) []string {
	out := entries[:0]
next:
	for _, e := range entries {
		for _, k := range keys {
			if strings.HasPrefix(e, k+": ") {
				continue next
			}
		}
		out = append(out, e)
	}
	return out
}

// props renders own enumerable properties as `key: value` entries.
func (in *inspector) props(o *goja.Object, depth int, skipIndices bool) []string {
	keys := o.Keys()
	var entries []string
	for _, k := range keys {
		if skipIndices && isIndex(k) {
			continue
		}
		key := k
		v := in.get(func() goja.Value { return o.Get(key) })
		entries = append(entries, formatKey(k)+": "+in.value(v, depth+1, true))
	}
	for _, s := range o.Symbols() {
		sym := s
		v := in.get(func() goja.Value { return o.GetSymbol(sym) })
		entries = append(entries, "["+symbolString(sym)+"]: "+in.value(v, depth+1, true))
	}
	return entries
}

// prefix is "Name " for instances of a class other than base, and
// "[Object: null prototype] " for objects without a prototype.
func (in *inspector) prefix(o *goja.Object, base string) string {
	proto := o.Prototype()
	if proto == nil {
		return "[" + base + ": null prototype] "
	}
	name := in.ctorName(o)
	tag := ""
	if t, ok := in.get(func() goja.Value { return o.GetSymbol(goja.SymToStringTag) }).Export().(string); ok && t != "" && t != name {
		tag = " [" + t + "]"
	}
	if name == base && tag == "" {
		return ""
	}
	if name == "" {
		name = base
	}
	return name + tag + " "
}

func (in *inspector) ctorName(o *goja.Object) string {
	proto := o.Prototype()
	if proto == nil {
		return ""
	}
	ctor, ok := in.get(func() goja.Value { return proto.Get("constructor") }).(*goja.Object)
	if !ok {
		return ""
	}
	name, _ := in.get(func() goja.Value { return ctor.Get("name") }).Export().(string)
	return name
}

// join lays entries out on one line when they fit, else one per line.
func (in *inspector) join(entries []string, open, close string, depth int) string {
	if len(entries) == 0 {
		return open + close
	}
	total := len(open) + len(close) + 2*depth
	multiline := false
	for _, e := range entries {
		total += len(e) + 2
		if strings.IndexByte(e, '\n') >= 0 {
			multiline = true
		}
	}
	if !multiline && total <= in.opts.BreakLength {
		return open + " " + strings.Join(entries, ", ") + " " + close
	}
	// Nested blocks are indented by their parent, so each level adds two
	// spaces to everything inside it.
	var b strings.Builder
	b.WriteString(open)
	b.WriteByte('\n')
	for i, e := range entries {
		b.WriteString("  ")
		b.WriteString(strings.ReplaceAll(e, "\n", "\n  "))
		if i < len(entries)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(close)
	return b.String()
}

func formatKey(k string) string {
	if isIdentifier(k) {
		return k
	}
	return Quote(k)
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}

func isIndex(s string) bool {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// symbolString is String(sym): "Symbol(description)".
func symbolString(s *goja.Symbol) string {
	return "Symbol(" + s.String() + ")"
}

// isTypedArray: typed arrays export as Go slices of numbers; a JS Array
// exports as []interface{}.
func isTypedArray(o *goja.Object) bool {
	t := o.ExportType()
	if t == nil || t.Kind() != reflect.Slice {
		return false
	}
	switch t.Elem().Kind() {
	case reflect.Int8, reflect.Uint8, reflect.Int16, reflect.Uint16, reflect.Int32,
		reflect.Uint32, reflect.Int64, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
