package zfs

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestListArgv(t *testing.T) {
	ctx := context.Background()
	const idc = "name,type,guid,createtxg,creation"
	for _, tc := range []struct {
		name string
		text bool
		opts ListOptions
		argv []string
	}{
		{"default json", false, ListOptions{}, []string{"zfs", "list", "-j", "-p", "-t", "filesystem,volume", "-o", idc}},
		{"default text", true, ListOptions{}, []string{"zfs", "list", "-H", "-p", "-t", "filesystem,volume", "-o", idc}},
		{"roots only", false, ListOptions{Roots: []string{"tank/a", "tank/b@s"}}, []string{"zfs", "list", "-j", "-p", "-t", "filesystem,volume,snapshot,bookmark", "-o", idc, "tank/a", "tank/b@s"}},
		{"recursive props json", false, ListOptions{Roots: []string{"tank"}, Recursive: true, Types: []Type{TypeSnapshot, TypeBookmark}, Properties: []string{"used", "guid", "com.example:x", "used"}},
			[]string{"zfs", "list", "-j", "-p", "-r", "-t", "snapshot,bookmark", "-o", idc + ",used,com.example:x", "tank"}},
		{"recursive props text uses get", true, ListOptions{Roots: []string{"tank"}, Recursive: true, Properties: []string{"used", "com.example:x"}},
			[]string{"zfs", "get", "-H", "-p", "-o", "name,property,value,source", "-r", "-t", "filesystem,volume", idc + ",used,com.example:x", "tank"}},
		{"depth sort text uses list", true, ListOptions{Roots: []string{"tank"}, Depth: 2, Properties: []string{"used"}, Sort: []SortKey{{Property: "used", Descending: true}, {Property: "name"}}},
			[]string{"zfs", "list", "-H", "-p", "-d", "2", "-t", "filesystem,volume", "-o", idc + ",used", "-S", "used", "-s", "name", "tank"}},
		{"no sources text uses list", true, ListOptions{Roots: []string{"tank"}, Recursive: true, Types: []Type{TypeSnapshot}, Properties: []string{"used", "com.example:x"}, NoSources: true},
			[]string{"zfs", "list", "-H", "-p", "-r", "-t", "snapshot", "-o", idc + ",used,com.example:x", "tank"}},
		{"no sources json unchanged", false, ListOptions{Roots: []string{"tank"}, Properties: []string{"used"}, NoSources: true},
			[]string{"zfs", "list", "-j", "-p", "-t", "filesystem,volume,snapshot,bookmark", "-o", idc + ",used", "tank"}},
		{"all json uses get", false, ListOptions{Roots: []string{"tank"}, Properties: []string{"all"}},
			[]string{"zfs", "get", "-j", "-p", "-t", "filesystem,volume,snapshot,bookmark", "all", "tank"}},
		{"all text", true, ListOptions{Roots: []string{"tank"}, Depth: 1, Types: []Type{TypeSnapshot}, Properties: []string{"all"}},
			[]string{"zfs", "get", "-H", "-p", "-o", "name,property,value,source", "-d", "1", "-t", "snapshot", "all", "tank"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t)
			if tc.text {
				f, c = newTextFake(t)
			}
			f.Expect(tc.argv...)
			_, err := c.List(ctx, tc.opts)
			require.NoError(t, err)
		})
	}
}

func TestListInvalid(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t)
	for _, tc := range []struct {
		opts ListOptions
		want error
	}{
		{ListOptions{Roots: []string{"-r"}}, errors.ErrInvalidName},
		{ListOptions{Roots: []string{"tank/a@b@c"}}, errors.ErrInvalidName},
		{ListOptions{Depth: -1}, errors.ErrInvalidArgument},
		{ListOptions{Properties: []string{"-x"}}, errors.ErrInvalidArgument},
		{ListOptions{Properties: []string{"a,b"}}, errors.ErrInvalidArgument},
		{ListOptions{Sort: []SortKey{{Property: ""}}}, errors.ErrInvalidArgument},
		{ListOptions{Types: []Type{0}}, errors.ErrInvalidArgument},
		{ListOptions{Properties: []string{"all"}, Sort: []SortKey{{Property: "used"}}}, errors.ErrInvalidArgument},
		{ListOptions{Properties: []string{"all"}, NoSources: true}, errors.ErrInvalidArgument},
	} {
		_, err := c.List(ctx, tc.opts)
		assert.ErrorIs(t, err, tc.want, "%+v", tc.opts)
	}
}

