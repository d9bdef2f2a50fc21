package deploy

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/dop251/goja"

	"gopk/runtime/bundle"
	"gopk/runtime/cron"
	"gopk/runtime/room"
)

// checked is a version that compiled and whose every module evaluated.
type checked struct {
	manifest *Manifest
	programs map[string]*goja.Program
}

// ValidationError is why a version was refused; the old one keeps serving.
type ValidationError struct {
	Party string
	Err   error
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("party %q: %v", e.Party, e.Err)
}

func (e *ValidationError) Unwrap() error { return e.Err }

// check compiles every party of the unpacked version in dir and evaluates
// each module body in a scratch VM, as a room would, so that a version that
// cannot start is refused before any room sees it.
func check(dir string, platform room.Platform, log *slog.Logger, timeout time.Duration) (*checked, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if err := cron.Validate(m.Crons); err != nil {
		return nil, err
	}
	programs := make(map[string]*goja.Program, len(m.Parties))
	for _, name := range m.Parties {
		code, err := os.ReadFile(filepath.Join(dir, partiesDir, name+".js"))
		if err != nil {
			return nil, err
		}
		prog, err := bundle.Compile(name, code)
		if err != nil {
			return nil, &ValidationError{Party: name, Err: err}
		}
		programs[name] = prog
	}
	code := &room.Code{Programs: programs, ProcessEnv: m.ProcessEnv}
	for _, name := range m.Parties {
		if err := room.Validate(code, name, platform, log.With("party", name, "phase", "validate"), timeout); err != nil {
			return nil, &ValidationError{Party: name, Err: err}
		}
	}
	return &checked{manifest: m, programs: programs}, nil
}
