package zpool

import (
	"context"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/zfs"
)

// ScrubOptions are the options of Scrub.
type ScrubOptions struct {
	// Wait returns only when the scrub is over (-w). Cancelling the context
	// stops waiting, not the scrub.
	Wait bool
	// ErrorsOnly scrubs only the blocks with known data errors (-e, an
	// "error scrub", OpenZFS 2.2 and later; before, Scrub fails with Kind
	// NotSupported without running anything).
	ErrorsOnly bool
	// ExtraArgs are more arguments for `zpool scrub`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	ExtraArgs zfs.ExtraArgs
}

// Scrub starts a scrub of the pool, or resumes a paused one (`zpool scrub`).
// Use Status to follow its progress and Wait (or ScrubOptions.Wait) to wait
// for it.
func (c *Client) Scrub(ctx context.Context, pool string, opts ScrubOptions) error {
	const op = "zpool scrub"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	if err := checkExtra(op, pool, opts.ExtraArgs); err != nil {
		return err
	}
	args := []string{"scrub"}
	if opts.ErrorsOnly {
		v, err := c.zc.Version(ctx)
		if err != nil {
			return errs.WithOp(err, op)
		}
		if !v.AtLeast(2, 2) {
			return errs.Newf(errors.NotSupported, op, pool, "an error scrub (-e) needs OpenZFS 2.2 or later (have %s)", v)
		}
		args = append(args, "-e")
	}
	if opts.Wait {
		args = append(args, "-w")
	}
	args = append(args, opts.ExtraArgs...)
	return c.run(ctx, op, pool, append(args, pool)...)
}

// PauseScrub pauses the pool's scrub (`zpool scrub -p`); Scrub resumes it.
func (c *Client) PauseScrub(ctx context.Context, pool string) error {
	const op = "zpool scrub"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	return c.run(ctx, op, pool, "scrub", "-p", pool)
}

// StopScrub cancels the pool's scrub (`zpool scrub -s`).
func (c *Client) StopScrub(ctx context.Context, pool string) error {
	const op = "zpool scrub"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	return c.run(ctx, op, pool, "scrub", "-s", pool)
}

// Wait waits until none of the given activities is in progress in the pool
// (`zpool wait -t ...`); with no activities it waits for all of them. It
// returns at once if none is in progress. Cancelling the context stops the
// wait (the activities go on) and returns an error matching
// context.Canceled.
func (c *Client) Wait(ctx context.Context, pool string, activities ...Activity) error {
	const op = "zpool wait"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	args := []string{"wait"}
	if len(activities) > 0 {
		list := make([]string, len(activities))
		for i, a := range activities {
			if !a.valid() {
				return errs.InvalidArgumentf(op, pool, "unknown activity %q", a)
			}
			list[i] = string(a)
		}
		args = append(args, "-t", strings.Join(list, ","))
	}
	return c.run(ctx, op, pool, append(args, pool)...)
}

// TrimOptions are the options of Trim.
type TrimOptions struct {
	// Secure uses secure TRIM (-d), where the devices support it.
	Secure bool
	// Rate limits the TRIM to this many bytes per second per device (-r);
	// 0 means no limit.
	Rate uint64
	// Wait returns only when the TRIM is complete (-w).
	Wait bool
	// ExtraArgs are more arguments for `zpool trim`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	ExtraArgs zfs.ExtraArgs
}

// Trim starts (or resumes) a TRIM of the given devices of the pool, or of
// all of them when none are given (`zpool trim`).
func (c *Client) Trim(ctx context.Context, pool string, opts TrimOptions, devices ...string) error {
	const op = "zpool trim"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	if err := checkDevices(op, pool, devices); err != nil {
		return err
	}
	var flags []string
	if opts.Secure {
		flags = append(flags, "-d")
	}
	if opts.Rate > 0 {
		flags = append(flags, "-r", strconv.FormatUint(opts.Rate, 10))
	}
	if opts.Wait {
		flags = append(flags, "-w")
	}
	return c.runOn(ctx, op, pool, flags, opts.ExtraArgs, devices...)
}

// CancelTrim cancels the TRIM of the given devices, or of all of them
// (`zpool trim -c`).
func (c *Client) CancelTrim(ctx context.Context, pool string, devices ...string) error {
	return c.trimControl(ctx, pool, "-c", devices)
}

// SuspendTrim suspends the TRIM of the given devices, or of all of them
// (`zpool trim -s`); Trim resumes it.
func (c *Client) SuspendTrim(ctx context.Context, pool string, devices ...string) error {
	return c.trimControl(ctx, pool, "-s", devices)
}

func (c *Client) trimControl(ctx context.Context, pool, flag string, devices []string) error {
	const op = "zpool trim"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	if err := checkDevices(op, pool, devices); err != nil {
		return err
	}
	return c.run(ctx, op, pool, append([]string{"trim", flag, pool}, devices...)...)
}

// Clear clears the error counters of the given devices, or of the whole
// pool, and resumes a pool suspended by I/O failures (`zpool clear`).
func (c *Client) Clear(ctx context.Context, pool string, devices ...string) error {
	const op = "zpool clear"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	if err := checkDevices(op, pool, devices); err != nil {
		return err
	}
	return c.run(ctx, op, pool, append([]string{"clear", pool}, devices...)...)
}

// OnlineOptions are the options of Online.
type OnlineOptions struct {
	// Expand grows the devices to use all their space (-e).
	Expand bool
	// ExtraArgs are more arguments for `zpool online`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	ExtraArgs zfs.ExtraArgs
}

