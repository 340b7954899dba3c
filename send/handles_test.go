package send_test

import (
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/zfs"
)

// The zfs package's handles satisfy the interfaces send accepts.
var (
	_ send.Snapshot = (*zfs.Snapshot)(nil)
	_ send.Base     = (*zfs.Snapshot)(nil)
	_ send.Base     = (*zfs.Bookmark)(nil)
	_ send.Snapshot = (*zfs.Filesystem)(nil) // for saved sends (-S)
	_ send.Snapshot = send.Name("")
	_ send.Base     = send.Name("")
)
