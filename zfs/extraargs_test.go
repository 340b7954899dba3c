package zfs

import (
	"context"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExtraArgsArgv checks that ExtraArgs land after the flags gozfs sets and
// before the operands, for every options struct of the package.
func TestExtraArgsArgv(t *testing.T) {
	ctx := context.Background()
	x := ExtraArgs{"-X", "v"}
	snapJSON := `{"output_version":{},"datasets":{"tank/a@s":{"name":"tank/a@s","type":"SNAPSHOT","createtxg":"5","properties":{"guid":{"value":"11","source":{"type":"NONE","data":"-"}}}}}}`
	for _, tc := range []struct {
		name string
		argv []string
		do   func(c *Client) error
	}{
		{"create", []string{"zfs", "create", "-p", "-o", "atime=off", "-X", "v", "tank/a"}, func(c *Client) error {
			_, err := c.CreateFilesystem(ctx, "tank/a", CreateOptions{Parents: true, Properties: map[string]string{"atime": "off"}, ExtraArgs: x})
			return err
		}},
		{"create volume", []string{"zfs", "create", "-s", "-V", "1048576", "-X", "v", "tank/v"}, func(c *Client) error {
			_, err := c.CreateVolume(ctx, "tank/v", VolumeOptions{Size: 1 << 20, Sparse: true, ExtraArgs: x})
			return err
		}},
		{"destroy", []string{"zfs", "destroy", "-r", "-X", "v", "tank/a"}, func(c *Client) error {
			return fsHandle(c, "tank/a").Destroy(ctx, DestroyOptions{Recursive: true, ExtraArgs: x})
		}},
		{"destroy dry run", []string{"zfs", "destroy", "-n", "-v", "-p", "-X", "v", "tank/a@s"}, func(c *Client) error {
			_, err := c.DestroyDryRun(ctx, "tank/a@s", DestroyOptions{ExtraArgs: x})
			return err
		}},
		{"destroy snapshots", []string{"zfs", "destroy", "-d", "-X", "v", "tank/a@s,t"}, func(c *Client) error {
			return c.DestroySnapshots(ctx, []string{"tank/a@s", "tank/a@t"}, DestroyOptions{Defer: true, ExtraArgs: x})
		}},
		{"snapshot", []string{"zfs", "snapshot", "-r", "-X", "v", "tank/a@s"}, func(c *Client) error {
			_, err := fsHandle(c, "tank/a").CreateSnapshot(ctx, "s", SnapshotOptions{Recursive: true, ExtraArgs: x})
			return err
		}},
		{"rename", []string{"zfs", "rename", "-u", "-X", "v", "tank/a", "tank/b"}, func(c *Client) error {
			_, err := fsHandle(c, "tank/a").Rename(ctx, "tank/b", RenameOptions{NoMount: true, ExtraArgs: x})
			return err
		}},
		{"rename snapshot", []string{"zfs", "rename", "-X", "v", "tank/a@s", "tank/a@t"}, func(c *Client) error {
			_, err := snapHandle(c, "tank/a@s").Rename(ctx, "t", RenameOptions{ExtraArgs: x})
			return err
		}},
		{"clone", []string{"zfs", "clone", "-p", "-X", "v", "tank/a@s", "tank/c"}, func(c *Client) error {
			_, err := snapHandle(c, "tank/a@s").Clone(ctx, "tank/c", CloneOptions{Parents: true, ExtraArgs: x})
			return err
		}},
		{"rollback", []string{"zfs", "rollback", "-r", "-X", "v", "tank/a@s"}, func(c *Client) error {
			return snapHandle(c, "tank/a@s").Rollback(ctx, RollbackOptions{DestroyLater: true, ExtraArgs: x})
		}},
		{"mount", []string{"zfs", "mount", "-o", "ro", "-X", "v", "tank/a"}, func(c *Client) error {
			return fsHandle(c, "tank/a").Mount(ctx, MountOptions{Options: []string{"ro"}, ExtraArgs: x})
		}},
		{"unmount", []string{"zfs", "unmount", "-f", "-X", "v", "tank/a"}, func(c *Client) error {
			return fsHandle(c, "tank/a").Unmount(ctx, UnmountOptions{Force: true, ExtraArgs: x})
		}},
		{"inherit", []string{"zfs", "inherit", "-r", "-X", "v", "atime", "tank/a"}, func(c *Client) error {
			return fsHandle(c, "tank/a").Inherit(ctx, InheritOptions{Recursive: true, ExtraArgs: x}, "atime")
		}},
		{"hold", []string{"zfs", "hold", "-r", "-X", "v", "keep", "tank/a@s"}, func(c *Client) error {
			return snapHandle(c, "tank/a@s").Hold(ctx, "keep", HoldOptions{Recursive: true, ExtraArgs: x})
		}},
		{"release", []string{"zfs", "release", "-X", "v", "keep", "tank/a@s"}, func(c *Client) error {
			return snapHandle(c, "tank/a@s").Release(ctx, "keep", HoldOptions{ExtraArgs: x})
		}},
		{"holds", []string{"zfs", "holds", "-H", "-p", "-X", "v", "tank/a@s"}, func(c *Client) error {
			_, err := snapHandle(c, "tank/a@s").Holds(ctx, HoldOptions{ExtraArgs: x})
			return err
		}},
		{"load-key", []string{"zfs", "load-key", "-n", "-L", "prompt", "-X", "v", "tank/e"}, func(c *Client) error {
			return fsHandle(c, "tank/e").LoadKey(ctx, strings.NewReader("k"), LoadKeyOptions{Verify: true, ExtraArgs: x})
		}},
		{"change-key", []string{"zfs", "change-key", "-o", "keylocation=file:///k", "-X", "v", "tank/e"}, func(c *Client) error {
			return fsHandle(c, "tank/e").ChangeKey(ctx, ChangeKeyOptions{Location: "file:///k", ExtraArgs: x})
		}},
		{"change-key inherit", []string{"zfs", "change-key", "-i", "-X", "v", "tank/e/c"}, func(c *Client) error {
			return fsHandle(c, "tank/e/c").ChangeKey(ctx, ChangeKeyOptions{Inherit: true, ExtraArgs: x})
		}},
		{"program", []string{"zfs", "program", "-j", "-n", "-X", "v", "tank", "-", "arg"}, func(c *Client) error {
			_, err := c.Program(ctx, "tank", strings.NewReader("return 1"), ProgramOptions{NoSync: true, Args: []string{"arg"}, ExtraArgs: x})
			return err
		}},
		{"list", []string{"zfs", "list", "-j", "-p", "-r", "-t", "filesystem,volume", "-o", idArgs, "-s", "name", "-X", "v", "tank"}, func(c *Client) error {
			_, err := c.List(ctx, ListOptions{Roots: []string{"tank"}, Recursive: true, Sort: []SortKey{{Property: "name"}}, ExtraArgs: x})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t)
			e := f.Expect(tc.argv...)
			switch tc.name {
			case "create":
				expectIdentity(f, "tank/a", "filesystem")
			case "create volume":
				expectIdentity(f, "tank/v", "volume")
			case "clone":
				expectIdentity(f, "tank/c", "filesystem")
			case "snapshot":
				f.Expect("zfs", "list", "-j", "-p", "-t", "snapshot", "-o", idArgs, "tank/a@s").Stdout(snapJSON)
			case "list":
				e.Stdout(`{"output_version":{},"datasets":{}}`)
			}
			require.NoError(t, tc.do(c))
		})
	}
}

