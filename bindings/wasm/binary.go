package wasm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// This file reads and writes the few parts of the WebAssembly binary format
// the JS API needs and wazero's public API does not give: every import and
// export with its type (wazero lists only functions and memories), custom
// sections, and the tiny modules gopk writes itself to hold a JS-created
// Memory, Global or Table, or to link imports (see link.go).

// Value types of the binary format.
const (
	valI32       byte = 0x7f
	valI64       byte = 0x7e
	valF32       byte = 0x7d
	valF64       byte = 0x7c
	valV128      byte = 0x7b
	valFuncref   byte = 0x70
	valExternref byte = 0x6f
)

// Kinds of imports and exports.
type externKind byte

const (
	kindFunc   externKind = 0
	kindTable  externKind = 1
	kindMemory externKind = 2
	kindGlobal externKind = 3
	kindTag    externKind = 4
)

// String is the kind's name in Module.imports() and Module.exports().
func (k externKind) String() string {
	switch k {
	case kindFunc:
		return "function"
	case kindTable:
		return "table"
	case kindMemory:
		return "memory"
	case kindGlobal:
		return "global"
	case kindTag:
		return "tag"
	}
	return fmt.Sprintf("kind %d", byte(k))
}

type funcType struct{ params, results []byte }

func (f funcType) equal(o funcType) bool {
	return string(f.params) == string(o.params) && string(f.results) == string(o.results)
}

type limits struct {
	min, max uint32
	hasMax   bool
	shared   bool
}

type tableType struct {
	elem byte
	limits
}

type globalType struct {
	val     byte
	mutable bool
}

type importDesc struct {
	module, name string
	kind         externKind
	fn           funcType // kindFunc and kindTag
	table        tableType
	mem          limits
	global       globalType
}

type exportDesc struct {
	name  string
	kind  externKind
	index uint32
}

type customSection struct {
	name string
	data []byte
}

// moduleInfo is what the JS API needs to know of a compiled module. Index
// spaces count imports first, as the format does.
type moduleInfo struct {
	types     []funcType
	imports   []importDesc
	exports   []exportDesc
	funcs     []funcType // type of each function
	tables    []tableType
	memories  []limits
	globals   []globalType
	custom    []customSection
	numImport [5]int // imports per kind
}

var errTruncated = errors.New("unexpected end of the module")

type reader struct {
	b   []byte
	pos int
}

func (r *reader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, errTruncated
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

func (r *reader) bytes(n int) ([]byte, error) {
	if n < 0 || r.pos+n > len(r.b) {
		return nil, errTruncated
	}
	s := r.b[r.pos : r.pos+n]
	r.pos += n
	return s, nil
}

func (r *reader) u32() (uint32, error) {
	v, n := binary.Uvarint(r.b[min(r.pos, len(r.b)):])
	if n <= 0 || n > 5 || v > math.MaxUint32 {
		return 0, errors.New("bad unsigned LEB128")
	}
	r.pos += n
	return uint32(v), nil
}

func (r *reader) name() (string, error) {
	n, err := r.u32()
	if err != nil {
		return "", err
	}
	b, err := r.bytes(int(n))
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", errors.New("name is not UTF-8")
	}
	return string(b), nil
}

