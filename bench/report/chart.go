package report

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// advantage turns a row into "how many times better gopk does": workerd /
// gopk for metrics where lower is better, gopk / workerd where higher is,
// so that in the chart every bar to the right of 1 is a gopk win. lo and hi
// carry the spread over runs.
func advantage(r Row) (mid, lo, hi float64) {
	if r.Metric.Higher {
		return r.Ratio, r.RatioLow, r.RatioHigh
	}
	return 1 / r.Ratio, 1 / r.RatioHigh, 1 / r.RatioLow
}

// goalAdvantage is a ratio goal on the same scale (NaN if none).
func goalAdvantage(r Row) float64 {
	g := r.Metric.Target
	if g == nil || !g.Ratio {
		return math.NaN()
	}
	if r.Metric.Higher {
		return g.Value
	}
	return 1 / g.Value
}

// SVG draws one bar per metric that both servers have: gopk's advantage
// over workerd on a log scale, with the spread over runs as a whisker and
// ratio goals as a marker.
func SVG(rows []Row, title string) string {
	var plotted []Row
	lo, hi := 0.1, 10.0
	for _, r := range rows {
		mid, l, h := advantage(r)
		if math.IsNaN(mid) || math.IsInf(mid, 0) || mid <= 0 {
			continue
		}
		plotted = append(plotted, r)
		for _, v := range []float64{mid, l, h, goalAdvantage(r)} {
			if v > 0 && !math.IsInf(v, 0) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	lo = math.Pow(10, math.Floor(math.Log10(lo)))
	hi = math.Pow(10, math.Ceil(math.Log10(hi)))

	const (
		width, left, plotW, rowH, top = 960.0, 330.0, 440.0, 26.0, 64.0
	)
	height := top + rowH*float64(len(plotted)) + 48
	x := func(v float64) float64 {
		v = math.Min(math.Max(v, lo), hi)
		return left + plotW*(math.Log10(v)-math.Log10(lo))/(math.Log10(hi)-math.Log10(lo))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", 12.0, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="%.0f" y="42" fill="#555">How many times better gopk does than PartyKit's workerd (median of runs; log scale; whiskers: spread over runs; ◆ goal)</text>`+"\n", 12.0)
	// Decade grid.
	for v := lo; v <= hi*1.0001; v *= 10 {
		gx := x(v)
		stroke := "#ddd"
		if math.Abs(v-1) < 1e-9 {
			stroke = "#333"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="%s"/>`+"\n", gx, top-6, gx, height-40, stroke)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" fill="#555">%s×</text>`+"\n", gx, height-24, trimFloat(v))
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="end" fill="#a33">← workerd better</text>`+"\n", x(1)-8, height-8)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" fill="#2a7">gopk better →</text>`+"\n", x(1)+8, height-8)
	for i, r := range plotted {
		y := top + rowH*float64(i)
		mid, l, h := advantage(r)
		label := r.Scenario.ID + " " + r.Metric.Label
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-10, y+rowH/2+4, html.EscapeString(label))
		x0, x1 := x(1), x(mid)
		fill := "#2a7"
		if mid < 1 {
			fill = "#c44"
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" opacity="0.85"/>`+"\n", math.Min(x0, x1), y+5, math.Abs(x1-x0)+0.5, rowH-10, fill)
		if !math.IsNaN(l) && !math.IsNaN(h) {
			cy := y + rowH/2
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222"/>`+"\n", x(l), cy, x(h), cy)
			for _, wx := range []float64{x(l), x(h)} {
				fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222"/>`+"\n", wx, cy-4, wx, cy+4)
			}
		}
		if g := goalAdvantage(r); !math.IsNaN(g) {
			gx, cy := x(g), y+rowH/2
			fmt.Fprintf(&b, `<path d="M%.1f %.1f l5 5 l-5 5 l-5 -5 z" fill="#36c"/>`+"\n", gx, cy-5)
		}
		text := fmt.Sprintf("%s× better", trimFloat(round3(mid)))
		if mid < 1 {
			text = fmt.Sprintf("%s× worse", trimFloat(round3(1/mid)))
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f">%s</text>`+"\n", left+plotW+14, y+rowH/2+4, text)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func round3(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, 2-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

func trimFloat(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
}
