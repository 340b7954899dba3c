package zfs

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const idArgs = "name,type,guid,createtxg,creation"

func expectIdentity(f *commandtest.Fake, name, typ string) {
	f.Expect("zfs", "list", "-H", "-p", "-t", "all", "-o", idArgs, name).
		Stdout(name + "\t" + typ + "\t77\t12\t1700000000\n")
}

func fsHandle(c *Client, name string) *Filesystem {
	return newFilesystem(dataset{c: c, name: name, typ: TypeFilesystem, guid: 1})
}

func snapHandle(c *Client, name string) *Snapshot {
	return newSnapshot(dataset{c: c, name: name, typ: TypeSnapshot, guid: 55, createTXG: 9, creation: 1700000000})
}

// TestArgv checks the exact command line of every operation and option.
func TestArgv(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		argv []string
		do   func(c *Client) error
	}{
		{"create", []string{"zfs", "create", "tank/a"}, func(c *Client) error {
			_, err := c.CreateFilesystem(ctx, "tank/a", CreateOptions{})
			return err
		}},
		{"create all options", []string{"zfs", "create", "-p", "-u", "-o", "com.example:x=a b", "-o", "compression=lz4", "tank/a/b"}, func(c *Client) error {
			_, err := c.CreateFilesystem(ctx, "tank/a/b", CreateOptions{Parents: true, NoMount: true, Properties: map[string]string{"compression": "lz4", "com.example:x": "a b"}})
			return err
		}},
		{"create encrypted", []string{"zfs", "create", "-o", "encryption=aes-256-gcm", "-o", "keyformat=passphrase", "-o", "keylocation=prompt", "-o", "pbkdf2iters=500000", "tank/e"}, func(c *Client) error {
			_, err := c.CreateFilesystem(ctx, "tank/e", CreateOptions{Encryption: &Encryption{Algorithm: "aes-256-gcm", Format: KeyPassphrase, Key: strings.NewReader("secret123"), PBKDF2Iters: 500000}})
			return err
		}},
		{"create encrypted keylocation", []string{"zfs", "create", "-o", "keylocation=file:///k", "-o", "encryption=on", "-o", "keyformat=raw", "tank/e"}, func(c *Client) error {
			_, err := c.CreateFilesystem(ctx, "tank/e", CreateOptions{Properties: map[string]string{"keylocation": "file:///k"}, Encryption: &Encryption{Format: KeyRaw}})
			return err
		}},
		{"create volume", []string{"zfs", "create", "-V", "1048576", "tank/v"}, func(c *Client) error {
			_, err := c.CreateVolume(ctx, "tank/v", VolumeOptions{Size: 1 << 20})
			return err
		}},
		{"create volume all options", []string{"zfs", "create", "-p", "-s", "-b", "16384", "-o", "volmode=dev", "-V", "1048576", "tank/x/v"}, func(c *Client) error {
			_, err := c.CreateVolume(ctx, "tank/x/v", VolumeOptions{Size: 1 << 20, Sparse: true, BlockSize: 16384, Parents: true, Properties: map[string]string{"volmode": "dev"}})
			return err
		}},
		{"destroy", []string{"zfs", "destroy", "tank/a"}, func(c *Client) error { return fsHandle(c, "tank/a").Destroy(ctx, DestroyOptions{}) }},
		{"destroy all options", []string{"zfs", "destroy", "-r", "-R", "-f", "tank/a"}, func(c *Client) error {
			return fsHandle(c, "tank/a").Destroy(ctx, DestroyOptions{Recursive: true, Dependents: true, ForceUnmount: true})
		}},
		{"destroy snapshot deferred", []string{"zfs", "destroy", "-r", "-d", "tank/a@s"}, func(c *Client) error {
			return snapHandle(c, "tank/a@s").Destroy(ctx, DestroyOptions{Recursive: true, Defer: true})
		}},
		{"destroy range", []string{"zfs", "destroy", "tank/a@s1%s3,x,%y"}, func(c *Client) error { return c.Destroy(ctx, "tank/a@s1%s3,x,%y", DestroyOptions{}) }},
		{"destroy bookmark", []string{"zfs", "destroy", "tank/a#b"}, func(c *Client) error {
			return (newBookmark(dataset{c: c, name: "tank/a#b"})).Destroy(ctx)
		}},
		{"rename", []string{"zfs", "rename", "-p", "-f", "-u", "tank/a", "tank/x/b"}, func(c *Client) error {
			n, err := fsHandle(c, "tank/a").Rename(ctx, "tank/x/b", RenameOptions{Parents: true, ForceUnmount: true, NoMount: true})
			if err == nil {
				assert.Equal(t, "tank/x/b", n.Name(), "renamed handle")
			}
			return err
		}},
		{"rename snapshot short", []string{"zfs", "rename", "-r", "tank/a@s", "tank/a@t"}, func(c *Client) error {
			n, err := snapHandle(c, "tank/a@s").Rename(ctx, "t", RenameOptions{Recursive: true})
			if err == nil {
				assert.Equal(t, "tank/a@t", n.Name(), "renamed handle")
				assert.Equal(t, uint64(55), n.GUID(), "renamed handle")
			}
			return err
		}},
		{"clone", []string{"zfs", "clone", "-p", "-o", "mountpoint=/m", "tank/a@s", "tank/c/d"}, func(c *Client) error {
			_, err := snapHandle(c, "tank/a@s").Clone(ctx, "tank/c/d", CloneOptions{Parents: true, Properties: map[string]string{"mountpoint": "/m"}})
			return err
		}},
		{"promote", []string{"zfs", "promote", "tank/c"}, func(c *Client) error { return fsHandle(c, "tank/c").Promote(ctx) }},
		{"rollback", []string{"zfs", "rollback", "tank/a@s"}, func(c *Client) error { return snapHandle(c, "tank/a@s").Rollback(ctx, RollbackOptions{}) }},
		{"rollback all options", []string{"zfs", "rollback", "-r", "-R", "-f", "tank/a@s"}, func(c *Client) error {
			return snapHandle(c, "tank/a@s").Rollback(ctx, RollbackOptions{DestroyLater: true, DestroyClones: true, ForceUnmount: true})
		}},
		{"mount", []string{"zfs", "mount", "-O", "-l", "-o", "ro,noatime", "tank/a"}, func(c *Client) error {
			return fsHandle(c, "tank/a").Mount(ctx, MountOptions{Overlay: true, LoadKey: true, Options: []string{"ro", "noatime"}})
		}},
		{"unmount", []string{"zfs", "unmount", "-f", "-u", "tank/a"}, func(c *Client) error {
			return fsHandle(c, "tank/a").Unmount(ctx, UnmountOptions{Force: true, UnloadKey: true})
		}},
		{"share", []string{"zfs", "share", "tank/a"}, func(c *Client) error { return fsHandle(c, "tank/a").Share(ctx) }},
		{"unshare", []string{"zfs", "unshare", "tank/a"}, func(c *Client) error { return fsHandle(c, "tank/a").Unshare(ctx) }},
		{"set", []string{"zfs", "set", "atime=off", "com.example:x=1\t2", "tank/a"}, func(c *Client) error {
			return fsHandle(c, "tank/a").Set(ctx, map[string]string{"com.example:x": "1\t2", "atime": "off"})
		}},
		{"inherit", []string{"zfs", "inherit", "-r", "-S", "atime", "com.example:x", "tank/a"}, func(c *Client) error {
			return fsHandle(c, "tank/a").Inherit(ctx, InheritOptions{Recursive: true, Received: true}, "atime", "com.example:x")
		}},
		{"hold", []string{"zfs", "hold", "-r", "keep", "tank/a@s", "tank/b@s"}, func(c *Client) error {
			return c.Hold(ctx, "keep", []string{"tank/a@s", "tank/b@s"}, HoldOptions{Recursive: true})
		}},
		{"release", []string{"zfs", "release", "keep", "tank/a@s"}, func(c *Client) error { return snapHandle(c, "tank/a@s").Release(ctx, "keep", HoldOptions{}) }},
		{"unload-key", []string{"zfs", "unload-key", "-r", "tank/e"}, func(c *Client) error { return fsHandle(c, "tank/e").UnloadKey(ctx, true) }},
		{"load-key reader", []string{"zfs", "load-key", "-n", "-L", "prompt", "tank/e"}, func(c *Client) error {
			return fsHandle(c, "tank/e").LoadKey(ctx, strings.NewReader("k"), LoadKeyOptions{Verify: true})
		}},
		{"load-key location", []string{"zfs", "load-key", "-r", "tank/e"}, func(c *Client) error {
			return fsHandle(c, "tank/e").LoadKey(ctx, nil, LoadKeyOptions{Recursive: true})
		}},
		{"change-key", []string{"zfs", "change-key", "-o", "keyformat=hex", "-o", "keylocation=prompt", "tank/e"}, func(c *Client) error {
			return fsHandle(c, "tank/e").ChangeKey(ctx, ChangeKeyOptions{Format: KeyHex, Key: strings.NewReader(strings.Repeat("ab", 32))})
		}},
		{"change-key location", []string{"zfs", "change-key", "-o", "keylocation=file:///k", "-o", "pbkdf2iters=350000", "tank/e"}, func(c *Client) error {
			return fsHandle(c, "tank/e").ChangeKey(ctx, ChangeKeyOptions{Location: "file:///k", PBKDF2Iters: 350000})
		}},
		{"change-key inherit", []string{"zfs", "change-key", "-i", "tank/e/c"}, func(c *Client) error {
			return fsHandle(c, "tank/e/c").ChangeKey(ctx, ChangeKeyOptions{Inherit: true})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t)
			f.Expect(tc.argv...)
			switch tc.argv[1] {
			case "create":
				typ := "filesystem"
				if strings.Contains(strings.Join(tc.argv, " "), " -V ") {
					typ = "volume"
				}
				expectIdentity(f, tc.argv[len(tc.argv)-1], typ)
			case "clone":
				expectIdentity(f, "tank/a", "filesystem") // the origin's dataset
				expectIdentity(f, tc.argv[len(tc.argv)-1], "filesystem")
			}
			require.NoError(t, tc.do(c))
		})
	}
}

