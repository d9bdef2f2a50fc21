// Package storetest holds file systems that let tests control when the store's
// data reaches the disk: hold every fsync to prove that nothing is
// acknowledged before it is durable (the output gate), and count fsyncs to
// prove group commit.
package storetest

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/vfs"
)

// SyncGate wraps a vfs.FS. While held, every Sync of a write-ahead log file
// blocks until Release; other files are untouched, so Pebble's background
// work goes on. It counts the WAL syncs that completed.
type SyncGate struct {
	vfs.FS

	mu      sync.Mutex
	held    bool
	open    chan struct{} // closed on Release
	waiting atomic.Int64
	syncs   atomic.Int64
}

// NewSyncGate wraps fs with an open gate.
func NewSyncGate(fs vfs.FS) *SyncGate {
	return &SyncGate{FS: fs, open: make(chan struct{})}
}

// Hold makes later WAL syncs block.
func (g *SyncGate) Hold() {
	g.mu.Lock()
	if !g.held {
		g.held = true
		g.open = make(chan struct{})
	}
	g.mu.Unlock()
}

// Release lets blocked and later WAL syncs through.
func (g *SyncGate) Release() {
	g.mu.Lock()
	if g.held {
		g.held = false
		close(g.open)
	}
	g.mu.Unlock()
}

// Waiting reports how many WAL syncs are blocked right now.
func (g *SyncGate) Waiting() int64 { return g.waiting.Load() }

// Syncs reports how many WAL syncs have completed.
func (g *SyncGate) Syncs() int64 { return g.syncs.Load() }

func (g *SyncGate) pass() {
	g.mu.Lock()
	held, open := g.held, g.open
	g.mu.Unlock()
	if held {
		g.waiting.Add(1)
		<-open
		g.waiting.Add(-1)
	}
}

func isWAL(name string) bool { return strings.HasSuffix(name, ".log") }

func (g *SyncGate) wrap(name string, f vfs.File, err error) (vfs.File, error) {
	if err != nil || !isWAL(name) {
		return f, err
	}
	return &gatedFile{File: f, g: g}, nil
}

func (g *SyncGate) Create(name string) (vfs.File, error) {
	f, err := g.FS.Create(name)
	return g.wrap(name, f, err)
}

func (g *SyncGate) ReuseForWrite(oldname, newname string) (vfs.File, error) {
	f, err := g.FS.ReuseForWrite(oldname, newname)
	return g.wrap(newname, f, err)
}

func (g *SyncGate) OpenReadWrite(name string, opts ...vfs.OpenOption) (vfs.File, error) {
	f, err := g.FS.OpenReadWrite(name, opts...)
	return g.wrap(name, f, err)
}

type gatedFile struct {
	vfs.File
	g *SyncGate
}

func (f *gatedFile) Sync() error {
	f.g.pass()
	err := f.File.Sync()
	f.g.syncs.Add(1)
	return err
}

func (f *gatedFile) SyncData() error {
	f.g.pass()
	err := f.File.SyncData()
	f.g.syncs.Add(1)
	return err
}

func (f *gatedFile) SyncTo(length int64) (bool, error) {
	f.g.pass()
	full, err := f.File.SyncTo(length)
	f.g.syncs.Add(1)
	return full, err
}
