package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"gopk/runtime/assets"
	"gopk/runtime/config"
	"gopk/runtime/project"
)

// BuildOptions say how the client side of `gopk deploy` builds a version.
type BuildOptions struct {
	Load config.LoadOptions // -c, --var, --define, -n, --serve, --minify, --with-env
	// WithVars sends every var (config "vars", .env, --var); otherwise only
	// the --var ones, as `partykit deploy` does. Vars not sent come from the
	// project's env on the server (`gopk env`).
	WithVars bool
	// Host gives PARTYKIT_HOST for the bundle, from the project name.
	Host   func(name string) string
	Client string // gopk's version, recorded in the manifest
}

// Packed is a version ready to upload.
type Packed struct {
	Name     string
	Manifest *Manifest
	Archive  []byte
	Warnings []string
	Took     time.Duration
}

// Build loads the project, bundles every party with the pipeline `gopk dev`
// uses (runtime/project) and packs the version.
func Build(o BuildOptions) (*Packed, error) {
	start := time.Now()
	o.Load.Dev = false
	p, err := config.Load(o.Load)
	if err != nil {
		return nil, err
	}
	if p.Name == "" {
		return nil, errors.New(`the project has no name: set "name" in partykit.json or pass -n NAME`)
	}
	if err := ValidateName(p.Name); err != nil {
		return nil, err
	}
	host := ""
	if o.Host != nil {
		host = o.Host(p.Name)
	}
	built, err := project.Build(p, project.Options{Host: host, Namespace: p.Name})
	if err != nil {
		return nil, err
	}
	// serve.build: the client bundle goes into serve.path before it is packed.
	client, err := assets.Build(p, host)
	if err != nil {
		return nil, err
	}
	warnings := append([]string(nil), p.Warnings...)
	if client != nil {
		warnings = append(warnings, client.Warnings...)
	}
	vars, err := cliVars(o.Load.Vars)
	if err != nil {
		return nil, err
	}
	if o.WithVars {
		vars = p.Vars
	}
	m := &Manifest{
		Format:             ManifestFormat,
		Name:               p.Name,
		Vars:               vars,
		ProcessEnv:         p.ProcessEnv,
		Crons:              p.Crons,
		CompatibilityDate:  p.CompatibilityDate,
		CompatibilityFlags: p.CompatibilityFlags,
		Client:             o.Client,
	}
	assets := ""
	if p.Serve != nil {
		m.Serve = &ServeOptions{SinglePageApp: p.Serve.SinglePageApp}
		assets = p.Serve.Path
	}
	var buf bytes.Buffer
	if err := Pack(&buf, m, built.Bundles, assets); err != nil {
		return nil, err
	}
	return &Packed{Name: p.Name, Manifest: m, Archive: buf.Bytes(), Warnings: warnings, Took: time.Since(start)}, nil
}

// cliVars reads --var KEY=VALUE flags (split at the first '=').
func cliVars(flags []string) (map[string]any, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	vars := make(map[string]any, len(flags))
	for _, f := range flags {
		k, v, ok := strings.Cut(f, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--var %q: want KEY=VALUE", f)
		}
		vars[k] = v
	}
	return vars, nil
}
