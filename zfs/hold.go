package zfs

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// Hold is a user hold on a snapshot: while it has holds, a snapshot cannot
// be destroyed.
type Hold struct {
	// Snapshot is the full name of the held snapshot.
	Snapshot string
	// Tag is the hold's tag.
	Tag string
	// Created is when the hold was placed.
	Created time.Time
}

// HoldOptions are the options of the hold methods.
type HoldOptions struct {
	// Recursive (-r) also applies to the snapshots of the same name in
	// descendant datasets.
	Recursive bool
	// ExtraArgs are more arguments for `zfs hold`, `zfs release` or `zfs
	// holds`, whichever the method runs, for flags this package does not
	// model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

func holdArgs(op, tag string, snapshots []string, opts HoldOptions) ([]string, error) {
	if tag == "" || tag[0] == '-' || strings.ContainsAny(tag, "\x00\n") {
		return nil, errs.InvalidArgumentf(op, "", "invalid hold tag %q", tag)
	}
	if len(snapshots) == 0 {
		return nil, errs.InvalidArgumentf(op, "", "no snapshot given")
	}
	for _, s := range snapshots {
		if err := names.Snapshot(s); err != nil {
			return nil, errs.WithOp(err, op)
		}
	}
	if err := checkExtra(op, snapshots[0], opts.ExtraArgs); err != nil {
		return nil, err
	}
	args := []string{op}
	if opts.Recursive {
		args = append(args, "-r")
	}
	args = append(args, opts.ExtraArgs...)
	args = append(args, tag)
	return append(args, snapshots...), nil
}

// Hold places the hold tag on the snapshots with one `zfs hold`. It fails
// with an error of Kind Exist if a snapshot already has that tag.
func (c *Client) Hold(ctx context.Context, tag string, snapshots []string, opts HoldOptions) error {
	args, err := holdArgs("hold", tag, snapshots, opts)
	if err != nil {
		return err
	}
	return c.run(ctx, "hold", snapshots[0], nil, args...)
}

// Release removes the hold tag from the snapshots with one `zfs release`.
// It fails with an error of Kind NotExist if a snapshot has no such hold.
func (c *Client) Release(ctx context.Context, tag string, snapshots []string, opts HoldOptions) error {
	args, err := holdArgs("release", tag, snapshots, opts)
	if err != nil {
		return err
	}
	return c.run(ctx, "release", snapshots[0], nil, args...)
}

// Holds lists the holds on the snapshots (with Recursive, on the snapshots
// of the same name in descendant datasets too) with one `zfs holds -H -p`.
// OpenZFS before 2.2 has no -p: there the times are read from the local-time
// column `zfs holds -H` prints, to the minute.
func (c *Client) Holds(ctx context.Context, snapshots []string, opts HoldOptions) ([]Hold, error) {
	const op = "holds"
	if len(snapshots) == 0 {
		return nil, nil
	}
	for _, s := range snapshots {
		if err := names.Snapshot(s); err != nil {
			return nil, errs.WithOp(err, op)
		}
	}
	if err := checkExtra(op, snapshots[0], opts.ExtraArgs); err != nil {
		return nil, err
	}
	v, err := c.Version(ctx)
	if err != nil {
		return nil, errs.WithOp(err, op)
	}
	exact := v.AtLeast(2, 2)
	args := []string{"holds", "-H"}
	if exact {
		args = append(args, "-p")
	}
	if opts.Recursive {
		args = append(args, "-r")
	}
	args = append(args, opts.ExtraArgs...)
	out, err := c.output(ctx, op, snapshots[0], append(args, snapshots...)...)
	if err != nil {
		return nil, err
	}
	if !exact {
		return parseHolds(out, localHoldTime(time.Local)), nil
	}
	return parseHolds(out, holdSeconds), nil
}

// parseHolds parses `zfs holds -H` output, "snapshot\ttag\ttime" lines,
// reading the time column with at. A tag may hold tabs, so the snapshot is
// cut at the first tab and the time at the last.
func parseHolds(out string, at func(string) (time.Time, error)) []Hold {
	var hs []Hold
	for _, line := range strings.Split(out, "\n") {
		i := strings.IndexByte(line, '\t')
		j := strings.LastIndexByte(line, '\t')
		if i <= 0 || j <= i {
			continue
		}
		h := Hold{Snapshot: line[:i], Tag: line[i+1 : j]}
		if t, err := at(line[j+1:]); err == nil {
			h.Created = t
		}
		hs = append(hs, h)
	}
	return hs
}

// holdSeconds reads the time column of `zfs holds -H -p`: Unix seconds.
func holdSeconds(s string) (time.Time, error) {
	sec, err := strconv.ParseInt(s, 10, 64)
	return time.Unix(sec, 0), err
}

// holdTimeLayout is how `zfs holds` prints a time without -p (ctime(3)
// without seconds).
const holdTimeLayout = "Mon Jan _2 15:04 2006"

// localHoldTime reads the time column of `zfs holds -H` without -p (before
// OpenZFS 2.2): a local time in loc, to the minute.
func localHoldTime(loc *time.Location) func(string) (time.Time, error) {
	return func(s string) (time.Time, error) { return time.ParseInLocation(holdTimeLayout, s, loc) }
}

// Hold places the hold tag on the snapshot; see Client.Hold.
func (s *Snapshot) Hold(ctx context.Context, tag string, opts HoldOptions) error {
	return s.c.Hold(ctx, tag, []string{s.name}, opts)
}

// Release removes the hold tag from the snapshot; see Client.Release.
func (s *Snapshot) Release(ctx context.Context, tag string, opts HoldOptions) error {
	return s.c.Release(ctx, tag, []string{s.name}, opts)
}

// Holds lists the holds on the snapshot.
func (s *Snapshot) Holds(ctx context.Context, opts HoldOptions) ([]Hold, error) {
	return s.c.Holds(ctx, []string{s.name}, opts)
}
