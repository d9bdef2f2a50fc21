// Package stats summarises benchmark samples: percentiles of latencies
// within a run, and the median and spread of a metric across runs.
package stats

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0–100) of xs by the nearest-rank
// method: the smallest sample with at least p% of the samples at or below it.
// It sorts xs in place. NaN for no samples.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	return sortedPercentile(xs, p)
}

func sortedPercentile(sorted []float64, p float64) float64 {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Latencies summarises durations in milliseconds.
type Latencies struct {
	N   int
	P50 float64
	P99 float64
	Max float64
}

// SummariseDurations returns the p50, p99 and max of ds in milliseconds.
func SummariseDurations(ds []time.Duration) Latencies {
	ms := make([]float64, len(ds))
	for i, d := range ds {
		ms[i] = float64(d) / float64(time.Millisecond)
	}
	slices.Sort(ms)
	if len(ms) == 0 {
		return Latencies{P50: math.NaN(), P99: math.NaN(), Max: math.NaN()}
	}
	return Latencies{N: len(ms), P50: sortedPercentile(ms, 50), P99: sortedPercentile(ms, 99), Max: ms[len(ms)-1]}
}

// Spread is a metric over several runs: the median and the extremes.
type Spread struct {
	N      int     `json:"n"`
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Summarise returns the median (the mean of the middle two for an even
// count), minimum and maximum of xs, ignoring NaNs. It does not modify xs.
func Summarise(xs []float64) Spread {
	s := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return Spread{Median: math.NaN(), Min: math.NaN(), Max: math.NaN()}
	}
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Spread{N: n, Median: med, Min: s[0], Max: s[n-1]}
}
