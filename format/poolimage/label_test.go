package poolimage

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/ondisk"
)

// zdbLabel is what zdb -l -u printed for a fixture's first vdev.
type zdbLabel struct {
	fields     map[string]string // top-level config fields of label 0
	features   []string
	uberblocks map[uint64]uint64 // slot -> txg
	maxTXG     uint64
}

func parseZdbL(t *testing.T, pool string) zdbLabel {
	b, err := os.ReadFile(filepath.Join("testdata", pool, "zdb-l.txt"))
	require.NoError(t, err)
	z := zdbLabel{fields: map[string]string{}, uberblocks: map[uint64]uint64{}}
	field := regexp.MustCompile(`^ {4,8}(\w+): (.*)$`)
	ub := regexp.MustCompile(`^    Uberblock\[(\d+)\]$`)
	txg := regexp.MustCompile(`^\ttxg = (\d+)$`)
	inFeatures := false
	slot := uint64(0)
	for _, line := range strings.Split(string(b), "\n") {
		if m := field.FindStringSubmatch(line); m != nil {
			if _, ok := z.fields[m[1]]; !ok {
				z.fields[m[1]] = strings.Trim(m[2], "'")
			}
		}
		switch {
		case strings.HasPrefix(line, "    features_for_read:"):
			inFeatures = true
			continue
		case inFeatures && strings.HasPrefix(line, "        ") && !strings.Contains(line, "="):
			z.features = append(z.features, strings.TrimSpace(line))
			continue
		default:
			inFeatures = false
		}
		if m := ub.FindStringSubmatch(line); m != nil {
			slot, _ = strconv.ParseUint(m[1], 10, 64)
		}
		if m := txg.FindStringSubmatch(line); m != nil {
			v, _ := strconv.ParseUint(m[1], 10, 64)
			z.uberblocks[slot] = v
			z.maxTXG = max(z.maxTXG, v)
		}
	}
	return z
}

// TestLabelsMatchZdb compares ReadLabels with zdb -l -u on the first vdev
// of every fixture pool.
func TestLabelsMatchZdb(t *testing.T) {
	for _, pool := range fixturePools(t) {
		t.Run(pool, func(t *testing.T) {
			want := parseZdbL(t, pool)
			path := imagePaths(t, pool)[0]
			f, err := os.Open(path)
			require.NoError(t, err)
			defer f.Close()
			st, _ := f.Stat()
			ls, err := ReadLabels(f, st.Size())
			require.NoError(t, err)
			assert.Empty(t, ls.Damaged())
			for i := range ls.Labels {
				l := &ls.Labels[i]
				require.NoError(t, l.Err)
				c := l.Config
				assert.Equal(t, want.fields["name"], c.Name)
				assert.Equal(t, want.fields["pool_guid"], strconv.FormatUint(c.GUID, 10))
				assert.Equal(t, want.fields["txg"], strconv.FormatUint(c.TXG, 10))
				assert.Equal(t, want.fields["hostname"], c.Hostname)
				assert.Equal(t, want.fields["hostid"], strconv.FormatUint(c.HostID, 10))
				assert.Equal(t, want.fields["guid"], strconv.FormatUint(c.VdevGUID, 10))
				assert.Equal(t, want.fields["top_guid"], strconv.FormatUint(c.TopGUID, 10))
				assert.Equal(t, want.fields["state"], strconv.FormatUint(uint64(c.State), 10))
				assert.Equal(t, StateExported, c.State)
				assert.Equal(t, want.fields["type"], c.Tree.Type)
				assert.Equal(t, want.fields["ashift"], strconv.FormatUint(c.Tree.Ashift, 10))
				assert.ElementsMatch(t, want.features, c.FeaturesForRead)
				got := map[uint64]uint64{}
				for _, u := range l.Uberblocks {
					got[uint64(u.Slot)] = u.TXG
				}
				assert.Equal(t, want.uberblocks, got, "label %d uberblock ring", i)
			}
			act := ls.Active()
			require.NotNil(t, act)
			assert.Equal(t, want.maxTXG, act.TXG)
			assert.EqualValues(t, 5000, act.Version)
			assert.True(t, act.MMP().Valid)
		})
	}
}

// copyImage copies an image so a test can damage it.
func copyImage(t *testing.T, src string) string {
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	require.NoError(t, os.WriteFile(dst, b, 0o600))
	return dst
}

func TestDamagedLabels(t *testing.T) {
	path := copyImage(t, imagePaths(t, "fxmirror")[0])
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	st, _ := f.Stat()
	// Damage the configuration of label 0 and label 3, and the whole of
	// label 1 including its uberblocks.
	_, err = f.WriteAt([]byte("garbage"), LabelOffset(st.Size(), 0)+vdevPhysOffset+100)
	require.NoError(t, err)
	_, err = f.WriteAt(make([]byte, LabelSize), LabelOffset(st.Size(), 1))
	require.NoError(t, err)
	_, err = f.WriteAt([]byte{1}, LabelOffset(st.Size(), 3)+vdevPhysOffset+vdevPhysSize-1)
	require.NoError(t, err)
	ls, err := ReadLabels(f, st.Size())
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 3}, ls.Damaged())
	for _, i := range []int{0, 1, 3} {
		var le *LabelError
		require.ErrorAs(t, ls.Labels[i].Err, &le)
		assert.Equal(t, i, le.Label)
		assert.ErrorIs(t, ls.Labels[i].Err, ondisk.ErrChecksum)
	}
	assert.Empty(t, ls.Labels[1].Uberblocks)
	assert.NotEmpty(t, ls.Labels[0].Uberblocks, "label 0's ring is intact")
	require.NotNil(t, ls.Config())
	assert.Equal(t, "fxmirror", ls.Config().Name)
	// The pool still opens from the other side and the good labels.
	p, err := OpenFiles([]string{path, imagePaths(t, "fxmirror")[1]}, Options{})
	require.NoError(t, err)
	defer p.Close()
	_, err = p.FS("fxmirror")
	require.NoError(t, err)

	// With every label gone there is nothing to read.
	for l := range NumLabels {
		_, err = f.WriteAt(make([]byte, LabelSize), LabelOffset(st.Size(), l))
		require.NoError(t, err)
	}
	_, err = ReadLabels(f, st.Size())
	assert.ErrorIs(t, err, ErrNoLabel)
}

func TestReadLabelsTooSmall(t *testing.T) {
	_, err := ReadLabels(strings.NewReader("x"), 1)
	assert.ErrorIs(t, err, ErrNoLabel)
}
