package poolimage

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/internal/manifest"
)

var (
	imageMu   sync.Mutex
	imageDirs = map[string]string{}
)

// imagePaths decompresses testdata/images/POOL.N.img.zst once per test
// binary into a temporary directory and returns the image paths in vdev
// file order.
func imagePaths(t testing.TB, pool string) []string {
	t.Helper()
	imageMu.Lock()
	defer imageMu.Unlock()
	srcs, _ := filepath.Glob(filepath.Join("testdata", "images", pool+".*.img.zst"))
	require.NotEmpty(t, srcs, "no images of %s", pool)
	sort.Slice(srcs, func(i, j int) bool {
		return len(srcs[i]) < len(srcs[j]) || len(srcs[i]) == len(srcs[j]) && srcs[i] < srcs[j]
	})
	dir, ok := imageDirs[pool]
	if !ok {
		var err error
		dir, err = os.MkdirTemp("", "gozfs-poolimage-"+pool+"-")
		require.NoError(t, err)
		for _, src := range srcs {
			require.NoError(t, unzstd(src, filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".zst"))))
		}
		imageDirs[pool] = dir
	}
	var out []string
	for _, src := range srcs {
		out = append(out, filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), ".zst")))
	}
	return out
}

// unzstd decompresses src to dst, keeping runs of zeros sparse.
func unzstd(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := zstd.NewReader(in)
	if err != nil {
		return err
	}
	defer zr.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	buf := make([]byte, 1<<16)
	zeros := make([]byte, len(buf))
	var size int64
	for {
		n, err := io.ReadFull(zr, buf)
		if n > 0 {
			if !bytes.Equal(buf[:n], zeros[:n]) {
				if _, err := out.WriteAt(buf[:n], size); err != nil {
					return err
				}
			}
			size += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
	}
	return out.Truncate(size)
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range imageDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// fixturePools lists the pools the fixture script made.
func fixturePools(t testing.TB) []string {
	dirs, _ := filepath.Glob("testdata/fx*")
	var out []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "blocks.txt")); err == nil {
			out = append(out, filepath.Base(d))
		}
	}
	require.NotEmpty(t, out)
	return out
}

func openFixture(t testing.TB, pool string, opts Options) *Pool {
	t.Helper()
	p, err := OpenFiles(imagePaths(t, pool), opts)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

// zfsList reads testdata/POOL/zfs-list.txt: name, type, guid, createtxg,
// encryption.
func zfsList(t testing.TB, pool string) [][]string {
	f, err := os.Open(filepath.Join("testdata", pool, "zfs-list.txt"))
	require.NoError(t, err)
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, strings.Split(sc.Text(), "\t"))
	}
	return out
}

// TestFixtureTreesMatchZFS compares every file system and snapshot of every
// fixture pool with what the kernel's ZFS showed.
func TestFixtureTreesMatchZFS(t *testing.T) {
	for _, pool := range fixturePools(t) {
		t.Run(pool, func(t *testing.T) {
			p := openFixture(t, pool, Options{})
			for base, m := range manifest.Glob(filepath.Join("testdata", pool)) {
				name := strings.ReplaceAll(base, "%", "/")
				t.Run(name, func(t *testing.T) {
					ds, err := p.Dataset(name)
					require.NoError(t, err)
					if ds.Encrypted {
						_, err := p.FS(name)
						require.Error(t, err)
						return
					}
					want, err := manifest.Load(m)
					require.NoError(t, err)
					fsys, err := p.FS(name)
					require.NoError(t, err)
					var skip []string
					all, _ := p.Datasets()
					for _, c := range all {
						if rest, ok := strings.CutPrefix(c.Name, name+"/"); ok && !strings.Contains(rest, "/") && c.Type == Filesystem {
							skip = append(skip, rest)
						}
					}
					diffs, err := manifest.Diff(fsys, want, skip...)
					require.NoError(t, err)
					if len(diffs) > 10 {
						diffs = append(diffs[:10], fmt.Sprintf("... %d more", len(diffs)-10))
					}
					assert.Empty(t, diffs)
				})
			}
		})
	}
}