func (r *reader) valTypes() ([]byte, error) {
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	b, err := r.bytes(int(n))
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

func (r *reader) limits() (limits, error) {
	flag, err := r.byte()
	if err != nil {
		return limits{}, err
	}
	if flag > 3 {
		return limits{}, fmt.Errorf("unsupported limits flag %#x", flag)
	}
	var l limits
	l.shared = flag&2 != 0
	if l.min, err = r.u32(); err != nil {
		return l, err
	}
	if flag&1 != 0 {
		l.hasMax = true
		l.max, err = r.u32()
	}
	return l, err
}

func (r *reader) tableType() (tableType, error) {
	elem, err := r.byte()
	if err != nil {
		return tableType{}, err
	}
	l, err := r.limits()
	return tableType{elem: elem, limits: l}, err
}

func (r *reader) globalType() (globalType, error) {
	v, err := r.byte()
	if err != nil {
		return globalType{}, err
	}
	m, err := r.byte()
	return globalType{val: v, mutable: m == 1}, err
}

// skipConstExpr steps over a constant expression (global initialisers).
func (r *reader) skipConstExpr() error {
	for {
		op, err := r.byte()
		if err != nil {
			return err
		}
		switch op {
		case 0x0b: // end
			return nil
		case 0x41, 0x42: // i32.const, i64.const: signed LEB128
			for {
				c, err := r.byte()
				if err != nil {
					return err
				}
				if c&0x80 == 0 {
					break
				}
			}
		case 0x43:
			_, err = r.bytes(4)
		case 0x44:
			_, err = r.bytes(8)
		case 0x23, 0xd2: // global.get, ref.func
			_, err = r.u32()
		case 0xd0: // ref.null
			_, err = r.byte()
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // extended-const arithmetic
		case 0xfd: // v128.const
			if _, err = r.u32(); err == nil {
				_, err = r.bytes(16)
			}
		default:
			return fmt.Errorf("unexpected opcode %#x in a constant expression", op)
		}
		if err != nil {
			return err
		}
	}
}

// parseModule reads the sections moduleInfo needs from a module wazero has
// already validated.
func parseModule(b []byte) (*moduleInfo, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly module")
	}
	info := &moduleInfo{}
	r := &reader{b: b, pos: 8}
	var funcTypeIdx []uint32
	for r.pos < len(b) {
		id, err := r.byte()
		if err != nil {
			return nil, err
		}
		size, err := r.u32()
		if err != nil {
			return nil, err
		}
		body, err := r.bytes(int(size))
		if err != nil {
			return nil, err
		}
		s := &reader{b: body}
		if err := info.parseSection(id, s, &funcTypeIdx); err != nil {
			return nil, fmt.Errorf("section %d: %w", id, err)
		}
	}
	for _, ti := range funcTypeIdx {
		if int(ti) >= len(info.types) {
			return nil, fmt.Errorf("function type %d out of range", ti)
		}
		info.funcs = append(info.funcs, info.types[ti])
	}
	return info, nil
}

func (info *moduleInfo) parseSection(id byte, s *reader, funcTypeIdx *[]uint32) error {
	switch id {
	case 0:
		name, err := s.name()
		if err != nil {
			return err
		}
		info.custom = append(info.custom, customSection{name: name, data: append([]byte(nil), s.b[s.pos:]...)})
		return nil
	case 1, 2, 3, 4, 5, 6, 7:
	default:
		return nil
	}
	n, err := s.u32()
	if err != nil {
		return err
	}
	for range n {
		switch id {
		case 1: // types
			form, err := s.byte()
			if err != nil {
				return err
			}
			if form != 0x60 {
				return fmt.Errorf("unsupported type form %#x", form)
			}
			var ft funcType
			if ft.params, err = s.valTypes(); err != nil {
				return err
			}
			if ft.results, err = s.valTypes(); err != nil {
				return err
			}
			info.types = append(info.types, ft)
		case 2: // imports
			if err := info.parseImport(s); err != nil {
				return err
			}
		case 3: // functions
			ti, err := s.u32()
			if err != nil {
				return err
			}
			*funcTypeIdx = append(*funcTypeIdx, ti)
		case 4:
			t, err := s.tableType()
			if err != nil {
				return err
			}
			info.tables = append(info.tables, t)
		case 5:
			l, err := s.limits()
			if err != nil {
				return err
			}
			info.memories = append(info.memories, l)
		case 6:
			g, err := s.globalType()
			if err != nil {
				return err
			}
			if err := s.skipConstExpr(); err != nil {
				return err
			}
			info.globals = append(info.globals, g)
		case 7:
			name, err := s.name()
			if err != nil {
				return err
			}
			k, err := s.byte()
			if err != nil {
				return err
			}
			idx, err := s.u32()
			if err != nil {
				return err
			}
			info.exports = append(info.exports, exportDesc{name: name, kind: externKind(k), index: idx})
		}
	}
	return nil
}