func TestStdinCarriesKeys(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	e := f.Expect("zfs", "create", "-o", "encryption=on", "-o", "keyformat=passphrase", "-o", "keylocation=prompt", "tank/e")
	expectIdentity(f, "tank/e", "filesystem")
	_, err := c.CreateFilesystem(ctx, "tank/e", CreateOptions{Encryption: &Encryption{Format: KeyPassphrase, Key: strings.NewReader("correct horse")}})
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("correct horse")}, e.Stdin())
	for _, call := range f.Calls() {
		assert.NotContains(t, strings.Join(call, " "), "correct horse")
	}

	e = f.Expect("zfs", "load-key", "-L", "prompt", "tank/e")
	require.NoError(t, fsHandle(c, "tank/e").LoadKey(ctx, strings.NewReader("correct horse"), LoadKeyOptions{}))
	assert.Equal(t, [][]byte{[]byte("correct horse")}, e.Stdin())
}

func TestInvalidBeforeRunning(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t) // any command run fails the test
	fs := fsHandle(c, "tank/a")
	snap := snapHandle(c, "tank/a@s")
	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"create bad name", second(c.CreateFilesystem(ctx, "tank/a@s", CreateOptions{})), errors.ErrInvalidName},
		{"create dash", second(c.CreateFilesystem(ctx, "-tank", CreateOptions{})), errors.ErrInvalidName},
		{"create bad prop", second(c.CreateFilesystem(ctx, "tank/a", CreateOptions{Properties: map[string]string{"a=b": "c"}})), errors.ErrInvalidArgument},
		{"encryption no format", second(c.CreateFilesystem(ctx, "tank/a", CreateOptions{Encryption: &Encryption{Key: strings.NewReader("x")}})), errors.ErrInvalidArgument},
		{"encryption no key", second(c.CreateFilesystem(ctx, "tank/a", CreateOptions{Encryption: &Encryption{Format: KeyHex}})), errors.ErrInvalidArgument},
		{"volume no size", second(c.CreateVolume(ctx, "tank/v", VolumeOptions{})), errors.ErrInvalidArgument},
		{"destroy bad range", c.Destroy(ctx, "tank/a@s%t@u", DestroyOptions{}), errors.ErrInvalidName},
		{"destroy empty snap", c.Destroy(ctx, "tank/a@", DestroyOptions{}), errors.ErrInvalidName},
		{"destroy bookmark options", c.Destroy(ctx, "tank/a#b", DestroyOptions{Recursive: true}), errors.ErrInvalidArgument},
		{"destroy fs defer", c.Destroy(ctx, "tank/a", DestroyOptions{Defer: true}), errors.ErrInvalidArgument},
		{"destroy snapshot force", c.Destroy(ctx, "tank/a@s", DestroyOptions{ForceUnmount: true}), errors.ErrInvalidArgument},
		{"dry run bookmark", second(c.DestroyDryRun(ctx, "tank/a#b", DestroyOptions{})), errors.ErrNotSupported},
		{"rename across datasets", c.Rename(ctx, "tank/a@s", "tank/b@s", RenameOptions{}), errors.ErrInvalidArgument},
		{"rename fs to snapshot", c.Rename(ctx, "tank/a", "tank/a@s", RenameOptions{}), errors.ErrInvalidArgument},
		{"rename recursive fs", c.Rename(ctx, "tank/a", "tank/b", RenameOptions{Recursive: true}), errors.ErrInvalidArgument},
		{"clone bad target", second(snap.Clone(ctx, "tank/a@x", CloneOptions{})), errors.ErrInvalidName},
		{"snapshot bad short", second(fs.CreateSnapshot(ctx, "a@b", SnapshotOptions{})), errors.ErrInvalidName},
		{"snapshot bad chars", second(fs.CreateSnapshot(ctx, "a*b", SnapshotOptions{})), errors.ErrInvalidName},
		{"hold empty tag", snap.Hold(ctx, "", HoldOptions{}), errors.ErrInvalidArgument},
		{"hold dash tag", snap.Hold(ctx, "-r", HoldOptions{}), errors.ErrInvalidArgument},
		{"holds of fs", second(c.Holds(ctx, []string{"tank/a"}, HoldOptions{})), errors.ErrInvalidName},
		{"bookmark other dataset", second(snap.CreateBookmark(ctx, "tank/b#x")), errors.ErrInvalidArgument},
		{"bookmark bad", second(snap.CreateBookmark(ctx, "a b#")), errors.ErrInvalidName},
		{"batch force", c.DestroySnapshots(ctx, []string{"tank/a@s"}, DestroyOptions{ForceUnmount: true}), errors.ErrInvalidArgument},
		{"batch fs", c.DestroySnapshots(ctx, []string{"tank/a"}, DestroyOptions{}), errors.ErrInvalidName},
		{"inherit nothing", fs.Inherit(ctx, InheritOptions{}), errors.ErrInvalidArgument},
		{"set bad key", fs.Set(ctx, map[string]string{"": "x"}), errors.ErrInvalidArgument},
		{"load-key recursive reader", fs.LoadKey(ctx, strings.NewReader("k"), LoadKeyOptions{Recursive: true}), errors.ErrInvalidArgument},
		{"change-key nothing", fs.ChangeKey(ctx, ChangeKeyOptions{}), errors.ErrInvalidArgument},
		{"change-key inherit with key", fs.ChangeKey(ctx, ChangeKeyOptions{Inherit: true, Format: KeyHex}), errors.ErrInvalidArgument},
		{"program bad pool", second(c.Program(ctx, "tank/a", strings.NewReader("return 1"), ProgramOptions{})), errors.ErrInvalidName},
		{"written bad", second(fs.Written(ctx, "tank/b@s")), errors.ErrInvalidArgument},
	} {
		assert.ErrorIs(t, tc.err, tc.want, tc.name)
		var e *errors.Error
		if assert.ErrorAs(t, tc.err, &e, tc.name) {
			assert.Equal(t, -1, e.ExitCode, tc.name)
			assert.NotEmpty(t, e.Op, tc.name)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestDestroyDryRun(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	f.Expect("zfs", "destroy", "-n", "-v", "-p", "tank/d1@a%b").Stdout("destroy\ttank/d1@a\ndestroy\ttank/d1@b\nreclaim\t12345\n")
	p, err := c.DestroyDryRun(ctx, "tank/d1@a%b", DestroyOptions{})
	require.NoError(t, err)
	assert.Equal(t, &DestroyPlan{Destroy: []string{"tank/d1@a", "tank/d1@b"}, Reclaim: 12345, ReclaimKnown: true}, p)

	f.Expect("zfs", "destroy", "-n", "-v", "-p", "-R", "gzcap/fs").Stdout(golden(t, "destroy-R.out"))
	p, err = c.DestroyDryRun(ctx, "gzcap/fs", DestroyOptions{Dependents: true})
	require.NoError(t, err)
	assert.False(t, p.ReclaimKnown)
	assert.Equal(t, []string{"gzcap/fs/child/grand@s2", "gzcap/fs/child/grand", "gzcap/fs/child@s2", "gzcap/fs/child", "gzcap/fs@s1", "gzcap/clone", "gzcap/fs@s2", "gzcap/fs@s3", "gzcap/fs"}, p.Destroy)

	f.Expect("zfs", "destroy", "-n", "-v", "-p", "gzcap/fs@s2,s3").Stdout(golden(t, "destroy-comma.out")).Stderr(golden(t, "destroy-comma.err")).Exit(1)
	_, err = c.DestroyDryRun(ctx, "gzcap/fs@s2,s3", DestroyOptions{})
	assert.ErrorIs(t, err, errors.ErrHasDependents)
}

func TestDestroySnapshotsBatch(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	f.InOrder()
	// One command per dataset; the held snapshot blocks its batch, which is
	// retried without it.
	f.Expect("zfs", "destroy", "gzcap/fs@s1,s3").Stderr(golden(t, "err-batch.err")).Exit(1)
	f.Expect("zfs", "destroy", "gzcap/fs@s3")
	f.Expect("zfs", "destroy", "gzcap/vol@a")
	err := c.DestroySnapshots(ctx, []string{"gzcap/fs@s1", "gzcap/fs@s3", "gzcap/vol@a", "gzcap/fs@s1"}, DestroyOptions{})
	require.Error(t, err)
	errs := errors.Errors(err)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, err, errors.ErrHeld)
	var e *errors.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "gzcap/fs@s1", e.Name)

	// Two failures in separate datasets are both reported.
	f.Expect("zfs", "destroy", "-d", "p/a@x").Stderr("cannot destroy 'p/a@x': dataset is busy\n").Exit(1)
	f.Expect("zfs", "destroy", "-d", "p/b@x").Stderr("cannot destroy 'p/b@x': dataset is busy\n").Exit(1)
	err = c.DestroySnapshots(ctx, []string{"p/a@x", "p/b@x"}, DestroyOptions{Defer: true})
	assert.Len(t, errors.Errors(err), 2)
	assert.ErrorIs(t, err, errors.ErrBusy)
}

