package send

import (
	"context"
	"testing"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/internal/golden"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEstimate(t *testing.T) {
	capture := func(name string) string { return string(golden.Read(t, name)) }
	tests := []struct {
		name string
		out  string
		want int64
		ok   bool
	}{
		{"full 2.3", capture("dryrun-full-2.3.txt"), 4215664, true},
		{"from bookmark 2.3", capture("dryrun-bookmark-2.3.txt"), 2109424, true},
		{"replication 2.3", capture("dryrun-replicate-2.3.txt"), 7404656, true},
		{"resume token 2.3", capture("dryrun-resume-2.3.txt"), 4475872, true},
		{"no total: sum of lines", "full\tp/a@1\t100\nincremental\t1\tp/a@2\t23\n", 123, true},
		{"total wins over lines", "full\tp/a@1\t100\nsize\t90\n", 90, true},
		{"CRLF", "full\tp/a@1\t100\r\nsize\t100\r\n", 100, true},
		{"warning lines ignored", "WARNING: deduplicated send is no longer supported.\n\nsize\t7\n", 7, true},
		{"human output only", "full send of p/a@1 estimated size is 4.02M\ntotal estimated size is 4.02M\n", 0, false},
		{"negative", "size\t-5\n", 0, false},
		{"overflow", "size\t9223372036854775808\n", 0, false},
		{"empty", "", 0, false},
		{"name with tab-like spaces", "full\tp/a b@1\t5\n", 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseEstimate(tt.out)
			assert.Equal(t, tt.want, got, "parseEstimate")
			assert.Equal(t, tt.ok, ok, "parseEstimate")
		})
	}
}

func FuzzParseEstimate(f *testing.F) {
	for _, s := range []string{"size\t1\n", "full\ta@b\t2\n", "incremental\ta\tb@c\t3\nsize\t3\n", "size\t\n", "\t\t\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		n, ok := parseEstimate(out)
		require.GreaterOrEqual(t, n, int64(0), "negative estimate")
		if !ok {
			require.Zero(t, n, "no estimate but n")
		}
		if ok {
			require.Contains(t, out, "\t", "estimate from output without fields")
		}
	})
}

func TestEstimate(t *testing.T) {
	resume := golden.Read(t, "dryrun-resume-2.3.txt")
	const tok = "1-960a8dd4e-b8-789c636064000310a500c4ec50360710e72765a52697303030419460caa7a515a7968064b4e0f26c48f2499525a9c540fa828a0e56fd25f9e9a599290c0c72932ab65e9279be4303499e132c9f97989bcac05060a85f5c94ec506ccc8000001da315e4"
	tests := []struct {
		name   string
		snap   string
		opts   Options
		argv   []string
		stdout string
		stderr string
		code   int
		want   int64
		kind   errors.Kind
	}{
		{"incremental", "p1/src@s2", Options{From: "p1/src#b1", Compressed: true},
			[]string{"zfs", "send", "-n", "-v", "-P", "-c", "-i", "p1/src#b1", "p1/src@s2"},
			"incremental\tp1/src#b1\tp1/src@s2\t2109424\nsize\t2109424\n", "", 0, 2109424, 0},
		{"resume", "", Options{ResumeToken: tok},
			[]string{"zfs", "send", "-n", "-v", "-P", "-t", tok}, string(resume), "", 0, 4475872, 0},
		{"old version on stderr", "p1/src@s1", Options{},
			[]string{"zfs", "send", "-n", "-v", "-P", "p1/src@s1"}, "", "full\tp1/src@s1\t42\n", 0, 42, 0},
		{"failure", "p1/src@nope", Options{},
			[]string{"zfs", "send", "-n", "-v", "-P", "p1/src@nope"}, "", "cannot open 'p1/src@nope': dataset does not exist\n", 1, 0, errors.NotExist},
		{"unparsable", "p1/src@s1", Options{},
			[]string{"zfs", "send", "-n", "-v", "-P", "p1/src@s1"}, "total estimated size is 4.02M\n", "", 0, 0, errors.Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := commandtest.New(t)
			f.Expect(tt.argv...).Stdout(tt.stdout).Stderr(tt.stderr).Exit(tt.code)
			got, err := Estimate(context.Background(), zfs.New(zfs.ClientOptions{Runner: f}), tt.snap, tt.opts)
			if tt.want != 0 {
				assert.NoError(t, err, "Estimate")
				assert.Equal(t, tt.want, got, "Estimate")
				return
			}
			var e *errors.Error
			if assert.ErrorAs(t, err, &e) {
				assert.Equal(t, tt.kind, e.Kind)
			}
		})
	}
}