func (info *moduleInfo) parseImport(s *reader) error {
	var d importDesc
	var err error
	if d.module, err = s.name(); err != nil {
		return err
	}
	if d.name, err = s.name(); err != nil {
		return err
	}
	k, err := s.byte()
	if err != nil {
		return err
	}
	d.kind = externKind(k)
	switch d.kind {
	case kindFunc:
		ti, err := s.u32()
		if err != nil {
			return err
		}
		if int(ti) >= len(info.types) {
			return fmt.Errorf("import type %d out of range", ti)
		}
		d.fn = info.types[ti]
		info.funcs = append(info.funcs, d.fn)
	case kindTable:
		if d.table, err = s.tableType(); err != nil {
			return err
		}
		info.tables = append(info.tables, d.table)
	case kindMemory:
		if d.mem, err = s.limits(); err != nil {
			return err
		}
		info.memories = append(info.memories, d.mem)
	case kindGlobal:
		if d.global, err = s.globalType(); err != nil {
			return err
		}
		info.globals = append(info.globals, d.global)
	case kindTag:
		if _, err := s.byte(); err != nil {
			return err
		}
		ti, err := s.u32()
		if err != nil {
			return err
		}
		if int(ti) < len(info.types) {
			d.fn = info.types[ti]
		}
	default:
		return fmt.Errorf("unknown import kind %#x", k)
	}
	info.numImport[d.kind]++
	info.imports = append(info.imports, d)
	return nil
}

// --- writing ---------------------------------------------------------------

// moduleWriter assembles a small module. Only what gopk's own modules use is
// there: no data segments, no start function.
type moduleWriter struct {
	types    []funcType
	imports  []importDesc
	funcs    []uint32 // type index of each defined function
	code     [][]byte // body of each defined function (locals vector included)
	tables   []tableType
	memories []limits
	globals  []globalDef
	exports  []exportDesc
	declared []uint32 // functions named by ref.func, declared in an element segment
	elems    []segment
	data     []segment
	start    *uint32
}

// segment is an active element segment of table 0 (funcs) or data segment
// of memory 0 (bytes), placed at a constant offset.
type segment struct {
	offset uint32
	funcs  []uint32
	bytes  []byte
}

type globalDef struct {
	typ  globalType
	init []byte // constant expression, end included
}

func (w *moduleWriter) typeIndex(ft funcType) uint32 {
	for i, t := range w.types {
		if t.equal(ft) {
			return uint32(i)
		}
	}
	w.types = append(w.types, ft)
	return uint32(len(w.types) - 1)
}

// addImport appends an import and returns its index in its kind's space
// (imports come first in every index space).
func (w *moduleWriter) addImport(d importDesc) uint32 {
	n := 0
	for _, i := range w.imports {
		if i.kind == d.kind {
			n++
		}
	}
	if d.kind == kindFunc {
		w.typeIndex(d.fn)
	}
	w.imports = append(w.imports, d)
	return uint32(n)
}

// addFunc defines a function and returns its index.
func (w *moduleWriter) addFunc(ft funcType, body []byte) uint32 {
	w.funcs = append(w.funcs, w.typeIndex(ft))
	w.code = append(w.code, body)
	imported := 0
	for _, i := range w.imports {
		if i.kind == kindFunc {
			imported++
		}
	}
	return uint32(imported + len(w.funcs) - 1)
}

