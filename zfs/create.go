package zfs

import (
	"context"
	"strconv"

	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// CreateOptions are the options of CreateFilesystem.
type CreateOptions struct {
	// Parents (-p) creates missing parent datasets.
	Parents bool
	// NoMount (-u) does not mount the new filesystem.
	NoMount bool
	// Properties are set at creation (-o key=value).
	Properties map[string]string
	// Encryption, if set, makes the filesystem an encryption root.
	Encryption *Encryption
	// ExtraArgs are more arguments for `zfs create`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// CreateFilesystem creates a filesystem and returns a handle on it (a second
// command reads its identity).
func (c *Client) CreateFilesystem(ctx context.Context, name string, opts CreateOptions) (*Filesystem, error) {
	const op = "create"
	if err := names.Dataset(name); err != nil {
		return nil, errs.WithOp(err, op)
	}
	var flags []string
	if opts.Parents {
		flags = append(flags, "-p")
	}
	if opts.NoMount {
		flags = append(flags, "-u")
	}
	if err := c.create(ctx, name, flags, opts.Properties, opts.Encryption, nil, opts.ExtraArgs); err != nil {
		return nil, err
	}
	return c.Filesystem(ctx, name)
}

// VolumeOptions are the options of CreateVolume.
type VolumeOptions struct {
	// Size is the volume size in bytes (-V); required. zfs rounds it up to a
	// multiple of the block size.
	Size uint64
	// Sparse (-s) creates a volume without a reservation.
	Sparse bool
	// BlockSize (-b) sets volblocksize, a power of two; zero keeps the
	// default.
	BlockSize uint64
	// Parents (-p) creates missing parent datasets.
	Parents bool
	// Properties are set at creation (-o key=value).
	Properties map[string]string
	// Encryption, if set, makes the volume an encryption root.
	Encryption *Encryption
	// ExtraArgs are more arguments for `zfs create`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// CreateVolume creates a volume (zvol) and returns a handle on it. Its
// device node (/dev/zvol/<name>, Volume.DevicePath) appears asynchronously,
// shortly after: Volume.WaitDevice waits for it.
func (c *Client) CreateVolume(ctx context.Context, name string, opts VolumeOptions) (*Volume, error) {
	const op = "create"
	if err := names.Dataset(name); err != nil {
		return nil, errs.WithOp(err, op)
	}
	if opts.Size == 0 {
		return nil, errs.InvalidArgumentf(op, name, "volume size is zero")
	}
	var flags []string
	if opts.Parents {
		flags = append(flags, "-p")
	}
	if opts.Sparse {
		flags = append(flags, "-s")
	}
	if opts.BlockSize > 0 {
		flags = append(flags, "-b", strconv.FormatUint(opts.BlockSize, 10))
	}
	size := []string{"-V", strconv.FormatUint(opts.Size, 10)}
	if err := c.create(ctx, name, flags, opts.Properties, opts.Encryption, size, opts.ExtraArgs); err != nil {
		return nil, err
	}
	return c.Volume(ctx, name)
}

// create runs `zfs create` for name: the type's own flags, then the
// properties and encryption options, then more (a volume's -V size), then
// the extra arguments and the name.
func (c *Client) create(ctx context.Context, name string, flags []string, props map[string]string, enc *Encryption, more []string, extra ExtraArgs) error {
	const op = "create"
	if err := checkExtra(op, name, extra); err != nil {
		return err
	}
	pa, err := propArgs(op, "-o", props)
	if err != nil {
		return err
	}
	ea, stdin, err := enc.args(op, name, props)
	if err != nil {
		return err
	}
	args := append([]string{"create"}, flags...)
	args = append(args, pa...)
	args = append(args, ea...)
	args = append(args, more...)
	args = append(args, extra...)
	return c.run(ctx, op, name, stdin, append(args, name)...)
}
