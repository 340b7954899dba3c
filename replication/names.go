package replication

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
)

// tagBase is the start of every hold tag and cursor bookmark name this
// package makes.
const tagBase = "gozfs-replication"

// maxJobName bounds PlanOptions.Name, so that hold tags stay far below the
// 256 bytes zfs accepts and cursor names within a name component.
const maxJobName = 64

// checkJobName validates a replication name: letters, digits and "_-.:".
func checkJobName(op, name string) error {
	if len(name) > maxJobName {
		return errs.InvalidArgumentf(op, "", "replication name %q is longer than %d bytes", name, maxJobName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_-.:", c) >= 0) {
			return errs.InvalidArgumentf(op, "", "replication name %q: only letters, digits and _-.: are allowed", name)
		}
	}
	return nil
}

// HoldTag returns the hold tag that runs of the replication called name
// place on the snapshots they send: "gozfs-replication" for the empty name,
// "gozfs-replication:<name>" otherwise.
func HoldTag(name string) string {
	if name == "" {
		return tagBase
	}
	return tagBase + ":" + name
}

// CursorName returns the short name of the cursor bookmark that the
// replication called name keeps for the snapshot with the given GUID:
// "<HoldTag(name)>_<guid as 16 hex digits>".
func CursorName(name string, guid uint64) string {
	return fmt.Sprintf("%s_%016x", HoldTag(name), guid)
}

// parseCursor reports whether short, the short name of a bookmark, is a
// cursor of the replication called name, and the GUID it names.
func parseCursor(name, short string) (uint64, bool) {
	prefix := HoldTag(name) + "_"
	if len(short) != len(prefix)+16 || !strings.HasPrefix(short, prefix) {
		return 0, false
	}
	g, err := strconv.ParseUint(short[len(prefix):], 16, 64)
	if err != nil {
		return 0, false
	}
	return g, true
}

// conflictOp is the operation named by planning and run errors.
const conflictOp = "replicate"

var _ = errors.Other