// TestDestroySnapshotsIdempotent: snapshots that do not exist, in a dataset
// that exists or not, are not errors (the messages are real zfs's, from
// errors/testdata); other failures still are.
func TestDestroySnapshotsIdempotent(t *testing.T) {
	ctx := context.Background()
	for _, v := range []string{"2.3.2", "2.1.11"} {
		t.Run(v, func(t *testing.T) {
			f, c := newFake(t)
			f.InOrder()
			errGolden := func(name string) string {
				b, err := os.ReadFile(filepath.Join("..", "errors", "testdata", v, name+".err"))
				require.NoError(t, err)
				return string(b)
			}
			f.Expect("zfs", "destroy", "gzerr/fs@nope1,nope2").Stderr(errGolden("destroy-missing-snapshots")).Exit(1)
			f.Expect("zfs", "destroy", "gzerr/nope@a,b").Stderr(errGolden("destroy-missing-snapshots-of-missing")).Exit(1)
			f.Expect("zfs", "destroy", "-r", "gzerr/fs@nope1").Stderr(errGolden("destroy-missing-snapshots-r")).Exit(1)
			require.NoError(t, c.DestroySnapshots(ctx, []string{"gzerr/fs@nope1", "gzerr/fs@nope2", "gzerr/nope@a", "gzerr/nope@b"}, DestroyOptions{}))
			require.NoError(t, c.DestroySnapshots(ctx, []string{"gzerr/fs@nope1"}, DestroyOptions{Recursive: true}))

			// The held snapshot is reported; the others of its batch are
			// gone by the retry.
			f.Expect("zfs", "destroy", "gzcap/fs@s1,s3").Stderr(golden(t, "err-batch.err")).Exit(1)
			f.Expect("zfs", "destroy", "gzcap/fs@s3").Stderr(errGolden("destroy-missing-snapshots")).Exit(1)
			err := c.DestroySnapshots(ctx, []string{"gzcap/fs@s1", "gzcap/fs@s3"}, DestroyOptions{})
			assert.Len(t, errors.Errors(err), 1)
			assert.ErrorIs(t, err, errors.ErrBusy)
		})
	}
}

