package zpool

import (
	"testing"

	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
)

func TestParseSource(t *testing.T) {
	for _, tc := range []struct {
		s, from string
		want    zfs.Source
	}{
		{"-", "", zfs.Source{Kind: zfs.SourceNone}},
		{"NONE", "-", zfs.Source{Kind: zfs.SourceNone}},
		{"default", "", zfs.Source{Kind: zfs.SourceDefault}},
		{"DEFAULT", "-", zfs.Source{Kind: zfs.SourceDefault}},
		{"local", "", zfs.Source{Kind: zfs.SourceLocal}},
		{"LOCAL", "-", zfs.Source{Kind: zfs.SourceLocal}},
		{"TEMPORARY", "-", zfs.Source{Kind: zfs.SourceTemporary}},
		{"received", "", zfs.Source{Kind: zfs.SourceReceived}},
		{"INHERITED", "tank", zfs.Source{Kind: zfs.SourceInherited, From: "tank"}},
		{"inherited from tank", "", zfs.Source{Kind: zfs.SourceInherited, From: "tank"}},
		{"odd", "", zfs.Source{Kind: zfs.SourceUnknown, From: "odd"}},
	} {
		assert.Equal(t, tc.want, parseSource(tc.s, tc.from), tc.s)
	}
}
