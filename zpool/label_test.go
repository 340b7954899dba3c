package zpool_test

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/format/poolimage"
	"github.com/gozfs/gozfs/zpool"
)

func TestLabels(t *testing.T) {
	if _, err := exec.LookPath("zstd"); err != nil {
		t.Skip("zstd not installed")
	}
	img := filepath.Join(t.TempDir(), "vdev.img")
	out, err := exec.Command("zstd", "-q", "-d", "../format/poolimage/testdata/images/fxraidz2.3.img.zst", "-o", img).CombinedOutput()
	require.NoError(t, err, string(out))
	ls, err := zpool.Labels(img)
	require.NoError(t, err)
	assert.Empty(t, ls.Damaged())
	c := ls.Config()
	assert.Equal(t, "fxraidz2", c.Name)
	assert.Equal(t, poolimage.StateExported, c.State)
	assert.Equal(t, "raidz", c.Tree.Type)
	assert.EqualValues(t, 2, c.Tree.NParity)
	assert.Len(t, c.Tree.Children, 6)
	assert.NotNil(t, ls.Active())

	_, err = zpool.Labels(filepath.Join(t.TempDir(), "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// Which pool is this disk part of? Without ZFS, as zdb -l shows it.
func ExampleLabels() {
	ls, err := zpool.Labels("/dev/sdb")
	if err != nil {
		log.Fatal(err)
	}
	c := ls.Config()
	fmt.Println(c.Name, c.GUID, c.State, c.Hostname, "damaged labels:", ls.Damaged())
	if ub := ls.Active(); ub != nil {
		fmt.Println("active txg", ub.TXG, "written", ub.Time())
	}
}
