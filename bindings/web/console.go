package web

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/dop251/goja"

	"gopk/bindings/web/inspect"
)

// consoleState is what console.count/time/group remember per room.
type consoleState struct {
	counts map[string]int
	timers map[string]time.Time
	indent int
}

// buildConsole makes `console`, writing to env.Logger at the slog level that
// matches each method. Formatting is skipped when the level is disabled.
func (g *Globals) buildConsole() []goja.Value {
	c := g.vm.NewObject()
	logAt := func(level slog.Level) func(goja.FunctionCall) goja.Value {
		return func(call goja.FunctionCall) goja.Value {
			g.consoleLog(level, call.Arguments, nil)
			return goja.Undefined()
		}
	}
	set := func(name string, fn func(goja.FunctionCall) goja.Value) {
		_ = c.Set(name, fn)
	}
	set("log", logAt(slog.LevelInfo))
	set("info", logAt(slog.LevelInfo))
	set("warn", logAt(slog.LevelWarn))
	set("error", logAt(slog.LevelError))
	set("debug", logAt(slog.LevelDebug))
	set("dir", func(call goja.FunctionCall) goja.Value {
		g.consoleLog(slog.LevelInfo, call.Arguments[:min(1, len(call.Arguments))], nil)
		return goja.Undefined()
	})
	set("table", logAt(slog.LevelInfo))
	set("trace", func(call goja.FunctionCall) goja.Value {
		stack := g.vm.CaptureCallStack(0, nil)
		var b strings.Builder
		for _, f := range stack {
			b.WriteString("\n    at ")
			b.WriteString(f.FuncName())
			b.WriteString(" (")
			b.WriteString(f.Position().String())
			b.WriteString(")")
		}
		msg := "Trace"
		if len(call.Arguments) > 0 {
			msg += ": " + inspect.Format(g.vm, call.Arguments)
		}
		g.consoleLog(slog.LevelDebug, nil, []string{msg + b.String()})
		return goja.Undefined()
	})
	set("assert", func(call goja.FunctionCall) goja.Value {
		if call.Argument(0).ToBoolean() {
			return goja.Undefined()
		}
		rest := call.Arguments[min(1, len(call.Arguments)):]
		if len(rest) == 0 {
			g.consoleLog(slog.LevelError, nil, []string{"Assertion failed"})
		} else if goja.IsString(rest[0]) {
			args := append([]goja.Value{g.vm.ToValue("Assertion failed: " + rest[0].String())}, rest[1:]...)
			g.consoleLog(slog.LevelError, args, nil)
		} else {
			args := append([]goja.Value{g.vm.ToValue("Assertion failed:")}, rest...)
			g.consoleLog(slog.LevelError, args, nil)
		}
		return goja.Undefined()
	})
	label := func(call goja.FunctionCall) string {
		if a := call.Argument(0); !goja.IsUndefined(a) {
			return a.String()
		}
		return "default"
	}
	set("count", func(call goja.FunctionCall) goja.Value {
		if g.console.counts == nil {
			g.console.counts = make(map[string]int)
		}
		l := label(call)
		g.console.counts[l]++
		g.consoleLog(slog.LevelInfo, nil, []string{l + ": " + strconv.Itoa(g.console.counts[l])})
		return goja.Undefined()
	})
	set("countReset", func(call goja.FunctionCall) goja.Value {
		delete(g.console.counts, label(call))
		return goja.Undefined()
	})
	set("time", func(call goja.FunctionCall) goja.Value {
		if g.console.timers == nil {
			g.console.timers = make(map[string]time.Time)
		}
		g.console.timers[label(call)] = time.Now()
		return goja.Undefined()
	})
	elapsed := func(call goja.FunctionCall, end bool) goja.Value {
		l := label(call)
		start, ok := g.console.timers[l]
		if !ok {
			g.consoleLog(slog.LevelWarn, nil, []string{"No such label '" + l + "' for console.time" + map[bool]string{true: "End", false: "Log"}[end] + "()"})
			return goja.Undefined()
		}
		if end {
			delete(g.console.timers, l)
		}
		ms := float64(time.Since(start).Microseconds()) / 1000
		line := l + ": " + strconv.FormatFloat(ms, 'f', 3, 64) + "ms"
		if extra := call.Arguments[min(1, len(call.Arguments)):]; len(extra) > 0 && !end {
			line += " " + inspect.Format(g.vm, extra)
		}
		g.consoleLog(slog.LevelInfo, nil, []string{line})
		return goja.Undefined()
	}
	set("timeEnd", func(call goja.FunctionCall) goja.Value { return elapsed(call, true) })
	set("timeLog", func(call goja.FunctionCall) goja.Value { return elapsed(call, false) })
	group := func(call goja.FunctionCall) goja.Value {
		if len(call.Arguments) > 0 {
			g.consoleLog(slog.LevelInfo, call.Arguments, nil)
		}
		g.console.indent++
		return goja.Undefined()
	}
	set("group", group)
	set("groupCollapsed", group)
	set("groupEnd", func(goja.FunctionCall) goja.Value {
		if g.console.indent > 0 {
			g.console.indent--
		}
		return goja.Undefined()
	})
	return []goja.Value{c}
}

// consoleLog formats args (or takes pre-formatted text) and logs it.
func (g *Globals) consoleLog(level slog.Level, args []goja.Value, text []string) {
	ctx := context.Background()
	if !g.env.Logger.Enabled(ctx, level) {
		return
	}
	var msg string
	if text != nil {
		msg = strings.Join(text, " ")
	} else {
		msg = inspect.Format(g.vm, args)
	}
	if g.console.indent > 0 {
		pad := strings.Repeat("  ", g.console.indent)
		msg = pad + strings.ReplaceAll(msg, "\n", "\n"+pad)
	}
	// source=console lets log handlers show console output as plain text.
	g.env.Logger.Log(ctx, level, msg, slog.String("source", "console"))
}
