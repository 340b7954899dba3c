package zpool

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExtraArgsArgv checks that ExtraArgs land after the flags gozfs sets and
// before the operands, for every options struct of the package.
func TestExtraArgsArgv(t *testing.T) {
	ctx := context.Background()
	x := zfs.ExtraArgs{"-X", "v"}
	for _, tc := range []struct {
		name string
		call func(c *Client) error
		argv string
	}{
		{"create", func(c *Client) error {
			return c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Mirror("a", "b")}}, CreateOptions{Force: true, Mountpoint: "none", ExtraArgs: x})
		}, "zpool create -f -m none -X v tank mirror a b"},
		{"create dry run", func(c *Client) error {
			_, err := c.CreateDryRun(ctx, "tank", Layout{Vdevs: []VdevSpec{Disk("a")}}, CreateOptions{ExtraArgs: x})
			return err
		}, "zpool create -n -X v tank a"},
		{"add", func(c *Client) error {
			return c.Add(ctx, "tank", Layout{Cache: []string{"c"}}, AddOptions{Force: true, ExtraArgs: x})
		}, "zpool add -f -X v tank cache c"},
		{"destroy", func(c *Client) error { return c.Destroy(ctx, "tank", DestroyOptions{Force: true, ExtraArgs: x}) },
			"zpool destroy -f -X v tank"},
		{"import", func(c *Client) error {
			return c.Import(ctx, "tank", ImportOptions{Source: ImportSource{Dirs: []string{"/d"}}, NoMount: true, NewName: "t2", ExtraArgs: x})
		}, "zpool import -d /d -N -X v tank t2"},
		{"export", func(c *Client) error { return c.Export(ctx, "tank", ExportOptions{ExtraArgs: x}) },
			"zpool export -X v tank"},
		{"scrub", func(c *Client) error { return c.Scrub(ctx, "tank", ScrubOptions{Wait: true, ExtraArgs: x}) },
			"zpool scrub -w -X v tank"},
		{"trim", func(c *Client) error { return c.Trim(ctx, "tank", TrimOptions{Secure: true, ExtraArgs: x}, "sda") },
			"zpool trim -d -X v tank sda"},
		{"online", func(c *Client) error { return c.Online(ctx, "tank", OnlineOptions{Expand: true, ExtraArgs: x}, "sda") },
			"zpool online -e -X v tank sda"},
		{"offline", func(c *Client) error {
			return c.Offline(ctx, "tank", OfflineOptions{Temporary: true, ExtraArgs: x}, "sda")
		},
			"zpool offline -t -X v tank sda"},
		{"attach", func(c *Client) error {
			return c.Attach(ctx, "tank", "sda", "sdb", AttachOptions{Wait: true, Properties: map[string]string{"ashift": "12"}, ExtraArgs: x})
		}, "zpool attach -w -o ashift=12 -X v tank sda sdb"},
		{"replace", func(c *Client) error { return c.Replace(ctx, "tank", "sda", "sdc", AttachOptions{ExtraArgs: x}) },
			"zpool replace -X v tank sda sdc"},
		{"history", func(c *Client) error {
			_, err := c.History(ctx, "tank", HistoryOptions{Internal: true, ExtraArgs: x})
			return err
		}, "zpool history -l -i -X v tank"},
		{"iostat", func(c *Client) error {
			_, err := c.Iostat(ctx, time.Second, IostatOptions{Pools: []string{"tank"}, ExtraArgs: x})
			return err
		}, "zpool iostat -p -T u -H -y -X v tank 1 1"},
		{"iostat stream", func(c *Client) error {
			for _, err := range c.IostatStream(ctx, time.Second, 1, IostatOptions{ExtraArgs: x}) {
				if err != nil {
					return err
				}
			}
			return nil
		}, "zpool iostat -p -T u -H -X v 1 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fake := newTest(t, false)
			fake.Expect(strings.Fields(tc.argv)...)
			require.NoError(t, tc.call(c))
		})
	}
}

// TestExtraArgsRejected checks that malformed ExtraArgs fail with Kind
// InvalidArgument before anything runs.
func TestExtraArgsRejected(t *testing.T) {
	ctx := context.Background()
	c, fake := newTest(t, false)
	for _, bad := range []zfs.ExtraArgs{{"tank2"}, {""}, {"-o", ""}, {"-o", "a\x00b"}} {
		for _, tc := range []struct {
			name string
			err  error
		}{
			{"create", c.Create(ctx, "tank", Layout{Vdevs: []VdevSpec{Disk("a")}}, CreateOptions{ExtraArgs: bad})},
			{"add", c.Add(ctx, "tank", Layout{Cache: []string{"c"}}, AddOptions{ExtraArgs: bad})},
			{"destroy", c.Destroy(ctx, "tank", DestroyOptions{ExtraArgs: bad})},
			{"import", c.Import(ctx, "tank", ImportOptions{ExtraArgs: bad})},
			{"export", c.Export(ctx, "tank", ExportOptions{ExtraArgs: bad})},
			{"scrub", c.Scrub(ctx, "tank", ScrubOptions{ExtraArgs: bad})},
			{"trim", c.Trim(ctx, "tank", TrimOptions{ExtraArgs: bad})},
			{"online", c.Online(ctx, "tank", OnlineOptions{ExtraArgs: bad}, "sda")},
			{"offline", c.Offline(ctx, "tank", OfflineOptions{ExtraArgs: bad}, "sda")},
			{"attach", c.Attach(ctx, "tank", "sda", "sdb", AttachOptions{ExtraArgs: bad})},
			{"history", second(c.History(ctx, "tank", HistoryOptions{ExtraArgs: bad}))},
			{"iostat", second(c.Iostat(ctx, 0, IostatOptions{ExtraArgs: bad}))},
		} {
			assert.ErrorIs(t, tc.err, errors.ErrInvalidArgument, "%s %q", tc.name, bad)
			var e *errors.Error
			if assert.ErrorAs(t, tc.err, &e, tc.name) {
				assert.NotEmpty(t, e.Op, tc.name)
				assert.Equal(t, -1, e.ExitCode, tc.name)
			}
		}
	}
	assert.Empty(t, fake.Calls())
}

func second[T any](_ T, err error) error { return err }
