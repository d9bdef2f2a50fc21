package main

import (
	"github.com/spf13/pflag"

	"gopk/runtime/room"
)

// roomFlags are the limits every command that runs rooms accepts.
func roomFlags(f *pflag.FlagSet, o *room.Options) {
	f.DurationVar(&o.EventBudget, "event-budget", 0, "how long one event may run before its room is reset (default 30s)")
	f.Int64Var(&o.MemoryBudget, "memory-budget", 0, "how many bytes the heap may grow during one event before its room is reset (default 512 MiB)")
}