func TestCommaBatches(t *testing.T) {
	var shorts []string
	for i := 0; i < 30000; i++ {
		shorts = append(shorts, "autosnap_2024-01-01_00:00:00_"+strings.Repeat("x", i%7))
	}
	batches := names.CommaBatches("tank/some/dataset", shorts)
	require.Greater(t, len(batches), 1)
	n := 0
	for _, b := range batches {
		arg := "tank/some/dataset@" + strings.Join(b, ",")
		assert.LessOrEqual(t, len(arg), maxArgLen)
		n += len(b)
	}
	assert.Equal(t, len(shorts), n)
}

func TestCreateSnapshots(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	f.InOrder()
	f.Expect("zfs", "snapshot", "-r", "-o", "com.example:k=v", "tank/a@x", "tank/b@y")
	f.Expect("zfs", "list", "-j", "-p", "-t", "snapshot", "-o", idArgs, "tank/a@x", "tank/b@y").
		Stdout(`{"output_version":{},"datasets":{"tank/a@x":{"name":"tank/a@x","type":"SNAPSHOT","createtxg":"5","properties":{"guid":{"value":"11","source":{"type":"NONE","data":"-"}}}},"tank/b@y":{"name":"tank/b@y","type":"SNAPSHOT","createtxg":"5","properties":{"guid":{"value":"12","source":{"type":"NONE","data":"-"}}}}}}`)
	snaps, err := c.CreateSnapshots(ctx, []string{"tank/a@x", "tank/b@y"}, SnapshotOptions{Recursive: true, Properties: map[string]string{"com.example:k": "v"}})
	require.NoError(t, err)
	require.Len(t, snaps, 2)
	assert.Equal(t, uint64(12), snaps[1].GUID())
	assert.Equal(t, snaps[0].CreateTXG(), snaps[1].CreateTXG())

	f.Expect("zfs", "snapshot", "tank/a@s1", "tank/nope@s1").Stderr(golden(t, "err-snap-multi2.err")).Exit(2)
	_, err = c.CreateSnapshots(ctx, []string{"tank/a@s1", "tank/nope@s1"}, SnapshotOptions{})
	assert.ErrorIs(t, err, errors.ErrNotExist)

	long := make([]string, 0, 20000)
	for i := 0; i < 20000; i++ {
		long = append(long, "tank/"+strings.Repeat("d", 50)+"@s")
	}
	_, err = c.CreateSnapshots(ctx, long, SnapshotOptions{})
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)
}

