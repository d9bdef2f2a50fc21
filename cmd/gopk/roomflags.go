package main

import (
	"github.com/spf13/pflag"

	"gopk/runtime/room"
)

// roomFlags are the limits every command that runs rooms accepts. Zero
// keeps the defaults documented on room.Options.
func roomFlags(f *pflag.FlagSet, o *room.Options) {
	f.DurationVar(&o.EventBudget, "event-budget", 0, "how long one event may run before its room is reset (default 30s)")
	f.Int64Var(&o.MemoryBudget, "memory-budget", 0, "how many bytes the heap may grow during one event before its room is reset (default 512 MiB)")
	f.IntVar(&o.MaxConnections, "max-connections", 0, "open WebSockets allowed in the process (default 100000)")
	f.IntVar(&o.MaxRoomConnections, "max-room-connections", 0, "open WebSockets allowed in one room (default 10000)")
	f.DurationVar(&o.IdleTimeout, "idle-timeout", 0, "how long a room without sockets keeps its VM (default 30s)")
	f.DurationVar(&o.HibernateAfter, "hibernate-after", 0, "how long a hibernating server stays quiet before its VM is freed (default 10s)")
}
