package zpool

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/zfs"
)

// VdevSpec is one vdev of a vdev specification: a single device, or a
// mirror, RAID-Z or dRAID group of devices. Build one with Disk, Mirror,
// RAIDZ or DRAID.
type VdevSpec struct {
	// Type is the vdev type keyword ("mirror", "raidz2",
	// "draid1:4d:8c:1s"), or "" for a single device.
	Type string
	// Devices are the devices: disk names, /dev paths or files (absolute
	// paths).
	Devices []string
}

// Disk returns the spec of a single device, which stripes with the other
// top-level vdevs.
func Disk(dev string) VdevSpec { return VdevSpec{Devices: []string{dev}} }

// Mirror returns the spec of a mirror of devs.
func Mirror(devs ...string) VdevSpec { return VdevSpec{Type: "mirror", Devices: devs} }

// RAIDZ returns the spec of a RAID-Z group with the given parity (1, 2 or 3).
func RAIDZ(parity int, devs ...string) VdevSpec {
	return VdevSpec{Type: "raidz" + strconv.Itoa(parity), Devices: devs}
}

// DRAIDConfig is the geometry of a dRAID vdev. Zero fields take zpool's
// defaults.
type DRAIDConfig struct {
	// Parity is 1, 2 or 3 (0: 1).
	Parity int
	// Data is the number of data devices per redundancy group (0: zpool
	// picks, 8 by default).
	Data int
	// Children is the expected number of children, a check on the device
	// list (0: not checked).
	Children int
	// Spares is the number of distributed spares (0: none).
	Spares int
}

// String returns the vdev type keyword, e.g. "draid2:4d:10c:1s".
func (d DRAIDConfig) String() string {
	p := d.Parity
	if p == 0 {
		p = 1
	}
	var b strings.Builder
	b.WriteString("draid")
	b.WriteString(strconv.Itoa(p))
	for _, f := range []struct {
		n      int
		suffix string
	}{{d.Data, "d"}, {d.Children, "c"}, {d.Spares, "s"}} {
		if f.n > 0 {
			b.WriteString(":" + strconv.Itoa(f.n) + f.suffix)
		}
	}
	return b.String()
}

// DRAID returns the spec of a dRAID vdev over devs.
func DRAID(cfg DRAIDConfig, devs ...string) VdevSpec {
	return VdevSpec{Type: cfg.String(), Devices: devs}
}

// Layout is a pool's vdev specification: data vdevs and the vdevs of the
// other allocation classes.
type Layout struct {
	// Vdevs are the data vdevs.
	Vdevs []VdevSpec
	// Logs are separate intent log (SLOG) vdevs.
	Logs []VdevSpec
	// Special are special allocation class vdevs (metadata, small blocks).
	Special []VdevSpec
	// Dedup are dedup table vdevs.
	Dedup []VdevSpec
	// Cache are L2ARC cache devices.
	Cache []string
	// Spares are hot spares.
	Spares []string
}