func TestHoldsParse(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	f.Expect("zfs", "holds", "-H", "-p", "-r", "gzcap/fs@s2").Stdout(golden(t, "holds-r.out"))
	hs, err := snapHandle(c, "gzcap/fs@s2").Holds(ctx, HoldOptions{Recursive: true})
	require.NoError(t, err)
	require.Len(t, hs, 3)
	_, sec, _ := strings.Cut(strings.Split(golden(t, "holds-r.out"), "\n")[1], "rkeep\t")
	wantSec, _ := strconv.ParseInt(sec, 10, 64)
	assert.Equal(t, Hold{Snapshot: "gzcap/fs/child@s2", Tag: "rkeep", Created: time.Unix(wantSec, 0)}, hs[1])
	assert.Equal(t, []Hold{{Snapshot: "a@b", Tag: "t\tx", Created: time.Unix(5, 0)}}, parseHolds("a@b\tt\tx\t5\n\n", holdSeconds))

	f.Expect("zfs", "hold", "keep", "gzcap/fs@s1").Stderr(golden(t, "err-hold-exist.err")).Exit(1)
	assert.ErrorIs(t, snapHandle(c, "gzcap/fs@s1").Hold(ctx, "keep", HoldOptions{}), errors.ErrExist)
}

func TestBookmarkIdempotent(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	f.InOrder()
	snap := snapHandle(c, "tank/a@s") // GUID 55
	f.Expect("zfs", "bookmark", "tank/a@s", "tank/a#b")
	bm, err := snap.CreateBookmark(ctx, "b")
	require.NoError(t, err)
	assert.Equal(t, "tank/a#b", bm.Name())
	assert.Equal(t, TypeBookmark, bm.Type())
	assert.Equal(t, uint64(55), bm.GUID())
	assert.Equal(t, uint64(9), bm.CreateTXG())

	// Exists with the same GUID: success.
	f.Expect("zfs", "bookmark", "tank/a@s", "tank/a#b").Stderr("cannot create bookmark 'tank/a#b': bookmark exists\n").Exit(1)
	f.Expect("zfs", "list", "-H", "-p", "-t", "all", "-o", idArgs, "tank/a#b").Stdout("tank/a#b\tbookmark\t55\t9\t1700000000\n")
	bm, err = snap.CreateBookmark(ctx, "tank/a#b")
	require.NoError(t, err)
	assert.Equal(t, uint64(55), bm.GUID())

	// Exists with another GUID: a clear Exist error.
	f.Expect("zfs", "bookmark", "tank/a@s", "tank/a#b").Stderr("cannot create bookmark 'tank/a#b': bookmark exists\n").Exit(1)
	f.Expect("zfs", "list", "-H", "-p", "-t", "all", "-o", idArgs, "tank/a#b").Stdout("tank/a#b\tbookmark\t56\t9\t1700000000\n")
	_, err = snap.CreateBookmark(ctx, "b")
	assert.ErrorIs(t, err, errors.ErrExist)
	assert.Contains(t, err.Error(), "GUID 56")

	// From a bookmark.
	f.Expect("zfs", "bookmark", "tank/a#b", "tank/a#c")
	bm2, err := bm.CreateBookmark(ctx, "c")
	require.NoError(t, err)
	assert.Equal(t, bm.GUID(), bm2.GUID())

	// Before 2.0, bookmarks cannot be copied.
	_, old := newFake(t)
	old = New(ClientOptions{Runner: old.opts.Runner, Version: Version{Major: 0, Minor: 8}})
	_, err = (newBookmark(dataset{c: old, name: "tank/a#b"})).CreateBookmark(ctx, "c")
	assert.ErrorIs(t, err, errors.ErrNotSupported)
}

