package wasm

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dop251/goja"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/sys"
)

// Linking. wazero resolves a module's imports by module name: every name
// ("env", "wasi_snapshot_preview1", ...) must be one instance exporting
// every item under the name the importer asks for. The JS API instead hands
// each import its own value. So for each import module name this file finds
// or makes one instance that provides it:
//
//   - only JS functions: a host module of Go functions that call them;
//   - everything from one instance, under its own names (passing
//     `instance.exports` on, the common case): that instance;
//   - a mix: a small "link" module gopk writes, which imports each item
//     from where it lives and exports it under the asked name.
//
// Every instance is anonymous, and the resolution goes through wazero's
// import resolver, so no room can reach another room's instances.

// source is where an import's value lives in wazero: an export of an
// instance, or (mod == nil) the host function host of this instantiation.
type source struct {
	mod  api.Module
	name string
	host int
}

func isObject(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && o != nil
}

// instantiate makes an instance of c and returns its exports object.
func (r *realm) instantiate(c *compiled, importObj goja.Value, apiName string) goja.Value {
	info := c.info
	if len(info.imports) > 0 && !isObject(importObj) {
		r.typeError("%s: Imports argument must be present and must be an object", apiName)
	}
	slot := len(r.hostCalls)
	r.hostCalls = append(r.hostCalls, nil)
	vals := make([]goja.Value, len(info.imports))
	srcs := make([]source, len(info.imports))
	imported := make([]any, len(info.imports)) // *memory, *global or *table handles
	var order []string
	groups := map[string][]int{}
	for i, imp := range info.imports {
		where := fmt.Sprintf("%s: Import #%d %q", apiName, i, imp.module)
		modv := importObj.ToObject(r.vm).Get(imp.module)
		if !isObject(modv) {
			r.typeError("%s: module is not an object or function", where)
		}
		where += fmt.Sprintf(" %q", imp.name)
		v := modv.ToObject(r.vm).Get(imp.name)
		if v == nil {
			v = goja.Undefined()
		}
		vals[i] = v
		if _, seen := groups[imp.module]; !seen {
			order = append(order, imp.module)
		}
		groups[imp.module] = append(groups[imp.module], i)
		switch imp.kind {
		case kindFunc:
			fn, ok := goja.AssertFunction(v)
			if !ok {
				r.throw(r.shell.linkError, "%s: function import requires a callable", where)
			}
			if wf := r.funcs[v.(*goja.Object)]; wf != nil && wf.name != "" {
				if !wf.typ.equal(imp.fn) {
					r.throw(r.shell.linkError, "%s: imported function does not match the expected type", where)
				}
				srcs[i] = source{mod: wf.mod, name: wf.name}
				continue
			}
			r.hostCalls[slot] = append(r.hostCalls[slot], hostCall{fn: fn, typ: imp.fn})
			srcs[i] = source{host: len(r.hostCalls[slot]) - 1}
		case kindMemory:
			m := r.memoryOf(v)
			if m == nil {
				r.throw(r.shell.linkError, "%s: memory import must be a WebAssembly.Memory object", where)
			}
			if pages := m.mem.Size() / 65536; pages < imp.mem.min {
				r.throw(r.shell.linkError, "%s: memory import has %d pages which is smaller than the declared initial of %d", where, pages, imp.mem.min)
			}
			if max, has := m.mem.Definition().Max(); imp.mem.hasMax && (!has || max > imp.mem.max) {
				r.throw(r.shell.linkError, "%s: memory import has a larger maximum size %d than the module's declared maximum %d", where, max, imp.mem.max)
			}
			srcs[i], imported[i] = source{mod: m.owner, name: m.name}, m
		case kindTable:
			t := r.tableOf(v)
			if t == nil {
				r.throw(r.shell.linkError, "%s: table import requires a WebAssembly.Table", where)
			}
			if t.typ.elem != imp.table.elem {
				r.throw(r.shell.linkError, "%s: imported table does not match the expected type", where)
			}
			if size := r.tableSize(t); size < imp.table.min {
				r.throw(r.shell.linkError, "%s: table import has %d elements which is smaller than the declared initial of %d", where, size, imp.table.min)
			}
			srcs[i], imported[i] = source{mod: t.owner, name: t.name}, t
		case kindGlobal:
			g := r.globalOf(v)
			if g == nil {
				g = r.globalFromValue(imp.global, v, where)
			}
			if g.typ != imp.global {
				r.throw(r.shell.linkError, "%s: imported global does not match the expected type and mutability", where)
			}
			if g.jsOnly {
				r.throw(r.shell.linkError, "%s: gopk cannot give WebAssembly an immutable reference global that holds a value other than null", where)
			}
			srcs[i], imported[i] = source{mod: g.owner, name: g.name}, g
		default:
			r.throw(r.shell.linkError, "%s: %s imports are not supported by gopk", where, imp.kind)
		}
	}

	resolve := make(map[string]api.Module, len(order))
	for _, name := range order {
		p, err := r.provider(slot, info, groups[name], srcs)
		if err != nil {
			r.throw(r.shell.linkError, "%s: %s", apiName, err)
		}
		resolve[name] = p
	}

	r.enter() // the start function runs now, and may run forever
	mod, err := r.e.instantiate(c, resolve)
	r.leave()
	if err != nil {
		r.instantiateError(err, apiName)
	}
	r.res.addModule(mod)
	r.addTypes(info.types)
	return r.exportsObject(mod, info, vals, imported)
}

