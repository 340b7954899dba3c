package zfs

import (
	"context"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// newFake returns a client of OpenZFS 2.3.2 on a scripted runner, reading
// JSON output.
func newFake(t *testing.T) (*commandtest.Fake, *Client) {
	t.Helper()
	f := commandtest.New(t)
	return f, New(ClientOptions{Runner: f, Version: Version{Major: 2, Minor: 3, Patch: 2}})
}

// newTextFake is newFake reading the text output.
func newTextFake(t *testing.T) (*commandtest.Fake, *Client) {
	t.Helper()
	f := commandtest.New(t)
	return f, New(ClientOptions{Runner: f, Version: Version{Major: 2, Minor: 3, Patch: 2}, TextOutput: true})
}

func TestHandleIdentity(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	f.Expect("zfs", "list", "-H", "-p", "-t", "all", "-o", "name,type,guid,createtxg,creation", "tank/a@s1").
		Stdout("tank/a@s1\tsnapshot\t1234567890123456789\t42\t1700000000\n")
	s, err := c.Snapshot(ctx, "tank/a@s1")
	require.NoError(t, err)
	assert.Equal(t, "tank/a@s1", s.Name())
	assert.Equal(t, "tank", s.Pool())
	assert.Equal(t, "tank/a", s.Dataset())
	assert.Equal(t, "s1", s.ShortName())
	assert.Equal(t, TypeSnapshot, s.Type())
	assert.Equal(t, uint64(1234567890123456789), s.GUID())
	assert.Equal(t, uint64(42), s.CreateTXG())
	assert.Equal(t, time.Unix(1700000000, 0), s.Creation())

	f.Expect("zfs", "list", "-H", "-p", "-t", "all", "-o", "name,type,guid,createtxg,creation", "tank/v").
		Stdout("tank/v\tvolume\t7\t3\t1700000000\n")
	_, err = c.Filesystem(ctx, "tank/v")
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)

	_, err = c.Snapshot(ctx, "tank/a")
	assert.ErrorIs(t, err, errors.ErrInvalidName)
	_, err = c.Bookmark(ctx, "-o@x")
	assert.ErrorIs(t, err, errors.ErrInvalidName)

	f.Expect("zfs", "list", "-H", "-p", "-t", "all", "-o", "name,type,guid,createtxg,creation", "tank/nope").
		Stderr("cannot open 'tank/nope': dataset does not exist\n").Exit(1)
	_, err = c.Filesystem(ctx, "tank/nope")
	assert.ErrorIs(t, err, errors.ErrNotExist)
}