func TestWritten(t *testing.T) {
	ctx := context.Background()
	f, c := newTextFake(t)
	f.Expect("zfs", "get", "-H", "-p", "-o", "name,property,value,source", "written@s1", "gzcap/fs").Stdout("gzcap/fs\twritten@s1\t1067008\t-\n")
	n, err := fsHandle(c, "gzcap/fs").Written(ctx, "s1")
	require.NoError(t, err)
	assert.Equal(t, uint64(1067008), n)
	f.Expect("zfs", "get", "-H", "-p", "-o", "name,property,value,source", "written#b", "gzcap/fs").Stdout("gzcap/fs\twritten#b\t7\t-\n")
	n, err = fsHandle(c, "gzcap/fs").Written(ctx, "gzcap/fs#b")
	require.NoError(t, err)
	assert.Equal(t, uint64(7), n)
}

func TestRollbackLatest(t *testing.T) {
	ctx := context.Background()
	f, c := newTextFake(t)
	f.InOrder()
	f.Expect("zfs", "list", "-H", "-p", "-d", "1", "-t", "snapshot", "-o", idArgs, "-s", "createtxg", "tank/a").
		Stdout("tank/a@x\tsnapshot\t1\t2\t3\ntank/a@y\tsnapshot\t4\t5\t6\n")
	f.Expect("zfs", "rollback", "-r", "tank/a@y")
	require.NoError(t, fsHandle(c, "tank/a").Rollback(ctx, RollbackOptions{DestroyLater: true}))

	f.Expect("zfs", "list", "-H", "-p", "-d", "1", "-t", "snapshot", "-o", idArgs, "-s", "createtxg", "tank/a")
	assert.ErrorIs(t, fsHandle(c, "tank/a").Rollback(ctx, RollbackOptions{}), errors.ErrNotExist)

	f.Expect("zfs", "rollback", "gzcap/fs@s1").Stderr(golden(t, "err-notlatest.err")).Exit(1)
	assert.ErrorIs(t, snapHandle(c, "gzcap/fs@s1").Rollback(ctx, RollbackOptions{}), errors.ErrSnapshotNotLatest)
}

