package names_test

import (
	"strings"
	"testing"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/stretchr/testify/assert"
)

// ok and anyErr are outcomes in the tables below.
const (
	ok     = ""
	anyErr = "*" // some error, wording not checked
)

// check runs f and compares its outcome with want: "" for nil, otherwise a
// substring of the error message.
func check(t *testing.T, fn string, f func(string) error, name, want string) {
	t.Helper()
	err := f(name)
	if want == ok {
		assert.NoError(t, err, "%s(%q)", fn, name)
		return
	}
	if !assert.Error(t, err, "%s(%q): want error %q", fn, name, want) {
		return
	}
	assert.ErrorIs(t, err, errors.ErrInvalidName, "%s(%q): not an InvalidName error", fn, name)
	var e *errors.Error
	if assert.ErrorAs(t, err, &e, "%s(%q)", fn, name) {
		assert.Equal(t, name, e.Name, "%s(%q): error %#v does not carry the name", fn, name, e)
		assert.Empty(t, e.Op, "%s(%q): error %#v does not carry the name", fn, name, e)
	}
	if want != anyErr {
		assert.Contains(t, err.Error(), want, "%s(%q)", fn, name)
	}
}

func TestDataset(t *testing.T) {
	tests := []struct{ name, want string }{
		{"tank", ok},
		{"tank/a", ok},
		{"tank/a/b-c_d.e:f g", ok},
		{"Tank9/-x", ok},
		{"t/" + strings.Repeat("a", 253), ok},
		{"t/" + strings.Repeat("a", 254), "name is too long"},
		{"", "empty name"},
		{"tank@s", "snapshot delimiter '@' is not expected here"},
		{"tank#b", "bookmark delimiter '#' is not expected here"},
		{"/tank", "leading slash in name"},
		{"tank/", "trailing slash in name"},
		{"tank//a", "empty component"},
		{"tank/a*b", "invalid character '*' in name"},
		{"tank/a%b", "invalid character '%' in name"},
		{"tank/a\x00", `invalid character '\x00' in name`},
		{"tank/é", `invalid character '\u00e9' in name`},
		{"tank/\xff", `invalid character '\xff' in name`},
		{"tank/.", "self reference"},
		{"tank/..", "parent reference"},
		{"tank/.a", ok},
		{"tank/..a", ok},
		{"1tank", "pool doesn't begin with a letter"},
		{"-tank", "pool doesn't begin with a letter"},
		{"_tank/a", "pool doesn't begin with a letter"},
		{"mirror/a", "name is reserved"},
		{"mirror2/a", ok}, // reserved only for new pools
		{"ta*nk/a", "invalid character '*' in name"},
	}
	for _, tc := range tests {
		check(t, "Dataset", names.Dataset, tc.name, tc.want)
	}
}

func TestSnapshot(t *testing.T) {
	tests := []struct{ name, want string }{
		{"tank@s", ok},
		{"tank/a@s", ok},
		{"tank/a@auto-2024-01-01_00:00", ok},
		{"tank/a@with space", ok},
		{"tank/a@-x", ok},
		{"tank/a", "missing '@' delimiter in snapshot name"},
		{"tank/a#b", "bookmark delimiter '#' is not expected here"},
		{"tank/a@", "empty component"},
		{"@s", "empty component"},
		{"tank/@s", "empty component"},
		{"tank/a@b@c", "multiple '@' and/or '#' delimiters"},
		{"tank/a@b#c", "multiple '@' and/or '#' delimiters"},
		{"tank/a@b/c", "invalid character '/' in name"},
		{"tank/a@.", "self reference"},
		{"tank/a@..", "parent reference"},
		{"tank/.@s", "self reference"},
		{"tank/a@" + strings.Repeat("s", 248), ok},
		{"tank/a@" + strings.Repeat("s", 249), "name is too long"},
	}
	for _, tc := range tests {
		check(t, "Snapshot", names.Snapshot, tc.name, tc.want)
	}
}

func TestBookmark(t *testing.T) {
	tests := []struct{ name, want string }{
		{"tank/a#b", ok},
		{"tank#b", ok},
		{"tank/a", "missing '#' delimiter in bookmark name"},
		{"tank/a@s", "snapshot delimiter '@' is not expected here"},
		{"tank/a#", "empty component"},
		{"tank/a#b#c", "multiple"},
	}
	for _, tc := range tests {
		check(t, "Bookmark", names.Bookmark, tc.name, tc.want)
	}
}

func TestSnapshotOrBookmarkAndAny(t *testing.T) {
	tests := []struct{ name, sob, anyName string }{
		{"tank/a@s", ok, ok},
		{"tank/a#b", ok, ok},
		{"tank/a", "missing '@' or '#' delimiter", ok},
		{"tank/a@", anyErr, anyErr},
		{"", "empty name", "empty name"},
		{"tank/a@s#b", "multiple", "multiple"},
	}
	for _, tc := range tests {
		check(t, "SnapshotOrBookmark", names.SnapshotOrBookmark, tc.name, tc.sob)
		check(t, "Any", names.Any, tc.name, tc.anyName)
	}
}