// args returns the vdev specification arguments after checking them.
func (l Layout) args(op, pool string) ([]string, error) {
	var args []string
	group := func(keyword string, specs []VdevSpec) error {
		if len(specs) == 0 {
			return nil
		}
		if keyword != "" {
			args = append(args, keyword)
		}
		for _, s := range specs {
			a, err := s.args(op, pool)
			if err != nil {
				return err
			}
			args = append(args, a...)
		}
		return nil
	}
	devices := func(keyword string, devs []string) error {
		if len(devs) == 0 {
			return nil
		}
		if err := checkDevices(op, pool, devs); err != nil {
			return err
		}
		args = append(args, keyword)
		args = append(args, devs...)
		return nil
	}
	for _, step := range []func() error{
		func() error { return group("", l.Vdevs) },
		func() error { return group("log", l.Logs) },
		func() error { return group("special", l.Special) },
		func() error { return group("dedup", l.Dedup) },
		func() error { return devices("cache", l.Cache) },
		func() error { return devices("spare", l.Spares) },
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return args, nil
}

var (
	raidzTypeRE = regexp.MustCompile(`^raidz[1-3]?$`)
	draidTypeRE = regexp.MustCompile(`^draid[1-3]?(:[0-9]+[dcs])*$`)
)

// args checks a vdev spec and returns its arguments.
func (s VdevSpec) args(op, pool string) ([]string, error) {
	if len(s.Devices) == 0 {
		return nil, errs.InvalidArgumentf(op, pool, "vdev %q has no devices", s.Type)
	}
	if err := checkDevices(op, pool, s.Devices); err != nil {
		return nil, err
	}
	switch {
	case s.Type == "":
		// Each device is a top-level vdev of its own.
	case s.Type == "mirror":
		if len(s.Devices) < 2 {
			return nil, errs.InvalidArgumentf(op, pool, "a mirror needs at least 2 devices, got %d", len(s.Devices))
		}
	case raidzTypeRE.MatchString(s.Type):
		parity := 1
		if len(s.Type) == 6 {
			parity = int(s.Type[5] - '0')
		}
		if len(s.Devices) < parity+1 {
			return nil, errs.InvalidArgumentf(op, pool, "%s needs at least %d devices, got %d", s.Type, parity+1, len(s.Devices))
		}
	case draidTypeRE.MatchString(s.Type):
	default:
		return nil, errs.InvalidArgumentf(op, pool, "unknown vdev type %q", s.Type)
	}
	var args []string
	if s.Type != "" {
		args = append(args, s.Type)
	}
	return append(args, s.Devices...), nil
}

// CreateOptions are the options of Create. The zero value creates a pool
// with zpool's defaults.
type CreateOptions struct {
	// Properties are pool properties (-o name=value), such as ashift or
	// feature@name=disabled.
	Properties map[string]string
	// FSProperties are properties of the pool's root file system
	// (-O name=value).
	FSProperties map[string]string
	// AltRoot imports the pool with this alternate root (-R), which also
	// sets cachefile=none.
	AltRoot string
	// Mountpoint is the root file system's mountpoint (-m), e.g. "none" or
	// "legacy".
	Mountpoint string
	// Force uses devices that appear to be in use or mixes replication
	// levels (-f).
	Force bool
	// DisableFeatures creates the pool with every feature disabled (-d).
	DisableFeatures bool
	// TempName creates the pool under this temporary in-core name (-t);
	// the name given to Create is stored on disk.
	TempName string
	// ExtraArgs are more arguments for `zpool create`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	ExtraArgs zfs.ExtraArgs
}

func (o CreateOptions) args(op, pool string) ([]string, error) {
	var args []string
	if o.Force {
		args = append(args, "-f")
	}
	if o.DisableFeatures {
		args = append(args, "-d")
	}
	props, err := propArgs(op, pool, "-o", o.Properties)
	if err != nil {
		return nil, err
	}
	args = append(args, props...)
	fsprops, err := propArgs(op, pool, "-O", o.FSProperties)
	if err != nil {
		return nil, err
	}
	args = append(args, fsprops...)
	if o.AltRoot != "" {
		if err := checkPath(op, pool, "altroot", o.AltRoot); err != nil {
			return nil, err
		}
		args = append(args, "-R", o.AltRoot)
	}
	if o.Mountpoint != "" {
		if o.Mountpoint != "none" && o.Mountpoint != "legacy" {
			if err := checkPath(op, pool, "mountpoint", o.Mountpoint); err != nil {
				return nil, err
			}
		}
		args = append(args, "-m", o.Mountpoint)
	}
	if o.TempName != "" {
		if err := errs.WithOp(names.NewPool(o.TempName), op); err != nil {
			return nil, err
		}
		args = append(args, "-t", o.TempName)
	}
	if err := checkExtra(op, pool, o.ExtraArgs); err != nil {
		return nil, err
	}
	return append(args, o.ExtraArgs...), nil
}

// checkPath requires an absolute path.
func checkPath(op, pool, what, p string) error {
	if !strings.HasPrefix(p, "/") {
		return errs.InvalidArgumentf(op, pool, "%s %q is not an absolute path", what, p)
	}
	return nil
}

// createArgs builds the arguments of `zpool create`.
func createArgs(op, pool string, layout Layout, opts CreateOptions, dryRun bool) ([]string, error) {
	if err := errs.WithOp(names.NewPool(pool), op); err != nil {
		return nil, err
	}
	if len(layout.Vdevs) == 0 {
		return nil, errs.InvalidArgumentf(op, pool, "a pool needs at least one data vdev")
	}
	args := []string{"create"}
	if dryRun {
		args = append(args, "-n")
	}
	o, err := opts.args(op, pool)
	if err != nil {
		return nil, err
	}
	v, err := layout.args(op, pool)
	if err != nil {
		return nil, err
	}
	args = append(args, o...)
	args = append(args, pool)
	return append(args, v...), nil
}

// Create creates a pool (`zpool create`). The pool name and every device
// are checked before anything runs; a pool that exists already gives an
// error matching errors.ErrExist.
func (c *Client) Create(ctx context.Context, pool string, layout Layout, opts CreateOptions) error {
	const op = "zpool create"
	args, err := createArgs(op, pool, layout, opts, false)
	if err != nil {
		return err
	}
	return c.run(ctx, op, pool, args...)
}

// CreateDryRun shows what Create would do (`zpool create -n`) and returns
// zpool's description of the layout, without creating anything.
func (c *Client) CreateDryRun(ctx context.Context, pool string, layout Layout, opts CreateOptions) (string, error) {
	const op = "zpool create"
	args, err := createArgs(op, pool, layout, opts, true)
	if err != nil {
		return "", err
	}
	out, err := c.output(ctx, op, pool, args...)
	return string(out), err
}

// AddOptions are the options of Add.
type AddOptions struct {
	// Force adds vdevs whose replication level differs from the pool's
	// (-f).
	Force bool
	// ExtraArgs are more arguments for `zpool add`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	ExtraArgs zfs.ExtraArgs
}

// Add adds vdevs to a pool (`zpool add`).
func (c *Client) Add(ctx context.Context, pool string, layout Layout, opts AddOptions) error {
	const op = "zpool add"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	v, err := layout.args(op, pool)
	if err != nil {
		return err
	}
	if len(v) == 0 {
		return errs.InvalidArgumentf(op, pool, "nothing to add")
	}
	if err := checkExtra(op, pool, opts.ExtraArgs); err != nil {
		return err
	}

	args := []string{"add"}
	if opts.Force {
		args = append(args, "-f")
	}
	args = append(args, opts.ExtraArgs...)
	args = append(args, pool)
	return c.run(ctx, op, pool, append(args, v...)...)
}

// Remove removes top-level vdevs, cache devices or spares from a pool
// (`zpool remove`). The removal of a data vdev continues in the background;
// Wait with ActivityRemove waits for it.
func (c *Client) Remove(ctx context.Context, pool string, devices ...string) error {
	const op = "zpool remove"
	if err := checkPool(op, pool); err != nil {
		return err
	}
	if len(devices) == 0 {
		return errs.InvalidArgumentf(op, pool, "no device to remove")
	}
	if err := checkDevices(op, pool, devices); err != nil {
		return err
	}
	return c.run(ctx, op, pool, append([]string{"remove", pool}, devices...)...)
}

// DestroyOptions are the options of Destroy.
type DestroyOptions struct {
	// Force unmounts file systems that are in use (-f).
	Force bool
	// ExtraArgs are more arguments for `zpool destroy`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	ExtraArgs zfs.ExtraArgs
}

// Destroy destroys a pool (`zpool destroy`). A pool that does not exist
// gives an error matching errors.ErrNotExist.
func (c *Client) Destroy(ctx context.Context, pool string, opts DestroyOptions) error {
	var flags []string
	if opts.Force {
		flags = append(flags, "-f")
	}
	return c.runOn(ctx, "zpool destroy", pool, flags, opts.ExtraArgs)
}