// Online brings devices online (`zpool online`).
func (c *Client) Online(ctx context.Context, pool string, opts OnlineOptions, devices ...string) error {
	const op = "zpool online"
	if err := checkPoolDevices(op, pool, devices); err != nil {
		return err
	}
	var flags []string
	if opts.Expand {
		flags = append(flags, "-e")
	}
	return c.runOn(ctx, op, pool, flags, opts.ExtraArgs, devices...)
}

// OfflineOptions are the options of Offline.
type OfflineOptions struct {
	// Temporary keeps the device offline only until the next reboot or
	// import (-t).
	Temporary bool
	// Force faults the device instead of taking it offline (-f).
	Force bool
	// ExtraArgs are more arguments for `zpool offline`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	ExtraArgs zfs.ExtraArgs
}

// Offline takes devices offline (`zpool offline`). Taking the last
// redundant copy offline fails ("no valid replicas").
func (c *Client) Offline(ctx context.Context, pool string, opts OfflineOptions, devices ...string) error {
	const op = "zpool offline"
	if err := checkPoolDevices(op, pool, devices); err != nil {
		return err
	}
	var flags []string
	if opts.Force {
		flags = append(flags, "-f")
	}
	if opts.Temporary {
		flags = append(flags, "-t")
	}
	return c.runOn(ctx, op, pool, flags, opts.ExtraArgs, devices...)
}

// AttachOptions are the options of Attach and Replace.
type AttachOptions struct {
	// Force uses a device that appears to be in use (-f).
	Force bool
	// Wait returns only when the resilver is complete (-w).
	Wait bool
	// Sequential resilvers sequentially, a rebuild (-s), where the vdev
	// type allows it.
	Sequential bool
	// Properties are device properties such as ashift (-o name=value).
	Properties map[string]string
	// ExtraArgs are more arguments for `zpool attach` or `zpool replace`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	ExtraArgs zfs.ExtraArgs
}

func (o AttachOptions) args(op, pool string) ([]string, error) {
	var args []string
	if o.Force {
		args = append(args, "-f")
	}
	if o.Sequential {
		args = append(args, "-s")
	}
	if o.Wait {
		args = append(args, "-w")
	}
	props, err := propArgs(op, pool, "-o", o.Properties)
	if err != nil {
		return nil, err
	}
	if err := checkExtra(op, pool, o.ExtraArgs); err != nil {
		return nil, err
	}
	args = append(args, props...)
	return append(args, o.ExtraArgs...), nil
}

// Attach attaches newDevice to device, making a mirror of it (or a wider
// mirror), or expands a RAID-Z vdev when device names one ("raidz1-0")
// (`zpool attach`).
func (c *Client) Attach(ctx context.Context, pool, device, newDevice string, opts AttachOptions) error {
	const op = "zpool attach"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	if err := checkDevices(op, pool, []string{device, newDevice}); err != nil {
		return err
	}
	oargs, err := opts.args(op, pool)
	if err != nil {
		return err
	}
	args := append([]string{"attach"}, oargs...)
	return c.run(ctx, op, pool, append(args, pool, device, newDevice)...)
}

// Detach detaches a device from a mirror, or a replacing or spare vdev
// (`zpool detach`).
func (c *Client) Detach(ctx context.Context, pool, device string) error {
	const op = "zpool detach"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	if err := checkDevice(op, pool, device); err != nil {
		return err
	}
	return c.run(ctx, op, pool, "detach", pool, device)
}

// Replace replaces device with newDevice (`zpool replace`); an empty
// newDevice replaces the device with itself (after a disk swap in the same
// slot). A hot spare or a dRAID distributed spare may be the new device.
func (c *Client) Replace(ctx context.Context, pool, device, newDevice string, opts AttachOptions) error {
	const op = "zpool replace"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	devs := []string{device}
	if newDevice != "" {
		devs = append(devs, newDevice)
	}
	if err := checkDevices(op, pool, devs); err != nil {
		return err
	}
	oargs, err := opts.args(op, pool)
	if err != nil {
		return err
	}
	args := append([]string{"replace"}, oargs...)
	args = append(args, pool)
	return c.run(ctx, op, pool, append(args, devs...)...)
}

// Checkpoint creates a checkpoint of the pool (`zpool checkpoint`). A pool
// has at most one; creating a second gives an error matching
// errors.ErrExist.
func (c *Client) Checkpoint(ctx context.Context, pool string) error {
	const op = "zpool checkpoint"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	return c.run(ctx, op, pool, "checkpoint", pool)
}

// DiscardCheckpoint discards the pool's checkpoint (`zpool checkpoint -d`),
// waiting until its space is freed when wait is true (-w). A pool without a
// checkpoint gives an error matching errors.ErrNotExist.
func (c *Client) DiscardCheckpoint(ctx context.Context, pool string, wait bool) error {
	const op = "zpool checkpoint"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	args := []string{"checkpoint", "-d"}
	if wait {
		args = append(args, "-w")
	}
	return c.run(ctx, op, pool, append(args, pool)...)
}

// Upgrade enables every supported feature on the pool (`zpool upgrade`).
// After it the pool may not be importable by older OpenZFS versions.
func (c *Client) Upgrade(ctx context.Context, pool string) error {
	const op = "zpool upgrade"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	return c.run(ctx, op, pool, "upgrade", pool)
}

// EnableFeature enables one feature flag on the pool (`zpool set
// feature@name=enabled`).
func (c *Client) EnableFeature(ctx context.Context, pool, feature string) error {
	if strings.ContainsAny(feature, "@=") {
		return errs.InvalidArgumentf("zpool set", pool, "invalid feature name %q", feature)
	}
	return c.Set(ctx, pool, "feature@"+feature, "enabled")
}
