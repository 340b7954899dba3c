package zpool

import (
	"io"
	"os"

	"github.com/gozfs/gozfs/format/poolimage"
)

// Labels reads the four vdev labels of a disk, partition or image file
// without ZFS, as `zdb -l` does: which pool the device belongs to (name,
// GUID, state, txg, host), the vdev tree of its top-level vdev, the features
// a reader needs, and the active uberblock. Damaged labels are reported in
// their Label.Err rather than failing the call. The device is opened
// read-only and nothing is written. It runs no command and needs no Client;
// see package github.com/gozfs/gozfs/format/poolimage for the types and
// for reading whole pools from their images.
func Labels(path string) (*poolimage.Labels, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	return poolimage.ReadLabels(f, size)
}
