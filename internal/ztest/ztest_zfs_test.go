//go:build zfs

package ztest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The lab itself: a throwaway pool on tmpfs files, mounted under its altroot,
// reachable through the exec runner with JSON output (text before 2.3).
func TestIntegrationLabPool(t *testing.T) {
	p := NewPool(t, PoolOptions{})
	assert.True(t, strings.HasPrefix(p.AltRoot, os.Getenv("GOZFS_LAB_DIR")) || os.Getenv("GOZFS_LAB_DIR") == "")

	Run(t, "zfs", "create", p.Name+"/fs")
	_, err := os.Stat(filepath.Join(p.AltRoot, p.Name, "fs"))
	require.NoError(t, err, "mounted under the altroot")

	var out bytes.Buffer
	r := &command.Exec{}
	v, err := zfs.New(zfs.ClientOptions{Runner: r}).Version(context.Background())
	require.NoError(t, err)
	if v.SupportsJSON() {
		err = r.Run(context.Background(), &command.Cmd{Name: "zfs", Args: []string{"list", "-j", "--json-int", "-r", p.Name}, Stdout: &out})
		require.NoError(t, err)
		var doc struct {
			Datasets map[string]struct {
				Name string `json:"name"`
				Type string `json:"type"`
			} `json:"datasets"`
		}
		require.NoError(t, json.Unmarshal(out.Bytes(), &doc), out.String())
		assert.Equal(t, "FILESYSTEM", doc.Datasets[p.Name+"/fs"].Type)
	} else {
		// Before 2.3 (no -j): the text listing.
		err = r.Run(context.Background(), &command.Cmd{Name: "zfs", Args: []string{"list", "-H", "-o", "name,type", "-r", p.Name}, Stdout: &out})
		require.NoError(t, err)
		assert.Contains(t, out.String(), p.Name+"/fs\tfilesystem\n")
	}

	err = r.Run(context.Background(), &command.Cmd{Name: "zfs", Args: []string{"list", p.Name + "/nope"}})
	var xe *command.ExitError
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, 1, xe.Code)
	assert.Contains(t, xe.Stderr, "dataset does not exist")
}
