package stats

import (
	"math"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	xs := []float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5} // 1..10 shuffled
	for _, c := range []struct{ p, want float64 }{
		{50, 5}, {90, 9}, {99, 10}, {100, 10}, {0, 1}, {10, 1}, {11, 2},
	} {
		if got := Percentile(append([]float64(nil), xs...), c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("percentile of nothing should be NaN")
	}
}

func TestSummariseDurations(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 200; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	l := SummariseDurations(ds)
	if l.N != 200 || l.P50 != 100 || l.P99 != 198 || l.Max != 200 {
		t.Errorf("got %+v, want n=200 p50=100 p99=198 max=200", l)
	}
}

func TestSummariseMedianAndSpread(t *testing.T) {
	in := []float64{3, math.NaN(), 1, 2}
	s := Summarise(in)
	if s.N != 3 || s.Median != 2 || s.Min != 1 || s.Max != 3 {
		t.Errorf("odd: got %+v", s)
	}
	if in[0] != 3 || in[2] != 1 {
		t.Error("Summarise reordered its input")
	}
	s = Summarise([]float64{4, 1, 3, 2})
	if s.Median != 2.5 {
		t.Errorf("even: median %v, want 2.5", s.Median)
	}
	if s := Summarise(nil); s.N != 0 || !math.IsNaN(s.Median) {
		t.Errorf("empty: %+v", s)
	}
}