func TestListJSONGolden(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	f.Expect("zfs", "list", "-j", "-p", "-d", "1", "-t", "bookmark", "-o", "name,type,guid,createtxg,creation", "-s", "createtxg", "gzcap/fs").
		Stdout(golden(t, "list-json-bookmarks.out"))
	fs := newFilesystem(dataset{c: c, name: "gzcap/fs", typ: TypeFilesystem})
	bms, err := fs.Bookmarks(ctx)
	require.NoError(t, err)
	require.Len(t, bms, 2)
	assert.Equal(t, "gzcap/fs#b1", bms[0].Name())
	assert.Equal(t, "b1", bms[0].ShortName())
	assert.Equal(t, goldenGUIDs(t)["gzcap/fs#b1"], bms[0].GUID())
	assert.Equal(t, uint64(18), bms[1].CreateTXG())
	assert.Same(t, c, bms[0].Client())
}

func TestListTextSnapshots(t *testing.T) {
	ctx := context.Background()
	f, c := newTextFake(t)
	f.Expect("zfs", "list", "-H", "-p", "-d", "1", "-t", "snapshot", "-o", "name,type,guid,createtxg,creation", "-s", "createtxg", "gzcap/fs").
		Stdout("gzcap/fs@s1\tsnapshot\t5274757016947556155\t18\t1795324003\ngzcap/fs@s2\tsnapshot\t11444529596499067059\t20\t1795324008\n")
	fs := newFilesystem(dataset{c: c, name: "gzcap/fs", typ: TypeFilesystem})
	snaps, err := fs.Snapshots(ctx)
	require.NoError(t, err)
	require.Len(t, snaps, 2)
	assert.Equal(t, "s2", snaps[1].ShortName())
	assert.Equal(t, uint64(11444529596499067059), snaps[1].GUID())
}

func TestListPartialFailure(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx := context.Background()
	f, c := newTextFake(t)
	f.Expect("zfs", "list", "-H", "-p", "-t", "filesystem,volume,snapshot,bookmark", "-o", "name,type,guid,createtxg,creation", "tank/a", "tank/nope").
		Stdout("tank/a\tfilesystem\t1\t2\t3\n").Stderr("cannot open 'tank/nope': dataset does not exist\n").Exit(1)
	var names []string
	var gotErr error
	for d, err := range c.Datasets(ctx, ListOptions{Roots: []string{"tank/a", "tank/nope"}}) {
		if err != nil {
			gotErr = err
			break
		}
		names = append(names, d.Name())
	}
	assert.Equal(t, []string{"tank/a"}, names)
	assert.ErrorIs(t, gotErr, errors.ErrNotExist)
	var e *errors.Error
	require.ErrorAs(t, gotErr, &e)
	assert.Equal(t, "list", e.Op)
}

// TestListStreams checks that datasets reach the caller as zfs prints them,
// before its output ends: without free-text columns (every row one line) the
// fake prints the next row only once the caller has the previous one; with a
// user property, whose value may continue on the next lines, the parser
// reads one line ahead, so the fake waits for the row before the last.
func TestListStreams(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, props := range [][]string{nil, {"com.example:x"}} {
		f, c := newTextFake(t)
		got := make(chan string)
		args := []string{"zfs", "list", "-H", "-p", "-r", "-t", "snapshot", "-o", strings.Join(append([]string{"name,type,guid,createtxg,creation"}, props...), ","), "-s", "createtxg", "tank"}
		f.Expect(args...).Do(func(ctx context.Context, cmd *command.Cmd) error {
			for i := range 3 {
				row := fmt.Sprintf("tank/a@s%d\tsnapshot\t1\t%d\t3", i, i)
				if props != nil {
					row += "\tv"
				}
				if _, err := cmd.Stdout.Write([]byte(row + "\n")); err != nil {
					return err
				}
				if props != nil && i < 2 {
					continue // the general parser reads one line ahead
				}
				want := fmt.Sprintf("tank/a@s%d", i)
				if props != nil {
					want = "tank/a@s1" // yielded once the row after it arrived
				}
				select {
				case name := <-got:
					if name != want {
						return fmt.Errorf("caller got %s after row %d", name, i)
					}
				case <-ctx.Done():
					return fmt.Errorf("row %d never reached the caller: %w", i, ctx.Err())
				}
			}
			return nil
		})
		n := 0
		for d, err := range c.Datasets(ctx, ListOptions{Roots: []string{"tank"}, Recursive: true, Types: []Type{TypeSnapshot}, Properties: props, Sort: []SortKey{{Property: "createtxg"}}}) {
			require.NoError(t, err)
			if props == nil || n == 1 {
				got <- d.Name()
			}
			n++
		}
		require.Equal(t, 3, n)
	}
}

