package replication

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func FuzzParseCursor(f *testing.F) {
	f.Add("", CursorName("", 7))
	f.Add("job", CursorName("job", 1<<63))
	f.Add("a", "gozfs-replication:a_b_0000000000000001")
	f.Fuzz(func(t *testing.T, name, short string) {
		g, ok := parseCursor(name, short)
		if ok {
			// Hex digits in either case parse; only the canonical form
			// is made.
			require.Len(t, short, len(CursorName(name, g)), "parseCursor(%q, %q) = %d, which names %q", name, short, g, CursorName(name, g))
		}
	})
}

func TestParseCursor(t *testing.T) {
	for _, tc := range []struct {
		name, short string
		guid        uint64
		ok          bool
	}{
		{"", "gozfs-replication_00000000000000ff", 255, true},
		{"job", "gozfs-replication:job_00000000000000ff", 255, true},
		{"", "gozfs-replication:job_00000000000000ff", 0, false},
		{"a", "gozfs-replication:a_b_00000000000000ff", 0, false},
		{"", "gozfs-replication_xyz", 0, false},
		{"", "gozfs-replication_0000000000000zzz", 0, false},
		{"", "mark", 0, false},
	} {
		g, ok := parseCursor(tc.name, tc.short)
		assert.Equal(t, tc.guid, g, "parseCursor(%q, %q)", tc.name, tc.short)
		assert.Equal(t, tc.ok, ok, "parseCursor(%q, %q)", tc.name, tc.short)
	}
}
