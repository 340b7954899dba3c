package autosnap_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/autosnap"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/stretchr/testify/require"
)

// FuzzNaming checks that a valid naming's filter matches the names it
// gives, for its label and not for another.
func FuzzNaming(f *testing.F) {
	f.Add("zfs-auto-snap_{label}-{time}", "2006-01-02-1504", "hourly", int64(1796277600))
	f.Add("autosnap_{time}_{label}", "2006-01-02_15:04:05", "daily", int64(0))
	f.Add("{label}.{time}", "Jan _2 2006 MST", "x", int64(-86400*365))
	f.Add("{time}", "20060102", "only", int64(1e9))
	f.Fuzz(func(t *testing.T, format, layout, label string, sec int64) {
		n := autosnap.Naming{Format: format, Layout: layout}
		if n.Validate() != nil || names.Component(label) != nil || strings.ContainsAny(label, ":@#%,/ ") || len(label) > 64 {
			return
		}
		at := time.Unix(max(sec, -sec)%250e9, 0).UTC() // years 1970 to 9892
		name := n.Name(label, at)
		require.True(t, n.Filter(label).Match(name), "filter %s does not match %q", n.Filter(label), name)
		if !strings.Contains(label, "{") {
			require.True(t, n.Filter().Match(name), "filter of any label %s does not match %q", n.Filter(), name)
		}
		if strings.Contains(format, "{label}") && !strings.Contains(n.Name("zz9", at), label) && !strings.Contains(label, "zz9") {
			require.False(t, n.Filter(label).Match(n.Name("zz9", at)), "filter for %q matches %q", label, n.Name("zz9", at))
		}
	})
}
