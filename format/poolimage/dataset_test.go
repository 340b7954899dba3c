package poolimage

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zfsGet reads testdata/POOL/zfs-get.txt: dataset -> property -> value,
// source.
func zfsGet(t *testing.T, pool string) map[string]map[string][2]string {
	f, err := os.Open(filepath.Join("testdata", pool, "zfs-get.txt"))
	require.NoError(t, err)
	defer f.Close()
	out := map[string]map[string][2]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 4 {
			continue
		}
		if out[parts[0]] == nil {
			out[parts[0]] = map[string][2]string{}
		}
		out[parts[0]][parts[1]] = [2]string{parts[2], parts[3]}
	}
	return out
}

// TestDatasetsMatchZFS compares the datasets and their MOS properties
// with zfs list and zfs get on every fixture pool.
func TestDatasetsMatchZFS(t *testing.T) {
	for _, pool := range fixturePools(t) {
		t.Run(pool, func(t *testing.T) {
			p := openFixture(t, pool, Options{})
			ds, err := p.Datasets()
			require.NoError(t, err)
			list := zfsList(t, pool)
			var names []string
			for _, d := range ds {
				names = append(names, d.Name)
			}
			var want []string
			for _, l := range list {
				want = append(want, l[0])
			}
			assert.Equal(t, want, names)
			get := zfsGet(t, pool)
			for _, l := range list {
				d, err := p.Dataset(l[0])
				require.NoError(t, err)
				assert.Equal(t, l[1], d.Type.String(), l[0])
				assert.Equal(t, l[2], strconv.FormatUint(d.GUID, 10), l[0])
				assert.Equal(t, l[3], strconv.FormatUint(d.CreateTXG, 10), l[0])
				assert.Equal(t, l[4] != "off", d.Encrypted, l[0])
				props := get[l[0]]
				assert.Equal(t, props["creation"][0], strconv.FormatInt(d.Creation.Unix(), 10), l[0])
				assert.Equal(t, props["referenced"][0], strconv.FormatUint(d.Referenced, 10), l[0])
				if l[0] != pool {
					// The pool's root counts the MOS, which exporting
					// the pool (after zfs get ran) still changed.
					assert.Equal(t, props["used"][0], strconv.FormatUint(d.Used, 10), l[0])
				}
				if o := props["origin"][0]; o != "-" && o != "" {
					assert.Equal(t, o, d.Origin, l[0])
				} else {
					assert.Empty(t, d.Origin, l[0])
				}
				for name, v := range props {
					if v[1] != "local" || name == "mountpoint" || name == "keylocation" {
						continue
					}
					assert.Equal(t, v[0], d.Props[name], "%s %s", l[0], name)
				}
				if mp := props["mountpoint"]; mp[1] == "local" {
					assert.True(t, strings.HasSuffix(mp[0], d.Props["mountpoint"]), "%s mountpoint %q vs %q", l[0], mp[0], d.Props["mountpoint"])
				}
			}
		})
	}
}
