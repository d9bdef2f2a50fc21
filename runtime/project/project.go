// Package project turns a loaded partykit.json into a version gopk can run:
// every party bundled and compiled, plus what the router needs (assets,
// crons). Dev and deploy share it, so both run exactly the same pipeline.
package project

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/dop251/goja"

	"gopk/runtime/bundle"
	"gopk/runtime/config"
	"gopk/runtime/room"
	"gopk/runtime/router"
)

// Built is one version of a project.
type Built struct {
	Project *config.Project
	Code    *room.Code
	Bundles map[string][]byte // party → bundled JS (with inline source map)
	Inputs  []string          // every file that went into a bundle (for the watcher)
	Assets  *router.Assets
	Took    time.Duration
}

// Options for Build.
type Options struct {
	// Host is PARTYKIT_HOST as the bundle sees it ("127.0.0.1:1999" in dev).
	Host string
	// Namespace keeps storage of different projects apart; default the name.
	Namespace string
}

// Build bundles and compiles every party of p.
func Build(p *config.Project, o Options) (*Built, error) {
	start := time.Now()
	define := make(map[string]string, len(p.Define)+1)
	for k, v := range p.Define {
		define[k] = v
	}
	if _, ok := define["PARTYKIT_HOST"]; !ok && o.Host != "" {
		define["PARTYKIT_HOST"] = fmt.Sprintf("%q", o.Host)
	}
	var alias map[string]string
	if p.Build != nil {
		alias = p.Build.Alias
	}
	res, err := bundle.Build(bundle.Options{
		Entries: p.Parties,
		Define:  define,
		Alias:   alias,
		Minify:  p.Minify,
		Dir:     p.Dir,
	})
	if err != nil {
		return nil, err
	}
	programs := make(map[string]*goja.Program, len(res.Parties))
	bundles := make(map[string][]byte, len(res.Parties))
	h := sha256.New()
	names := make([]string, 0, len(res.Parties))
	for name := range res.Parties {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		pt := res.Parties[name]
		programs[name] = pt.Program
		bundles[name] = pt.Code
		h.Write([]byte(name))
		h.Write(pt.Code)
	}
	ns := o.Namespace
	if ns == "" {
		ns = p.Name
	}
	b := &Built{
		Project: p,
		Code: &room.Code{
			Version:    hex.EncodeToString(h.Sum(nil))[:12],
			Project:    ns,
			Programs:   programs,
			Vars:       p.Vars,
			ProcessEnv: p.ProcessEnv,
		},
		Bundles: bundles,
		Inputs:  res.Inputs,
		Assets:  &router.Assets{},
	}
	if p.Serve != nil {
		b.Assets = &router.Assets{Dir: p.Serve.Path, SinglePageApp: p.Serve.SinglePageApp}
		b.Code.Asset = b.Assets.Response
	}
	b.Took = time.Since(start)
	return b, nil
}