// TestListEarlyBreak checks that stopping the iteration stops the command and
// waits for it: the fake writes forever until its output fails or its
// context ends.
func TestListEarlyBreak(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx := context.Background()
	f, c := newTextFake(t)
	exited := make(chan struct{})
	f.Expect("zfs", "list", "-H", "-p", "-r", "-t", "snapshot", "-o", "name,type,guid,createtxg,creation", "tank").
		Do(func(ctx context.Context, cmd *command.Cmd) error {
			defer close(exited)
			row := []byte(strings.Repeat("tank/a@s\tsnapshot\t1\t2\t3\n", 100))
			for {
				if _, err := cmd.Stdout.Write(row); err != nil {
					return err
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
		})
	n := 0
	for d, err := range c.Datasets(ctx, ListOptions{Roots: []string{"tank"}, Recursive: true, Types: []Type{TypeSnapshot}}) {
		require.NoError(t, err)
		require.Equal(t, "tank/a@s", d.Name())
		if n++; n == 1000 {
			break
		}
	}
	select {
	case <-exited:
	default:
		require.Fail(t, "command still running after the loop ended")
	}
}

func TestListSyntaxError(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx := context.Background()
	f, c := newFake(t)
	f.Expect("zfs", "list", "-j", "-p", "-t", "filesystem,volume", "-o", "name,type,guid,createtxg,creation").
		Stdout(`{"output_version":{},"datasets":{"a":{"name":`)
	_, err := c.List(ctx, ListOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unexpected end of input")
}

func TestDatasetOne(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	f.Expect("zfs", "list", "-j", "-p", "-t", "filesystem,volume,snapshot,bookmark", "-o", "name,type,guid,createtxg,creation,used", "tank/a").
		Stdout(`{"output_version":{"command":"zfs list","vers_major":0,"vers_minor":1},"datasets":{"tank/a":{"name":"tank/a","type":"FILESYSTEM","pool":"tank","createtxg":"8","properties":{"guid":{"value":"14574694993080536175","source":{"type":"NONE","data":"-"}},"createtxg":{"value":"8","source":{"type":"NONE","data":"-"}},"creation":{"value":"1795324697","source":{"type":"NONE","data":"-"}},"used":{"value":"24576","source":{"type":"NONE","data":"-"}}}}}}`)
	d, err := c.Dataset(ctx, "tank/a", "used")
	require.NoError(t, err)
	assert.Equal(t, uint64(14574694993080536175), d.GUID())
	assert.Equal(t, TypeFilesystem, d.Type())
	assert.Equal(t, Properties{{Name: "used", Value: "24576", Source: Source{Kind: SourceNone}}}, d.Properties())
	assert.NotNil(t, d.AsFilesystem())
	assert.Nil(t, d.AsSnapshot())
}

// TestListMalformedStops checks that a malformed row ends the listing with
// an error naming its line, and stops and waits for the command, which would
// otherwise write forever.
func TestListMalformedStops(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx := context.Background()
	f, c := newTextFake(t)
	exited := make(chan struct{})
	f.Expect("zfs", "list", "-H", "-p", "-r", "-t", "snapshot", "-o", "name,type,guid,createtxg,creation", "tank").
		Do(func(ctx context.Context, cmd *command.Cmd) error {
			defer close(exited)
			if _, err := io.WriteString(cmd.Stdout, "tank/a@s\tsnapshot\t1\t2\t3\ntank/a@t\tsnapshot\n"); err != nil {
				return err
			}
			for {
				if _, err := io.WriteString(cmd.Stdout, "tank/a@s\tsnapshot\t1\t2\t3\n"); err != nil {
					return err
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
		})
	var names []string
	var gotErr error
	for d, err := range c.Datasets(ctx, ListOptions{Roots: []string{"tank"}, Recursive: true, Types: []Type{TypeSnapshot}}) {
		if err != nil {
			gotErr = err
			continue
		}
		names = append(names, d.Name())
	}
	assert.Equal(t, []string{"tank/a@s"}, names)
	require.ErrorContains(t, gotErr, "line 2:")
	select {
	case <-exited:
	default:
		require.Fail(t, "command still running after the listing ended")
	}
}
