package recv_test

import (
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/zfs"
)

// The zfs package's handles satisfy the interface recv accepts.
var (
	_ recv.Dataset = (*zfs.Filesystem)(nil)
	_ recv.Dataset = (*zfs.Volume)(nil)
	_ recv.Dataset = (*zfs.Snapshot)(nil)
	_ recv.Dataset = (*zfs.Dataset)(nil)
	_ recv.Dataset = recv.Name("")
)