// provider returns the instance that serves the imports idx, which share
// one module name.
func (r *realm) provider(slot int, info *moduleInfo, idx []int, srcs []source) (api.Module, error) {
	allHost, oneMod := true, srcs[idx[0]].mod
	for _, i := range idx {
		s := srcs[i]
		if s.mod != nil {
			allHost = false
		}
		if s.mod != oneMod || s.mod == nil || s.name != info.imports[i].name {
			oneMod = nil
		}
	}
	if oneMod != nil {
		return oneMod, nil
	}

	// The JS functions of this module name, exported under their names.
	var hostNames []string
	var hostIdx []int
	seen := map[string]bool{}
	for _, i := range idx {
		if srcs[i].mod == nil && !seen[info.imports[i].name] {
			seen[info.imports[i].name] = true
			hostNames = append(hostNames, info.imports[i].name)
			hostIdx = append(hostIdx, srcs[i].host)
		}
	}
	var hostMod api.Module
	if len(hostNames) > 0 {
		code, err := r.hostModuleFor(slot, hostNames, hostIdx)
		if err != nil {
			return nil, err
		}
		r.res.addCompiled(code)
		hostMod, err = r.e.instantiate(&compiled{code: code}, nil)
		if err != nil {
			return nil, err
		}
		r.res.addModule(hostMod)
	}
	if allHost {
		return hostMod, nil
	}

	// A link module: import each item from where it lives, export it
	// under the name asked for.
	var w moduleWriter
	resolve := map[string]api.Module{"h": hostMod}
	slotOf := map[api.Module]string{}
	exported := map[string]bool{}
	for _, i := range idx {
		imp, s := info.imports[i], srcs[i]
		if exported[imp.name] {
			continue // the same name imported twice: wazero checks both against one export
		}
		exported[imp.name] = true
		d := imp
		if s.mod == nil {
			d.module = "h"
		} else {
			name, ok := slotOf[s.mod]
			if !ok {
				name = "m" + strconv.Itoa(len(slotOf))
				slotOf[s.mod] = name
				resolve[name] = s.mod
			}
			d.module, d.name = name, s.name
		}
		w.exports = append(w.exports, exportDesc{name: imp.name, kind: imp.kind, index: w.addImport(d)})
	}
	link, err := r.e.compileOwn(w.bytes())
	if err != nil {
		return nil, err
	}
	mod, err := r.e.instantiate(link, resolve)
	if err != nil {
		return nil, err
	}
	r.res.addModule(mod)
	return mod, nil
}

// instantiateError throws what V8 throws for a failed instantiation: the
// start function's exception or trap, RuntimeError for a segment that does
// not fit, LinkError for the rest.
func (r *realm) instantiateError(err error, apiName string) {
	var t *thrown
	var exit *sys.ExitError
	if errors.As(err, &t) || errors.As(err, &exit) {
		r.rethrow(err)
	}
	msg := err.Error()
	if i := strings.Index(msg, "wasm error: "); i >= 0 {
		r.rethrow(errors.New(msg[i:]))
	}
	if strings.Contains(msg, "out of bounds") {
		r.throw(r.shell.runtimeErr, "%s: %s", apiName, msg)
	}
	r.throw(r.shell.linkError, "%s: %s", apiName, msg)
}

// exportsObject is instance.exports: a frozen object without prototype,
// one property per export, in order. A function, memory, table or global
// that came in as an import goes out as the same JS object.
func (r *realm) exportsObject(mod api.Module, info *moduleInfo, vals []goja.Value, imported []any) goja.Value {
	// Positions of imports within each kind's index space.
	var importPos [5][]int
	for i, imp := range info.imports {
		importPos[imp.kind] = append(importPos[imp.kind], i)
	}
	ex := r.vm.NewObject()
	_ = ex.SetPrototype(nil)
	for _, e := range info.exports {
		var v goja.Value
		if int(e.index) < len(importPos[e.kind]) {
			pos := importPos[e.kind][e.index]
			v = vals[pos]
			switch h := imported[pos].(type) {
			case *global:
				v = r.globalObject(h)
			}
		} else {
			switch e.kind {
			case kindFunc:
				name, typ := e.name, info.funcs[e.index]
				v = r.funcObject(funcKey{mod, e.index}, func() *wasmFunc {
					return &wasmFunc{mod: mod, name: name, typ: typ,
						fresh: func() api.Function { return mod.ExportedFunction(name) }}
				})
			case kindMemory:
				v = r.memoryObject(mod, e.name)
			case kindGlobal:
				v = r.globalObject(r.exportedGlobal(mod, e.name, info.globals[e.index]))
			case kindTable:
				v = r.tableObject(r.exportedTable(mod, e.name, e.index, info.tables[e.index]))
			default:
				continue
			}
		}
		_ = ex.DefineDataProperty(e.name, v, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	}
	freeze, _ := goja.AssertFunction(r.vm.GlobalObject().Get("Object").ToObject(r.vm).Get("freeze"))
	if _, err := freeze(goja.Undefined(), ex); err != nil {
		panic(err)
	}
	return ex
}
