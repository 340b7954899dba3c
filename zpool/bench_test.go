package zpool

import (
	"encoding/json"
	"testing"
	"time"
)

// BenchmarkParseStatus times the text parser of `zpool status` against a
// baseline: decoding the JSON output of the same pool state into generic
// Go values with encoding/json, the least any JSON-based reader does. The
// ratio metric is baseline time over text parser time (higher is better).
func BenchmarkParseStatus(b *testing.B) {
	text := golden(b, "mix-status-st.txt")
	js := golden(b, "mix-status-v.json")
	var textTime, baseTime, typedTime time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := ParseStatus(text); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		var v any
		if err := json.Unmarshal(js, &v); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if _, err := ParseStatusJSON(js); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		textTime += t1.Sub(t0)
		baseTime += t2.Sub(t1)
		typedTime += t3.Sub(t2)
	}
	b.ReportMetric(float64(baseTime)/float64(textTime), "ratio")
	b.ReportMetric(float64(textTime.Nanoseconds())/float64(b.N), "text-ns/op")
	b.ReportMetric(float64(typedTime.Nanoseconds())/float64(b.N), "json-ns/op")
}

// BenchmarkParsePools times the `zpool get -H -p all` parser against
// splitting the same lines into fields only (the baseline). The ratio is
// baseline time over parser time.
func BenchmarkParsePools(b *testing.B) {
	text := golden(b, "all-get.txt")
	var ours, base time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := parsePoolsText(text); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		n := 0
		start := 0
		for j, c := range text {
			if c == '\n' {
				n += len(splitTabs(text[start:j]))
				start = j + 1
			}
		}
		if n == 0 {
			b.Fatal("no fields")
		}
		t2 := time.Now()
		ours += t1.Sub(t0)
		base += t2.Sub(t1)
	}
	b.ReportMetric(float64(base)/float64(ours), "ratio")
}

func splitTabs(line []byte) [][]byte {
	var out [][]byte
	start := 0
	for i, c := range line {
		if c == '\t' {
			out = append(out, line[start:i])
			start = i + 1
		}
	}
	return append(out, line[start:])
}
