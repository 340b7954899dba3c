//go:build zfs

package streamfs_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/ondisk"
	"github.com/gozfs/gozfs/format/streamfs"
	"github.com/gozfs/gozfs/internal/ztest"
)

func view(t *testing.T, fsys fs.FS, readlink func(string) (string, error)) []string {
	var out []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".zfs" {
			return fs.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		extra := ""
		switch {
		case info.Mode().IsRegular():
			f, err := fsys.Open(p)
			if err != nil {
				return err
			}
			h := sha256.New()
			_, err = io.Copy(h, f)
			f.Close()
			if err != nil {
				return err
			}
			extra = hex.EncodeToString(h.Sum(nil))
		case info.Mode()&fs.ModeSymlink != 0:
			if extra, err = readlink(p); err != nil {
				return err
			}
		}
		size := info.Size()
		if info.IsDir() {
			size = 0
		}
		out = append(out, fmt.Sprintf("%s %v %d %s", p, info.Mode(), size, extra))
		return nil
	})
	require.NoError(t, err)
	sort.Strings(out)
	return out
}

// TestIntegrationStreams sends a file system with real ZFS as a plain
// stream and with -L -e -c (large, embedded and compressed records at
// once) and compares the tree rebuilt from each stream with what the
// mounted snapshot shows. The committed fixtures cover each flag alone.
func TestIntegrationStreams(t *testing.T) {
	p := ztest.NewPool(t, ztest.PoolOptions{Args: []string{"-O", "compression=lz4", "-O", "recordsize=1M", "-O", "xattr=sa"}})
	mnt := filepath.Join(p.AltRoot, p.Name)
	for i := range 40 {
		d := filepath.Join(mnt, fmt.Sprintf("dir%d", i%5))
		require.NoError(t, os.MkdirAll(d, 0o750))
		content := strings.Repeat(fmt.Sprintf("file %d ", i), 1+i*i*30)
		require.NoError(t, os.WriteFile(filepath.Join(d, fmt.Sprintf("f%d", i)), []byte(content), 0o640))
	}
	require.NoError(t, os.WriteFile(filepath.Join(mnt, "tiny"), []byte("x"), 0o600))
	require.NoError(t, os.Symlink(strings.Repeat("long/", 80), filepath.Join(mnt, "long-link")))
	ztest.Run(t, "zfs", "snapshot", p.Name+"@s")
	// The snapshot as the kernel shows it, through a clone mounted outside
	// the pool's file system: the .zfs/snapshot automount runs the host's
	// mount helper, which need not match the kernel module under test (it
	// hangs with OpenZFS 2.1 there).
	ztest.Run(t, "zfs", "clone", "-o", "mountpoint=/snapview", p.Name+"@s", p.Name+"/snapview")
	snapDir := filepath.Join(p.AltRoot, "snapview")
	want := view(t, os.DirFS(snapDir), func(p string) (string, error) { return os.Readlink(filepath.Join(snapDir, p)) })

	for _, flags := range [][]string{nil, {"-L", "-e", "-c"}} {
		t.Run(strings.Join(flags, ""), func(t *testing.T) {
			path := filepath.Join(ztest.Dir(t), "stream")
			out, err := os.Create(path)
			require.NoError(t, err)
			cmd := exec.Command("zfs", append(append([]string{"send"}, flags...), p.Name+"@s")...)
			cmd.Stdout = out
			require.NoError(t, cmd.Run())
			out.Close()
			// Once from the regular file (read in place) and once
			// through a pipe (spilled to a temporary file).
			for _, viaPipe := range []bool{false, true} {
				f, err := os.Open(path)
				require.NoError(t, err)
				var r io.Reader = f
				if viaPipe {
					r = io.MultiReader(f)
				}
				s, err := streamfs.Read(r, streamfs.Options{TempDir: ztest.Dir(t)})
				require.NoError(t, err)
				fsys, err := s.FS()
				require.NoError(t, err)
				assert.Equal(t, want, view(t, fsys, fsys.ReadLink))
				var z *ondisk.Znode
				info, err := fsys.Lstat("tiny")
				require.NoError(t, err)
				z = info.Sys().(*ondisk.Znode)
				assert.EqualValues(t, 0o600, z.Mode&0o777)
				s.Close()
				f.Close()
			}
		})
	}
}
