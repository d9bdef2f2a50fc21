package config

import (
	"os"
	"path/filepath"
)

// findUp returns the first regular file called name in dir or one of its
// parents (like the find-up package PartyKit uses), or "".
func findUp(dir, name string) string {
	for {
		path := filepath.Join(dir, name)
		if isFile(path) {
			return path
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
