package replication

import (
	"context"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/retention"
	"github.com/gozfs/gozfs/zfs"
)

// ProtectOptions select what Protected reads.
type ProtectOptions struct {
	// Recursive includes the descendants of the source dataset.
	Recursive bool
	// Name is the replication's name (PlanOptions.Name).
	Name string
}

// Protected returns the snapshots of the source dataset root (and its
// descendants with Recursive) that a retention policy must not destroy for
// the replication called opts.Name: in every dataset that has a cursor
// bookmark of that replication, the snapshots created after the newest
// cursor, which have not been replicated yet (the snapshot a run is sending
// is among them). It reads the source with one listing.
//
// The common bases need no protection: the cursor bookmarks keep them, so
// every replicated snapshot may be pruned. Datasets without a cursor have
// never been replicated by this replication and get no protection; protect
// their snapshots yourself if they must reach the target. Use it as a
// retention policy's "needed snapshots" hook, or Plan.Protected to get the
// same from a plan without another listing.
func Protected(ctx context.Context, c *zfs.Client, root string, opts ProtectOptions) ([]string, error) {
	const op = "protected"
	if c == nil {
		return nil, errs.InvalidArgumentf(op, root, "no client")
	}
	if err := names.Dataset(root); err != nil {
		return nil, errs.WithOp(err, op)
	}
	if err := checkJobName(op, opts.Name); err != nil {
		return nil, err
	}
	inv, err := listSide(ctx, c, root, opts.Recursive, nil)
	if err != nil {
		return nil, err
	}
	if inv.missing {
		return nil, errs.Newf(errors.NotExist, op, root, "%s does not exist", root)
	}
	var out []string
	for _, name := range inv.order {
		fi := inv.datasets[name]
		newest := -1
		for i, v := range fi.versions {
			if v.bookmark {
				if _, ok := parseCursor(opts.Name, v.short); ok {
					newest = i
				}
			}
		}
		if newest < 0 {
			continue
		}
		txg := fi.versions[newest].txg
		for _, v := range fi.versions[newest+1:] {
			if !v.bookmark && v.txg > txg {
				out = append(out, name+"@"+v.short)
			}
		}
	}
	return out, nil
}

// Needed returns a retention hook (retention.PruneOptions.Needed,
// retention.EvaluateOptions.Needed) that keeps the named snapshots, such as
// those Protected or Plan.Protected return:
//
//	keep, err := replication.Protected(ctx, c, "tank/home", replication.ProtectOptions{Recursive: true})
//	res, err := retention.Prune(ctx, c, "tank/home", policy,
//		retention.PruneOptions{Recursive: true, Needed: replication.Needed(keep)})
func Needed(snapshots []string) func(retention.Snapshot) bool {
	set := make(map[string]struct{}, len(snapshots))
	for _, s := range snapshots {
		set[s] = struct{}{}
	}
	return func(s retention.Snapshot) bool {
		_, ok := set[s.Name]
		return ok
	}
}
