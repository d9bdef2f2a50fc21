// Package report turns benchmark runs into what BENCHMARKS.md shows: per
// metric the median and spread for each server, the ratio gopk/workerd, and
// whether the target holds; as a Markdown table and an SVG chart.
package report

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"gopk/bench/stats"
)

// Server names as they appear in results.
const (
	Gopk     = "gopk"
	PartyKit = "partykit"
)

// Metric describes one measured quantity of a scenario.
type Metric struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Unit   string `json:"unit"`
	Higher bool   `json:"higher,omitempty"` // higher is better
	Target *Goal  `json:"target,omitempty"`
}

// Goal is what issue 6 asks of a metric: either of the ratio gopk/workerd
// or of gopk's own value; at most (or, for Higher metrics, at least) Value.
type Goal struct {
	Ratio bool    `json:"ratio,omitempty"`
	Value float64 `json:"value"`
}

func (g *Goal) String() string {
	if g == nil {
		return ""
	}
	return fmt.Sprintf("%g", g.Value)
}

// Scenario is the description of one scenario as results carry it.
type Scenario struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Metrics []Metric `json:"metrics"`
}

// Run is one run of one scenario on one server.
type Run struct {
	Scenario string             `json:"scenario"`
	Server   string             `json:"server"`
	Index    int                `json:"index"`
	Started  time.Time          `json:"started"`
	Metrics  map[string]float64 `json:"metrics,omitempty"`
	Error    string             `json:"error,omitempty"`
}

// Results is everything one invocation of gopk-bench measured.
type Results struct {
	Machine   Machine    `json:"machine"`
	Command   string     `json:"command"`
	Started   time.Time  `json:"started"`
	Scenarios []Scenario `json:"scenarios"`
	Config    any        `json:"config"`
	Runs      []Run      `json:"runs"`
}

// Machine describes where the numbers were taken.
type Machine struct {
	CPU      string `json:"cpu"`
	Cores    int    `json:"cores"`
	MemoryGB int    `json:"memory_gb"`
	Kernel   string `json:"kernel"`
	Go       string `json:"go"`
	Node     string `json:"node"`
	Gopk     string `json:"gopk"`
}

// Load reads results written by Save.
func Load(path string) (*Results, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// Save writes results as indented JSON (atomically: a crash mid-run leaves
// the previous complete file).
func (r *Results) Save(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Row is one metric of one scenario, both servers side by side.
type Row struct {
	Scenario Scenario
	Metric   Metric
	Gopk     stats.Spread
	PartyKit stats.Spread
	// Ratio is median gopk / median workerd (NaN if either is missing).
	Ratio float64
	// RatioLow and RatioHigh bound the ratio over the runs' extremes
	// (best and worst pairing), to show the spread.
	RatioLow, RatioHigh float64
	Failed              map[string]int // failed runs by server
}

// Met reports whether the row's goal holds, and whether it has one.
func (r Row) Met() (met, hasGoal bool) {
	g := r.Metric.Target
	if g == nil {
		return false, false
	}
	v := r.Gopk.Median
	if g.Ratio {
		v = r.Ratio
	}
	if math.IsNaN(v) {
		return false, true
	}
	if r.Metric.Higher {
		return v >= g.Value, true
	}
	return v <= g.Value, true
}

// Rows summarises the runs per scenario and metric, in the scenarios' order.
func (r *Results) Rows() []Row {
	var rows []Row
	for _, sc := range r.Scenarios {
		for _, m := range sc.Metrics {
			row := Row{Scenario: sc, Metric: m, Failed: map[string]int{}}
			vals := map[string][]float64{}
			for _, run := range r.Runs {
				if run.Scenario != sc.ID {
					continue
				}
				if run.Error != "" {
					row.Failed[run.Server]++
					continue
				}
				if v, ok := run.Metrics[m.Key]; ok {
					vals[run.Server] = append(vals[run.Server], v)
				}
			}
			row.Gopk = stats.Summarise(vals[Gopk])
			row.PartyKit = stats.Summarise(vals[PartyKit])
			row.Ratio = row.Gopk.Median / row.PartyKit.Median
			row.RatioLow = row.Gopk.Min / row.PartyKit.Max
			row.RatioHigh = row.Gopk.Max / row.PartyKit.Min
			if row.Gopk.N == 0 || row.PartyKit.N == 0 {
				row.Ratio, row.RatioLow, row.RatioHigh = math.NaN(), math.NaN(), math.NaN()
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// Markdown renders rows as a table.
func Markdown(rows []Row) string {
	var b strings.Builder
	b.WriteString("| scenario | metric | gopk median (min–max) | workerd median (min–max) | gopk / workerd (spread) | target | met |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		target, met := "", ""
		if g := r.Metric.Target; g != nil {
			op := "≤"
			if r.Metric.Higher {
				op = "≥"
			}
			if g.Ratio {
				target = fmt.Sprintf("ratio %s %g", op, g.Value)
			} else {
				target = fmt.Sprintf("gopk %s %g %s", op, g.Value, r.Metric.Unit)
			}
			if ok, _ := r.Met(); ok {
				met = "yes"
			} else {
				met = "**no**"
			}
		}
		label := r.Metric.Label
		if r.Metric.Unit != "" {
			label += " (" + r.Metric.Unit + ")"
		}
		ratio := "–"
		if !math.IsNaN(r.Ratio) {
			ratio = fmt.Sprintf("%s (%s–%s)", num(r.Ratio), num(r.RatioLow), num(r.RatioHigh))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n",
			r.Scenario.ID, label, spread(r.Gopk, r.Failed[Gopk]), spread(r.PartyKit, r.Failed[PartyKit]), ratio, target, met)
	}
	return b.String()
}

func spread(s stats.Spread, failed int) string {
	out := "–"
	if s.N > 0 {
		out = fmt.Sprintf("%s (%s–%s)", num(s.Median), num(s.Min), num(s.Max))
		if s.N == 1 {
			out = num(s.Median)
		}
	}
	if failed > 0 {
		out += fmt.Sprintf(" [%d failed]", failed)
	}
	return out
}

// num prints a value with about three significant digits.
func num(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "–"
	case a == 0:
		return "0"
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	case a >= 0.01:
		return fmt.Sprintf("%.3f", v)
	default:
		return fmt.Sprintf("%.2g", v)
	}
}

// Merge adds other's runs, and its scenarios not yet known, to r.
func (r *Results) Merge(other *Results) {
	known := map[string]bool{}
	for _, s := range r.Scenarios {
		known[s.ID] = true
	}
	for _, s := range other.Scenarios {
		if !known[s.ID] {
			r.Scenarios = append(r.Scenarios, s)
			known[s.ID] = true
		}
	}
	r.Runs = append(r.Runs, other.Runs...)
}
