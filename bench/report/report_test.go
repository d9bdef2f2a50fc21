package report

import (
	"encoding/xml"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func sample() *Results {
	cpu := Metric{Key: "cpu", Label: "CPU per delivery", Unit: "µs", Target: &Goal{Ratio: true, Value: 0.25}}
	rate := Metric{Key: "rate", Label: "deliveries per second", Unit: "/s", Higher: true, Target: &Goal{Ratio: true, Value: 2}}
	start := Metric{Key: "ready", Label: "start to ready", Unit: "s", Target: &Goal{Value: 0.3}}
	r := &Results{Scenarios: []Scenario{
		{ID: "P1", Metrics: []Metric{cpu, rate}},
		{ID: "P7", Metrics: []Metric{start}},
	}}
	add := func(sc, srv string, m map[string]float64) {
		r.Runs = append(r.Runs, Run{Scenario: sc, Server: srv, Metrics: m})
	}
	add("P1", Gopk, map[string]float64{"cpu": 2, "rate": 300})
	add("P1", Gopk, map[string]float64{"cpu": 3, "rate": 200})
	add("P1", Gopk, map[string]float64{"cpu": 4, "rate": 100})
	add("P1", PartyKit, map[string]float64{"cpu": 10, "rate": 100})
	add("P1", PartyKit, map[string]float64{"cpu": 12, "rate": 110})
	r.Runs = append(r.Runs, Run{Scenario: "P1", Server: PartyKit, Error: "timed out"})
	add("P7", Gopk, map[string]float64{"ready": 0.5})
	return r
}

func TestRowsMediansRatiosAndGoals(t *testing.T) {
	rows := sample().Rows()
	if len(rows) != 3 {
		t.Fatalf("got %d rows, want 3", len(rows))
	}
	cpu := rows[0]
	if cpu.Gopk.Median != 3 || cpu.PartyKit.Median != 11 || cpu.PartyKit.N != 2 {
		t.Errorf("cpu medians: gopk %+v, partykit %+v", cpu.Gopk, cpu.PartyKit)
	}
	if math.Abs(cpu.Ratio-3.0/11) > 1e-12 || cpu.RatioLow != 2.0/12 || cpu.RatioHigh != 4.0/10 {
		t.Errorf("cpu ratio %v (%v–%v)", cpu.Ratio, cpu.RatioLow, cpu.RatioHigh)
	}
	if cpu.Failed[PartyKit] != 1 {
		t.Errorf("failed runs not counted: %v", cpu.Failed)
	}
	if met, has := cpu.Met(); !has || met {
		t.Errorf("cpu ratio 0.27 against ≤ 0.25: met=%v has=%v, want not met", met, has)
	}
	rate := rows[1]
	if met, _ := rate.Met(); met { // 200/105 = 1.9 < 2
		t.Errorf("rate ratio %v should miss ≥ 2", rate.Ratio)
	}
	start := rows[2]
	if !math.IsNaN(start.Ratio) {
		t.Errorf("P7 has no workerd runs; ratio should be NaN, got %v", start.Ratio)
	}
	if met, has := start.Met(); !has || met {
		t.Errorf("absolute goal 0.5 s ≤ 0.3 s: met=%v", met)
	}
}

func TestMarkdownShowsSpreadAndVerdicts(t *testing.T) {
	md := Markdown(sample().Rows())
	for _, want := range []string{
		"| P1 | CPU per delivery (µs) | 3.00 (2.00–4.00) | 11.0 (10.0–12.0) [1 failed] | 0.273 (0.167–0.400) | ratio ≤ 0.25 | **no** |",
		"| P7 | start to ready (s) | 0.500 | – | – | gopk ≤ 0.3 s | **no** |",
		"ratio ≥ 2",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
}

func TestSVGIsWellFormedWithOneBarPerComparedMetric(t *testing.T) {
	svg := SVG(sample().Rows(), "test & chart")
	dec := xml.NewDecoder(strings.NewReader(svg))
	rects, texts := 0, []string{}
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			t.Fatalf("chart is not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			rects++
		}
		if cd, ok := tok.(xml.CharData); ok {
			texts = append(texts, string(cd))
		}
	}
	// One background rect and one bar for each of the two P1 metrics; P7
	// has no workerd runs, so no bar.
	if rects != 3 {
		t.Errorf("got %d rects, want 3", rects)
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"test & chart", "P1 CPU per delivery", "3.67× better", "1.9× better"} {
		if !strings.Contains(all, want) {
			t.Errorf("chart text lacks %q: %s", want, all)
		}
	}
	if strings.Contains(all, "P7") {
		t.Error("P7 drawn without a workerd value")
	}
}

func TestSaveLoadMerge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	a := sample()
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Runs) != len(a.Runs) || b.Scenarios[1].Metrics[0].Target.Value != 0.3 {
		t.Fatalf("round trip lost data: %+v", b)
	}
	extra := &Results{Scenarios: []Scenario{{ID: "P7"}, {ID: "P9"}}, Runs: []Run{{Scenario: "P7", Server: PartyKit, Metrics: map[string]float64{"ready": 1.5}}}}
	b.Merge(extra)
	if len(b.Scenarios) != 3 || b.Scenarios[2].ID != "P9" {
		t.Errorf("merge scenarios: %+v", b.Scenarios)
	}
	rows := b.Rows()
	if r := rows[2]; r.PartyKit.Median != 1.5 || math.Abs(r.Ratio-0.5/1.5) > 1e-12 {
		t.Errorf("merged P7 row: %+v", r)
	}
}
