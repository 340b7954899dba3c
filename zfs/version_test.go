package zfs

import (
	"context"
	"testing"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		out        string
		want       Version
		json, fail bool
	}{
		{out: "zfs-2.3.2-2~bpo12+2\nzfs-kmod-2.3.2-2~bpo12+2\n", want: Version{2, 3, 2, "zfs-2.3.2-2~bpo12+2", "zfs-kmod-2.3.2-2~bpo12+2"}, json: true},
		{out: "zfs-2.1.11-1\nzfs-kmod-2.1.11-1\n", want: Version{2, 1, 11, "zfs-2.1.11-1", "zfs-kmod-2.1.11-1"}},
		{out: "zfs-2.2.0-rc1\n", want: Version{2, 2, 0, "zfs-2.2.0-rc1", ""}},
		{out: "zfs-0.8.3-1ubuntu12\nzfs-kmod-0.8.3-1ubuntu12\n", want: Version{0, 8, 3, "zfs-0.8.3-1ubuntu12", "zfs-kmod-0.8.3-1ubuntu12"}},
		{out: "zfs-2.4.0\nzfs-kmod-2.3.4\n", want: Version{2, 4, 0, "zfs-2.4.0", "zfs-kmod-2.3.4"}, json: true},
		{out: "garbage", fail: true},
		{out: "", fail: true},
	} {
		v, err := ParseVersion(tc.out)
		if tc.fail {
			assert.Error(t, err, tc.out)
			continue
		}
		require.NoError(t, err, tc.out)
		assert.Equal(t, tc.want, v)
		assert.Equal(t, tc.json, v.SupportsJSON(), tc.out)
	}
}

func FuzzParseVersion(f *testing.F) {
	f.Add("zfs-2.3.2-2~bpo12+2\nzfs-kmod-2.3.2-2~bpo12+2\n")
	f.Add("zfs-0.8.3\n")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseVersion(s)
		if err == nil {
			require.GreaterOrEqual(t, v.Major, 0, "accepted %q as %+v", s, v)
			require.NotEmpty(t, v.Userland, "accepted %q as %+v", s, v)
		}
	})
}

func TestClientVersionProbedOnce(t *testing.T) {
	fake := commandtest.New(t)
	fake.Expect("zfs", "version").Stdout("zfs-2.3.2-1\nzfs-kmod-2.3.2-1\n")
	c := New(ClientOptions{Runner: fake})
	for i := 0; i < 3; i++ {
		v, err := c.Version(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "2.3.2", v.String())
	}
	ok, err := c.json(context.Background())
	require.NoError(t, err)
	assert.True(t, ok)
	assert.False(t, must(New(ClientOptions{Runner: fake, Version: Version{Major: 2, Minor: 3}, TextOutput: true}).json(context.Background())))
}

func TestClientVersionFailureNotCached(t *testing.T) {
	fake := commandtest.New(t)
	fake.Expect("zfs", "version").Stderr("The ZFS modules are not loaded.\n").Exit(1)
	fake.Expect("zfs", "version").Stdout("zfs-2.2.7-1\n")
	c := New(ClientOptions{Runner: fake})
	_, err := c.Version(context.Background())
	var e *errors.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 1, e.ExitCode)
	v, err := c.Version(context.Background())
	require.NoError(t, err)
	assert.False(t, v.SupportsJSON())
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