func (w *moduleWriter) bytes() []byte {
	out := []byte("\x00asm\x01\x00\x00\x00")
	section := func(id byte, count int, body []byte) {
		if count == 0 {
			return
		}
		content := appendU32(nil, uint32(count))
		content = append(content, body...)
		out = append(out, id)
		out = appendU32(out, uint32(len(content)))
		out = append(out, content...)
	}
	var b []byte
	for _, t := range w.types {
		b = append(b, 0x60)
		b = appendU32(b, uint32(len(t.params)))
		b = append(b, t.params...)
		b = appendU32(b, uint32(len(t.results)))
		b = append(b, t.results...)
	}
	section(1, len(w.types), b)

	b = nil
	for _, d := range w.imports {
		b = appendName(b, d.module)
		b = appendName(b, d.name)
		b = append(b, byte(d.kind))
		switch d.kind {
		case kindFunc:
			b = appendU32(b, w.typeIndex(d.fn))
		case kindTable:
			b = append(b, d.table.elem)
			b = appendLimits(b, d.table.limits)
		case kindMemory:
			b = appendLimits(b, d.mem)
		case kindGlobal:
			b = append(b, d.global.val, boolByte(d.global.mutable))
		}
	}
	section(2, len(w.imports), b)

	b = nil
	for _, ti := range w.funcs {
		b = appendU32(b, ti)
	}
	section(3, len(w.funcs), b)

	b = nil
	for _, t := range w.tables {
		b = append(b, t.elem)
		b = appendLimits(b, t.limits)
	}
	section(4, len(w.tables), b)

	b = nil
	for _, m := range w.memories {
		b = appendLimits(b, m)
	}
	section(5, len(w.memories), b)

	b = nil
	for _, g := range w.globals {
		b = append(b, g.typ.val, boolByte(g.typ.mutable))
		b = append(b, g.init...)
	}
	section(6, len(w.globals), b)

	b = nil
	for _, e := range w.exports {
		b = appendName(b, e.name)
		b = append(b, byte(e.kind))
		b = appendU32(b, e.index)
	}
	section(7, len(w.exports), b)

	if w.start != nil {
		out = append(out, 8)
		s := appendU32(nil, *w.start)
		out = appendU32(out, uint32(len(s)))
		out = append(out, s...)
	}

	b = nil
	for _, e := range w.elems {
		b = append(b, 0) // active, table 0, funcref, offset expression
		b = append(b, constExpr(valI32, uint64(e.offset))...)
		b = appendU32(b, uint32(len(e.funcs)))
		for _, f := range e.funcs {
			b = appendU32(b, f)
		}
	}
	if len(w.declared) > 0 {
		// A declarative segment (flag 3, elemkind funcref) only makes the
		// functions legal operands of ref.func.
		b = append(b, 3, 0)
		b = appendU32(b, uint32(len(w.declared)))
		for _, f := range w.declared {
			b = appendU32(b, f)
		}
	}
	section(9, len(w.elems)+min(len(w.declared), 1), b)

	b = nil
	for _, body := range w.code {
		b = appendU32(b, uint32(len(body)))
		b = append(b, body...)
	}
	section(10, len(w.code), b)

	b = nil
	for _, d := range w.data {
		b = append(b, 0) // active, memory 0
		b = append(b, constExpr(valI32, uint64(d.offset))...)
		b = appendU32(b, uint32(len(d.bytes)))
		b = append(b, d.bytes...)
	}
	section(11, len(w.data), b)
	return out
}

func appendU32(b []byte, v uint32) []byte { return binary.AppendUvarint(b, uint64(v)) }

// appendS64 appends a signed LEB128 (i32.const and i64.const operands).
func appendS64(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

func appendName(b []byte, s string) []byte {
	b = appendU32(b, uint32(len(s)))
	return append(b, s...)
}

func appendLimits(b []byte, l limits) []byte {
	flag := byte(0)
	if l.hasMax {
		flag |= 1
	}
	if l.shared {
		flag |= 2
	}
	b = append(b, flag)
	b = appendU32(b, l.min)
	if l.hasMax {
		b = appendU32(b, l.max)
	}
	return b
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// constExpr is the initialiser of a global of type t holding the raw value
// v (the uint64 encoding wazero uses), for numeric types, or a null
// reference.
func constExpr(t byte, v uint64) []byte {
	switch t {
	case valI32:
		return append(appendS64([]byte{0x41}, int64(int32(uint32(v)))), 0x0b)
	case valI64:
		return append(appendS64([]byte{0x42}, int64(v)), 0x0b)
	case valF32:
		return append(binary.LittleEndian.AppendUint32([]byte{0x43}, uint32(v)), 0x0b)
	case valF64:
		return append(binary.LittleEndian.AppendUint64([]byte{0x44}, v), 0x0b)
	}
	return []byte{0xd0, t, 0x0b} // ref.null t
}