// TestExtraArgsGetArgv checks the `zfs get` path of a listing, where the
// property list is an operand: ExtraArgs come before it.
func TestExtraArgsGetArgv(t *testing.T) {
	f, c := newTextFake(t)
	f.Expect("zfs", "get", "-H", "-p", "-o", "name,property,value,source", "-t", "filesystem,volume", "-X", "v", "all", "tank")
	_, err := c.List(context.Background(), ListOptions{Roots: []string{"tank"}, Types: []Type{TypeFilesystem, TypeVolume}, Properties: []string{"all"}, ExtraArgs: ExtraArgs{"-X", "v"}})
	require.NoError(t, err)
}

// TestExtraArgsRejected checks that malformed ExtraArgs fail with Kind
// InvalidArgument before anything runs.
func TestExtraArgsRejected(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t) // any command run fails the test
	fs := fsHandle(c, "tank/a")
	snap := snapHandle(c, "tank/a@s")
	for _, bad := range []ExtraArgs{{"tank/b"}, {""}, {"-o", ""}, {"-o", "a\x00b"}} {
		for _, tc := range []struct {
			name string
			err  error
		}{
			{"create", second(c.CreateFilesystem(ctx, "tank/a", CreateOptions{ExtraArgs: bad}))},
			{"volume", second(c.CreateVolume(ctx, "tank/v", VolumeOptions{Size: 1, ExtraArgs: bad}))},
			{"destroy", fs.Destroy(ctx, DestroyOptions{ExtraArgs: bad})},
			{"destroy snapshots", c.DestroySnapshots(ctx, []string{"tank/a@s"}, DestroyOptions{ExtraArgs: bad})},
			{"snapshot", second(fs.CreateSnapshot(ctx, "s", SnapshotOptions{ExtraArgs: bad}))},
			{"rename", second(fs.Rename(ctx, "tank/b", RenameOptions{ExtraArgs: bad}))},
			{"clone", second(snap.Clone(ctx, "tank/c", CloneOptions{ExtraArgs: bad}))},
			{"rollback", snap.Rollback(ctx, RollbackOptions{ExtraArgs: bad})},
			{"rollback latest", fs.Rollback(ctx, RollbackOptions{ExtraArgs: bad})},
			{"mount", fs.Mount(ctx, MountOptions{ExtraArgs: bad})},
			{"unmount", fs.Unmount(ctx, UnmountOptions{ExtraArgs: bad})},
			{"inherit", fs.Inherit(ctx, InheritOptions{ExtraArgs: bad}, "atime")},
			{"hold", snap.Hold(ctx, "t", HoldOptions{ExtraArgs: bad})},
			{"holds", second(snap.Holds(ctx, HoldOptions{ExtraArgs: bad}))},
			{"load-key", fs.LoadKey(ctx, nil, LoadKeyOptions{ExtraArgs: bad})},
			{"change-key", fs.ChangeKey(ctx, ChangeKeyOptions{Location: "file:///k", ExtraArgs: bad})},
			{"program", second(c.Program(ctx, "tank", strings.NewReader("return 1"), ProgramOptions{ExtraArgs: bad}))},
			{"list", second(c.List(ctx, ListOptions{ExtraArgs: bad}))},
		} {
			assert.ErrorIs(t, tc.err, errors.ErrInvalidArgument, "%s %q", tc.name, bad)
			var e *errors.Error
			if assert.ErrorAs(t, tc.err, &e, tc.name) {
				assert.NotEmpty(t, e.Op, tc.name)
				assert.Equal(t, -1, e.ExitCode, tc.name)
			}
		}
	}
}
