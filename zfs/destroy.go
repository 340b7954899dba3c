package zfs

import (
	"context"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// DestroyOptions are the options of the Destroy methods.
type DestroyOptions struct {
	// Recursive (-r) destroys children too; for a snapshot, the snapshots of
	// the same name in descendant datasets.
	Recursive bool
	// Dependents (-R) destroys all dependents, including clones outside the
	// hierarchy.
	Dependents bool
	// ForceUnmount (-f) unmounts filesystems even if they are busy.
	ForceUnmount bool
	// Defer (-d) marks snapshots that cannot be destroyed yet (held, or
	// cloned) for destruction when they can, and destroys the others at
	// once; either way the command succeeds. A marked snapshot stays, with
	// defer_destroy=on, until its last hold is released or its last clone
	// destroyed. Snapshots only.
	Defer bool
	// ExtraArgs are more arguments for `zfs destroy`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

func (o DestroyOptions) args() []string {
	var a []string
	if o.Recursive {
		a = append(a, "-r")
	}
	if o.Dependents {
		a = append(a, "-R")
	}
	if o.ForceUnmount {
		a = append(a, "-f")
	}
	if o.Defer {
		a = append(a, "-d")
	}
	return append(a, o.ExtraArgs...)
}

// checkDestroyTarget validates what zfs destroy accepts: a dataset, a
// bookmark, or "dataset@spec" where spec is a comma-separated list of
// snapshot names and ranges "a%b" (either end may be empty).
func checkDestroyTarget(target string, o DestroyOptions) error {
	if err := checkExtra("", target, o.ExtraArgs); err != nil {
		return err
	}
	ds, snaps, _ := strings.Cut(target, "@")
	if snaps == "" && !strings.Contains(target, "@") {
		if strings.Contains(target, "#") {
			if o.Recursive || o.Dependents || o.ForceUnmount || o.Defer {
				return errs.InvalidArgumentf("destroy", target, "options do not apply to bookmarks")
			}
			return names.Bookmark(target)
		}
		if o.Defer {
			return errs.InvalidArgumentf("destroy", target, "defer applies to snapshots only")
		}
		return names.Dataset(target)
	}
	if err := names.Dataset(ds); err != nil {
		return err
	}
	if o.ForceUnmount {
		return errs.InvalidArgumentf("destroy", target, "force unmount does not apply to snapshots")
	}
	for _, item := range strings.Split(snaps, ",") {
		a, b, isRange := strings.Cut(item, "%")
		for i, s := range []string{a, b} {
			if s == "" && isRange || i == 1 && !isRange {
				continue
			}
			if err := names.Snapshot(ds + "@" + s); err != nil {
				return err
			}
		}
	}
	return nil
}

// Destroy destroys a filesystem, volume, bookmark or snapshots, named as
// `zfs destroy` takes them: "pool/a", "pool/a#b", "pool/a@s", a range
// "pool/a@first%last" (either end may be left empty: the oldest or newest
// snapshot) or a list "pool/a@s1,s2,r1%r2". Snapshots listed together are
// destroyed atomically: if one cannot be destroyed, none is. Names in a list
// that do not exist are ignored by zfs.
func (c *Client) Destroy(ctx context.Context, target string, opts DestroyOptions) error {
	const op = "destroy"
	if err := checkDestroyTarget(target, opts); err != nil {
		return errs.WithOp(err, op)
	}
	args := append([]string{"destroy"}, opts.args()...)
	return c.run(ctx, op, target, nil, append(args, target)...)
}

// DestroyPlan is what a destroy would do, as reported by `zfs destroy -nvp`.
type DestroyPlan struct {
	// Destroy lists the datasets, snapshots and clones that would go, in
	// the order zfs would destroy them.
	Destroy []string
	// Reclaim is the space in bytes destroying the snapshots would free, for
	// snapshot targets (ReclaimKnown is then true). zfs does not report it
	// for filesystems and volumes.
	Reclaim      uint64
	ReclaimKnown bool
}

// DestroyDryRun reports what Destroy with the same arguments would destroy,
// destroying nothing. zfs does not support dry runs for bookmarks. With
// Defer, held and cloned snapshots are listed although they would only be
// marked for destruction.
func (c *Client) DestroyDryRun(ctx context.Context, target string, opts DestroyOptions) (*DestroyPlan, error) {
	const op = "destroy"
	if err := checkDestroyTarget(target, opts); err != nil {
		return nil, errs.WithOp(err, op)
	}
	if strings.Contains(target, "#") {
		return nil, errs.Newf(errors.NotSupported, op, target, "zfs has no dry run for bookmarks")
	}
	args := append([]string{"destroy", "-n", "-v", "-p"}, opts.args()...)
	out, err := c.output(ctx, op, target, append(args, target)...)
	if err != nil {
		return nil, err
	}
	return parseDestroyPlan(out), nil
}

// parseDestroyPlan parses `zfs destroy -nvp` output: "destroy\t<name>" lines
// and, for snapshots, a final "reclaim\t<bytes>".
func parseDestroyPlan(out string) *DestroyPlan {
	p := &DestroyPlan{}
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		switch k {
		case "destroy":
			p.Destroy = append(p.Destroy, v)
		case "reclaim":
			if n, ok := parseUint(v); ok {
				p.Reclaim, p.ReclaimKnown = n, true
			}
		}
	}
	return p
}

// Destroy destroys the filesystem. Without Recursive or Dependents it fails
// with an error of Kind HasChildren or HasClones when the filesystem has
// snapshots, children or clones, and Busy when it cannot be unmounted.
func (f *Filesystem) Destroy(ctx context.Context, opts DestroyOptions) error {
	return f.c.Destroy(ctx, f.name, opts)
}

// Destroy destroys the volume; see Filesystem.Destroy.
func (v *Volume) Destroy(ctx context.Context, opts DestroyOptions) error {
	return v.c.Destroy(ctx, v.name, opts)
}

// Destroy destroys the snapshot (with Recursive, the snapshots of the same
// name in descendant datasets too). It fails with an error of Kind Held when
// the snapshot has holds and HasClones when it has clones, unless Defer or
// Dependents is set. With Defer, such a snapshot is only marked
// (defer_destroy=on) and Destroy returns nil; zfs destroys it when the last
// hold is released or the last clone destroyed.
func (s *Snapshot) Destroy(ctx context.Context, opts DestroyOptions) error {
	return s.c.Destroy(ctx, s.name, opts)
}

// Destroy destroys the bookmark.
func (b *Bookmark) Destroy(ctx context.Context) error {
	return b.c.Destroy(ctx, b.name, DestroyOptions{})
}

// DestroySnapshots destroys many snapshots with as few commands as possible:
// one `zfs destroy dataset@a,b,c` per dataset (more when the list is too long
// for one argument). Each command is atomic, so when zfs refuses some
// snapshots (held, cloned) the others of that command are retried without
// them. Every failure is reported, combined with errors.Append. With
// Recursive, the snapshots of the same names in descendant datasets go too.
// ForceUnmount does not apply.
//
// It is idempotent, as scripts that prune snapshots want: a snapshot that
// does not exist is not an error, whether its dataset has other snapshots,
// none of those listed (zfs says "could not find any snapshots to destroy")
// or does not exist at all (nor its pool). Running it twice gives nil the
// second time. To learn whether a snapshot existed, list it first, or use
// Snapshot.Destroy, which fails with Kind NotExist.
func (c *Client) DestroySnapshots(ctx context.Context, snapshots []string, opts DestroyOptions) error {
	const op = "destroy"
	if opts.ForceUnmount {
		return errs.InvalidArgumentf(op, "", "force unmount does not apply to snapshots")
	}
	if err := checkExtra(op, "", opts.ExtraArgs); err != nil {
		return err
	}
	groups := map[string][]string{}
	var order []string
	seen := make(map[string]bool, len(snapshots))
	for _, s := range snapshots {
		if err := names.Snapshot(s); err != nil {
			return errs.WithOp(err, op)
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		ds, short, _ := names.Split(s)
		if _, ok := groups[ds]; !ok {
			order = append(order, ds)
		}
		groups[ds] = append(groups[ds], short)
	}
	var failed error
	for _, ds := range order {
		for _, batch := range names.CommaBatches(ds, groups[ds]) {
			failed = errs.Append(failed, c.destroyBatch(ctx, ds, batch, opts))
		}
	}
	return failed
}

// destroyBatch destroys ds@a,b,c; if zfs names snapshots it could not
// destroy, it retries once without them.
func (c *Client) destroyBatch(ctx context.Context, ds string, shorts []string, opts DestroyOptions) error {
	err := c.destroyGone(ctx, ds, shorts, opts)
	if err == nil {
		return nil
	}
	var e *errors.Error
	if !errors.As(err, &e) || e.Stderr == "" {
		return err
	}
	failed := failedSnapshots(e.Stderr, ds, shorts)
	if len(failed) == 0 {
		return err
	}
	var all error
	var rest []string
	for _, s := range shorts {
		if msg, ok := failed[s]; ok {
			fe := *e
			fe.Name = ds + "@" + s
			fe.Kind = errors.Classify(msg)
			fe.Stderr = msg
			all = errs.Append(all, &fe)
		} else {
			rest = append(rest, s)
		}
	}
	if len(rest) > 0 {
		all = errs.Append(all, c.destroyGone(ctx, ds, rest, opts))
	}
	return all
}

// destroyGone destroys ds@a,b,c and treats "none of them exists" (or ds
// does not exist) as done.
func (c *Client) destroyGone(ctx context.Context, ds string, shorts []string, opts DestroyOptions) error {
	err := c.Destroy(ctx, ds+"@"+strings.Join(shorts, ","), opts)
	if errors.KindOf(err) == errors.NotExist {
		return nil
	}
	return err
}

// failedSnapshots finds the per-snapshot lines of a failed batch destroy,
// "cannot destroy snapshot pool/a@s: reason", keyed by short name.
func failedSnapshots(stderr, ds string, shorts []string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(stderr, "\n") {
		rest, ok := strings.CutPrefix(line, "cannot destroy snapshot "+ds+"@")
		if !ok {
			continue
		}
		for _, s := range shorts {
			if strings.HasPrefix(rest, s+": ") {
				out[s] = line
			}
		}
	}
	return out
}
