package devserver

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch rebuilds on every change to a file that went into the current
// version (or the config and .env files) until ctx is done. Editors that
// save by writing a new file and renaming it are covered by watching the
// directories, not the files.
func (s *Server) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	files := map[string]bool{}
	dirs := map[string]bool{}
	refresh := func() {
		files = map[string]bool{}
		for _, f := range s.watchedFiles() {
			f = filepath.Clean(f)
			files[f] = true
			d := filepath.Dir(f)
			if !dirs[d] {
				if err := w.Add(d); err == nil {
					dirs[d] = true
				}
			}
		}
	}
	refresh()
	var debounce <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if files[filepath.Clean(ev.Name)] && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename|fsnotify.Remove) != 0 {
				debounce = time.After(60 * time.Millisecond)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			s.log.Warn("file watcher", "error", err)
		case <-debounce:
			debounce = nil
			_ = s.Rebuild()
			refresh()
		}
	}
}