func TestErrorKindsFromGolden(t *testing.T) {
	for file, want := range map[string]error{
		"err-notexist.err":      errors.ErrNotExist,
		"err-notexist-snap.err": errors.ErrNotExist,
		"err-exist.err":         errors.ErrExist,
		"err-snap-exist.err":    errors.ErrExist,
		"err-children.err":      errors.ErrHasChildren,
		"err-clones.err":        errors.ErrHasClones,
		"err-held.err":          errors.ErrHeld,
		"err-notlatest.err":     errors.ErrSnapshotNotLatest,
		"err-busy-unmount.err":  errors.ErrBusy,
		"err-hold-exist.err":    errors.ErrExist,
		"err-release-notag.err": errors.ErrNotExist,
		"mount-noload.err":      errors.ErrKeyNotLoaded,
	} {
		k := errors.Classify(golden(t, file))
		assert.ErrorIs(t, k.Err(), want, "%s: %v", file, k)
	}
}

func TestProgram(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	e := f.Expect("zfs", "program", "-j", "-n", "-t", "1000", "-m", "1048576", "gzcap", "-", "gzcap/fs").Stdout(golden(t, "program-json.out"))
	v, err := c.Program(ctx, "gzcap", strings.NewReader("return 1"), ProgramOptions{NoSync: true, InstructionLimit: 1000, MemoryLimit: 1 << 20, Args: []string{"gzcap/fs"}})
	require.NoError(t, err)
	assert.Equal(t, [][]byte{[]byte("return 1")}, e.Stdin())
	// zfs.list.snapshots has no fixed order: check "first" apart.
	checkFirst := func(v any) {
		m, ok := v.(map[string]any)
		require.True(t, ok)
		first, _ := m["first"].(string)
		assert.True(t, strings.HasPrefix(first, "gzcap/fs@"), first)
		delete(m, "first")
	}
	checkFirst(v)
	want := map[string]any{"n": int64(5), "nested": map[string]any{"x": "y"}, "flag": true, "neg": int64(-5), "args": map[string]any{"1": "gzcap/fs"}}
	assert.Equal(t, want, v)

	got, err := parseProgramText(golden(t, "program-text.out"))
	require.NoError(t, err)
	checkFirst(got)
	assert.Equal(t, want, got)

	for _, tc := range []struct {
		file string
		want any
	}{
		{"program-num-json.out", int64(42)},
		{"program-nil-json.out", nil},
	} {
		got, err := parseProgramJSON([]byte(golden(t, tc.file)))
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.file)
	}
	for _, tc := range []struct {
		file string
		want any
	}{
		{"program-num-text.out", int64(42)},
		{"program-nil-text.out", nil},
		{"program-stdin.out", int64(1)},
	} {
		got, err := parseProgramText(golden(t, tc.file))
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.file)
	}

	f2, c2 := newTextFake(t)
	f2.Expect("zfs", "program", "gzcap", "-").Stderr(golden(t, "program-err-text.err")).Exit(1)
	_, err = c2.Program(ctx, "gzcap", strings.NewReader(`error("boom")`), ProgramOptions{})
	var ze *errors.Error
	require.ErrorAs(t, err, &ze)
	assert.Contains(t, ze.Stderr, "boom")
}

