package zfs

import (
	"context"
	"strconv"
	"strings"
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

// getJSON returns what `zfs get -j -p` prints for the properties (name,
// value) of one dataset, every source NONE.
func getJSON(name string, props ...[2]string) string {
	q := strconv.Quote
	var b strings.Builder
	b.WriteString(`{"output_version":{"command":"zfs get","vers_major":0,"vers_minor":1},"datasets":{` + q(name) + `:{"name":` + q(name) + `,"properties":{`)
	for i, kv := range props {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(q(kv[0]) + `:{"value":` + q(kv[1]) + `,"source":{"type":"NONE","data":"-"}}`)
	}
	b.WriteString("}}}}\n")
	return b.String()
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

// TestGetFreeTextValue reads a user property holding a tab and a newline
// through a handle's Get, from real output of every path: JSON (2.3.2),
// text on a client that asks for it (2.3.2) and text on 2.1.11, which has
// no JSON. Get goes through the listing parsers, so the value is exact.
func TestGetFreeTextValue(t *testing.T) {
	ctx := context.Background()
	props := strings.Join(captureProps, ",")
	for _, tc := range []struct {
		name    string
		client  func(t *testing.T) (*commandtest.Fake, *Client)
		argv    []string
		capture string
	}{
		{"json", newFake, []string{"zfs", "get", "-j", "-p", props, "gzcap/fs"}, golden(t, "get-json.out")},
		{"text", newTextFake, []string{"zfs", "get", "-H", "-p", "-o", "name,property,value,source", props, "gzcap/fs"}, golden(t, "get-text.out")},
		{"2.1.11", newFake21, []string{"zfs", "get", "-H", "-p", "-o", "name,property,value,source", props, "gzcap/fs"}, golden21(t, "get-text.out")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := tc.client(t)
			// The captures list every dataset of the pool (zfs get -r):
			// Get keeps the one it asked for.
			f.Expect(tc.argv...).Stdout(tc.capture)
			ps, err := fsHandle(c, "gzcap/fs").Get(ctx, captureProps...)
			require.NoError(t, err)
			tab := ps.Property("com.example:tab")
			assert.Equal(t, "a\tb\nc", tab.Value)
			assert.Equal(t, SourceLocal, tab.Source.Kind)
			assert.Equal(t, "hello", ps.Property("com.example:note").Value)
			assert.Equal(t, SourceLocal, ps.Property("com.example:note").Source.Kind)
			assert.Equal(t, "gzcap/fs", ps.Property("name").Value)
			assert.Len(t, ps, len(captureProps))
		})
	}
}

// TestGetMalformed: a malformed row of `zfs get` is an error, not a
// silently dropped property.
func TestGetMalformed(t *testing.T) {
	f, c := newTextFake(t)
	f.Expect("zfs", "get", "-H", "-p", "-o", "name,property,value,source", "used", "tank/a").Stdout("tank/a\tused\n")
	_, err := fsHandle(c, "tank/a").Get(context.Background(), "used")
	require.Error(t, err)

	f2, c2 := newFake(t)
	f2.Expect("zfs", "get", "-j", "-p", "used", "tank/a").Stdout(`{"datasets":{"tank/a":{"properties":{"used":{"value":`)
	_, err = fsHandle(c2, "tank/a").Get(context.Background(), "used")
	require.Error(t, err)
}
