package poolimage

import (
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/internal/manifest"
	"github.com/gozfs/gozfs/format/ondisk"
)

var (
	osReadFile  = os.ReadFile
	osWriteFile = func(p string, b []byte) error { return os.WriteFile(p, b, 0o600) }
)

// checkTrees compares every file system of pool p with the fixture
// manifests.
func checkTrees(t *testing.T, pool string, p *Pool) {
	t.Helper()
	manifests := manifest.Glob(filepath.Join("testdata", pool))
	require.NotEmpty(t, manifests)
	for base, m := range manifests {
		name := strings.ReplaceAll(base, "%", "/")
		want, err := manifest.Load(m)
		require.NoError(t, err)
		fsys, err := p.FS(name)
		require.NoError(t, err, name)
		var skip []string
		all, _ := p.Datasets()
		for _, c := range all {
			if rest, ok := strings.CutPrefix(c.Name, name+"/"); ok && !strings.Contains(rest, "/") && c.Type == Filesystem {
				skip = append(skip, rest)
			}
		}
		diffs, err := manifest.Diff(fsys, want, skip...)
		require.NoError(t, err, name)
		require.Empty(t, diffs, name)
	}
}

// damage overwrites the allocatable area of an image (not its labels)
// with pseudo-random bytes, every other 4 KiB.
func damage(t *testing.T, path string, seed uint64) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	st, _ := f.Stat()
	r := rand.New(rand.NewPCG(seed, seed))
	junk := make([]byte, 4096)
	for off := int64(LabelStartSize); off+4096 < st.Size()-LabelEndSize; off += 8192 {
		for i := range junk {
			junk[i] = byte(r.Uint32())
		}
		_, err := f.WriteAt(junk, off)
		require.NoError(t, err)
	}
}

// TestDegradedPools reads the redundant fixture pools with as many
// members missing, or silently damaged, as their redundancy allows.
func TestDegradedPools(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, tc := range []struct {
		pool   string
		parity int
	}{{"fxmirror", 1}, {"fxraidz1", 1}, {"fxraidz2", 2}, {"fxraidz3", 3}} {
		if _, err := os.Stat(filepath.Join("testdata", tc.pool, "blocks.txt")); err != nil {
			continue
		}
		t.Run(tc.pool, func(t *testing.T) {
			paths := imagePaths(t, tc.pool)
			// Missing members: the first nparity, then the last.
			sets := [][]int{seq(0, tc.parity), seq(len(paths)-tc.parity, len(paths))}
			if raceEnabled {
				sets = sets[:1]
			}
			for _, missing := range sets {
				var have []string
				for i, p := range paths {
					if !contains(missing, i) {
						have = append(have, p)
					}
				}
				p, err := OpenFiles(have, Options{})
				require.NoError(t, err, "without %v", missing)
				checkTrees(t, tc.pool, p)
				p.Close()
			}
			// Damaged members: checksums catch it and parity repairs.
			if raceEnabled && tc.parity > 1 {
				return
			}
			dir := t.TempDir()
			var copies []string
			for i, src := range paths {
				dst := filepath.Join(dir, filepath.Base(src))
				b, err := os.ReadFile(src)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(dst, b, 0o600))
				if i < tc.parity {
					damage(t, dst, uint64(i+1))
				}
				copies = append(copies, dst)
			}
			p, err := OpenFiles(copies, Options{})
			require.NoError(t, err)
			checkTrees(t, tc.pool, p)
			p.Close()
		})
	}
}

func seq(a, b int) []int {
	var out []int
	for i := a; i < b; i++ {
		out = append(out, i)
	}
	return out
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestDamagedBlockError damages both sides of a mirrored file block: the
// read fails with a *ondisk.BlockError naming the object and offset.
func TestDamagedBlockError(t *testing.T) {
	paths := imagePaths(t, "fxmirror")
	p := openFixture(t, "fxmirror", Options{})
	fsys, err := p.FS("fxmirror")
	require.NoError(t, err)
	info, err := fsys.Lstat("text.txt")
	require.NoError(t, err)
	obj := info.Sys().(*ondisk.Znode).Object
	os, err := p.Objset("fxmirror")
	require.NoError(t, err)
	d, err := os.Dnode(obj)
	require.NoError(t, err)
	bp, ok, err := os.blockPointer(obj, d, 0, 1) // the second 128 KiB block
	require.NoError(t, err)
	require.True(t, ok)
	dva := bp.DVA[0]

	dir := t.TempDir()
	var copies []string
	for _, src := range paths {
		dst := filepath.Join(dir, filepath.Base(src))
		b, err := osReadFile(src)
		require.NoError(t, err)
		copy(b[LabelStartSize+int64(dva.Offset()):], "damaged!")
		require.NoError(t, osWriteFile(dst, b))
		copies = append(copies, dst)
	}
	q, err := OpenFiles(copies, Options{})
	require.NoError(t, err)
	defer q.Close()
	qfs, err := q.FS("fxmirror")
	require.NoError(t, err)
	_, err = qfs.ReadFile("text.txt")
	var be *ondisk.BlockError
	require.ErrorAs(t, err, &be)
	require.Equal(t, obj, be.Object)
	require.EqualValues(t, d.DataBlockSize(), be.Offset)
	require.ErrorIs(t, err, ondisk.ErrChecksum)
	// The other blocks still read.
	f, err := qfs.Open("text.txt")
	require.NoError(t, err)
	buf := make([]byte, 1000)
	_, err = f.(io.ReaderAt).ReadAt(buf, 0)
	require.NoError(t, err)
}