func TestDiffParse(t *testing.T) {
	var got []Change
	for _, line := range strings.Split(strings.TrimSpace(golden(t, "diff-Ht.out")), "\n") {
		ch, ok := parseChange(line)
		require.True(t, ok, line)
		got = append(got, ch)
	}
	require.Len(t, got, 11)
	root := "/run/gozfs-lab/pools/root/gzcap/fs/"
	byPath := map[string]Change{}
	for _, ch := range got {
		assert.False(t, ch.Time.IsZero())
		assert.NotZero(t, ch.Time.Nanosecond()+1)
		ch.Time = time.Time{}
		byPath[ch.Path] = ch
	}
	assert.Equal(t, Change{Type: Modified, FileType: RegularFile, Path: root + "file1", LinkDelta: 1}, byPath[root+"file1"])
	assert.Equal(t, Change{Type: Renamed, FileType: RegularFile, Path: root + "oldname", NewPath: root + "new name"}, byPath[root+"oldname"])
	assert.Equal(t, Change{Type: Removed, FileType: RegularFile, Path: root + "deleted"}, byPath[root+"deleted"])
	paths := map[string]FileType{}
	for _, ch := range got {
		paths[ch.Path] = ch.FileType
	}
	for p, ft := range map[string]FileType{root + "nl\nhere": RegularFile, root + "caf\u00e9": RegularFile, root + "back\\slash": RegularFile, root + "tab\there": RegularFile, root + "link": Symlink, root + "fifo": NamedPipe, root + "newdir": Directory, root: Directory, root + "deleted": RegularFile} {
		assert.Equal(t, ft, paths[p], "%q", p)
	}
	assert.Equal(t, "a\\b\\", unescapePath(`a\b\`))
	assert.Equal(t, "\\0999", unescapePath(`\0999`))
	for _, bad := range []string{"", "x\tM\tF\t/p", "1.5\tQ\tF\t/p", "1.5\tR\tF\t/p", "1.5\tM\tF\t/p\t(+x)", "1.5\tM\tFF\t/p"} {
		_, ok := parseChange(bad)
		assert.False(t, ok, "%q", bad)
	}
}

func TestDiffStream(t *testing.T) {
	ctx := context.Background()
	f, c := newFake(t)
	f.Expect("zfs", "diff", "-H", "-F", "-t", "gzcap/fs@d2", "gzcap/fs").Stdout(golden(t, "diff-live.out"))
	chs, err := snapHandle(c, "gzcap/fs@d2").Diff(ctx, "")
	require.NoError(t, err)
	require.Len(t, chs, 2)
	assert.Equal(t, Created, chs[0].Type)
	f.Expect("zfs", "diff", "-H", "-F", "-t", "gzcap/fs@d1", "gzcap/fs@d2").Stdout("garbage\n")
	_, err = snapHandle(c, "gzcap/fs@d1").Diff(ctx, "d2")
	require.Error(t, err)
	f.Expect("zfs", "diff", "-H", "-F", "-t", "gzcap/fs@d1", "gzcap/fs@d2").Do(func(ctx context.Context, cmd *command.Cmd) error {
		_, err := io.WriteString(cmd.Stdout, golden(t, "diff-Ht.out"))
		return err
	})
	n := 0
	for _, err := range c.Diff(ctx, "gzcap/fs@d1", "gzcap/fs@d2") {
		require.NoError(t, err)
		n++
		break
	}
	assert.Equal(t, 1, n)
}