func TestComponent(t *testing.T) {
	tests := []struct{ name, want string }{
		{"snap", ok},
		{"-snap", ok},
		{"a b:c.d_e-f", ok},
		{"", "empty component"},
		{".", "self reference"},
		{"..", "parent reference"},
		{"a/b", "invalid character '/'"},
		{"a@b", "invalid character '@'"},
		{"a#b", "invalid character '#'"},
		{strings.Repeat("c", 255), ok},
		{strings.Repeat("c", 256), "name is too long"},
	}
	for _, tc := range tests {
		check(t, "Component", names.Component, tc.name, tc.want)
	}
}

func TestPool(t *testing.T) {
	tests := []struct{ name, pool, newPool string }{
		{"tank", ok, ok},
		{"Tank-1_b.c:d e", ok, ok},
		{"mirror", "name is reserved", "name is reserved"},
		{"raidz", "name is reserved", "name is reserved"},
		{"draid", "name is reserved", "name is reserved"},
		{"mirrored", ok, "name is reserved"},
		{"raidz2pool", ok, "name is reserved"},
		{"draidx", ok, "name is reserved"},
		{"spare", ok, "name is reserved"},
		{"spares", ok, "name is reserved"},
		{"log", ok, "name is reserved"},
		{"logs", ok, ok},
		{"c0", ok, ok}, // the disk-name rule is no longer enforced by OpenZFS
		{"", "empty pool name", "empty pool name"},
		{"1tank", "doesn't begin with a letter", "doesn't begin with a letter"},
		{"-tank", "doesn't begin with a letter", "doesn't begin with a letter"},
		{"tank/a", "invalid character '/' in pool name", anyErr},
		{"tank@s", "invalid character '@' in pool name", anyErr},
		{"t" + strings.Repeat("a", 238), ok, ok},
		{"t" + strings.Repeat("a", 239), "pool name is too long", anyErr},
	}
	for _, tc := range tests {
		check(t, "Pool", names.Pool, tc.name, tc.pool)
		check(t, "NewPool", names.NewPool, tc.name, tc.newPool)
	}
}

func TestOperand(t *testing.T) {
	tests := []struct {
		s  string
		ok bool
	}{
		{"tank/a", true},
		{"a-b", true},
		{"", false},
		{"-r", false},
		{"--", false},
	}
	for _, tc := range tests {
		err := names.Operand(tc.s)
		assert.Equal(t, tc.ok, err == nil, "Operand(%q) = %v, want ok", tc.s, err)
		if err != nil {
			assert.ErrorIs(t, err, errors.ErrInvalidArgument, "Operand(%q): not InvalidArgument", tc.s)
		}
	}
}

func TestExtraArgs(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"-v"}, true},
		{[]string{"-o", "com.example:x=1"}, true},
		{[]string{"--json"}, true},
		{[]string{"tank/a"}, false},
		{[]string{""}, false},
		{[]string{"-o", ""}, false},
		{[]string{"-o", "a\x00b"}, false},
		{[]string{"-\x00"}, false},
	}
	for _, tc := range tests {
		err := names.ExtraArgs("tank/a", tc.args)
		assert.Equal(t, tc.ok, err == nil, "ExtraArgs(%q) = %v, want ok", tc.args, err)
		if err != nil {
			assert.ErrorIs(t, err, errors.ErrInvalidArgument, "ExtraArgs(%q): not InvalidArgument", tc.args)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct{ name, ds, snap, mark string }{
		{"tank/a@s", "tank/a", "s", ""},
		{"tank/a#b", "tank/a", "", "b"},
		{"tank/a", "tank/a", "", ""},
		{"tank@", "tank", "", ""},
		{"tank/a@s#b", "tank/a", "s#b", ""},
		{"", "", "", ""},
	}
	for _, tc := range tests {
		ds, snap, mark := names.Split(tc.name)
		assert.Equal(t, tc.ds, ds, "Split(%q)", tc.name)
		assert.Equal(t, tc.snap, snap, "Split(%q)", tc.name)
		assert.Equal(t, tc.mark, mark, "Split(%q)", tc.name)
	}
}

func TestPoolOf(t *testing.T) {
	tests := []struct{ name, want string }{
		{"tank/a/b", "tank"},
		{"tank@s", "tank"},
		{"tank#b", "tank"},
		{"tank", "tank"},
		{"", ""},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, names.PoolOf(tc.name), "PoolOf(%q)", tc.name)
	}
}

func TestParent(t *testing.T) {
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"tank/a/b", "tank/a", true},
		{"tank/a", "tank", true},
		{"tank", "", false},
		{"tank/a@s", "tank/a", true},
		{"tank#b", "tank", true},
		{"@s", "", false},
	}
	for _, tc := range tests {
		got, ok := names.Parent(tc.name)
		assert.Equal(t, tc.want, got, "Parent(%q)", tc.name)
		assert.Equal(t, tc.ok, ok, "Parent(%q)", tc.name)
	}
}

func TestWithOp(t *testing.T) {
	err := errs.WithOp(names.Snapshot("tank/a@"), "snapshot")
	want := "zfs snapshot tank/a@: invalid name: empty component or misplaced '@' or '#' delimiter in name"
	assert.EqualError(t, err, want)
}
