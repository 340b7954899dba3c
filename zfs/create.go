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
	if err := checkExtra(op, name, opts.ExtraArgs); err != nil {
		return nil, err
	}
	args := []string{"create"}
	if opts.Parents {
		args = append(args, "-p")
	}
	if opts.NoMount {
		args = append(args, "-u")
	}
	pa, err := propArgs(op, "-o", opts.Properties)
	if err != nil {
		return nil, err
	}
	args = append(args, pa...)
	ea, stdin, err := opts.Encryption.args(op, name, opts.Properties)
	if err != nil {
		return nil, err
	}
	args = append(args, ea...)
	args = append(args, opts.ExtraArgs...)
	args = append(args, name)
	if err := c.run(ctx, op, name, stdin, args...); err != nil {
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
	if err := checkExtra(op, name, opts.ExtraArgs); err != nil {
		return nil, err
	}
	args := []string{"create"}
	if opts.Parents {
		args = append(args, "-p")
	}
	if opts.Sparse {
		args = append(args, "-s")
	}
	if opts.BlockSize > 0 {
		args = append(args, "-b", strconv.FormatUint(opts.BlockSize, 10))
	}
	pa, err := propArgs(op, "-o", opts.Properties)
	if err != nil {
		return nil, err
	}
	args = append(args, pa...)
	ea, stdin, err := opts.Encryption.args(op, name, opts.Properties)
	if err != nil {
		return nil, err
	}
	args = append(args, ea...)
	args = append(args, "-V", strconv.FormatUint(opts.Size, 10))
	args = append(args, opts.ExtraArgs...)
	args = append(args, name)
	if err := c.run(ctx, op, name, stdin, args...); err != nil {
		return nil, err
	}
	return c.Volume(ctx, name)
}
