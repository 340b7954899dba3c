package zfs

import (
	"context"
	"strings"
)

// MountOptions are the options of Filesystem.Mount.
type MountOptions struct {
	// Options are temporary mount options (-o), e.g. "ro"; properties they
	// override show source SourceTemporary.
	Options []string
	// Overlay (-O) mounts over a non-empty directory.
	Overlay bool
	// LoadKey (-l) loads the encryption key first, from its keylocation.
	LoadKey bool
	// ExtraArgs are more arguments for `zfs mount`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// Mount mounts the filesystem at its mountpoint.
func (f *Filesystem) Mount(ctx context.Context, opts MountOptions) error {
	if err := checkExtra("mount", f.name, opts.ExtraArgs); err != nil {
		return err
	}
	args := []string{"mount"}
	if opts.Overlay {
		args = append(args, "-O")
	}
	if opts.LoadKey {
		args = append(args, "-l")
	}
	if len(opts.Options) > 0 {
		args = append(args, "-o", strings.Join(opts.Options, ","))
	}
	args = append(args, opts.ExtraArgs...)
	return f.c.run(ctx, "mount", f.name, nil, append(args, f.name)...)
}

// UnmountOptions are the options of Filesystem.Unmount.
type UnmountOptions struct {
	// Force (-f) unmounts even if the filesystem is busy.
	Force bool
	// UnloadKey (-u) unloads the encryption key after unmounting.
	UnloadKey bool
	// ExtraArgs are more arguments for `zfs unmount`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// Unmount unmounts the filesystem (and its descendants mounted below it).
// It fails with an error of Kind Busy when files are in use, and NotMounted
// when it is not mounted.
func (f *Filesystem) Unmount(ctx context.Context, opts UnmountOptions) error {
	if err := checkExtra("unmount", f.name, opts.ExtraArgs); err != nil {
		return err
	}
	args := []string{"unmount"}
	if opts.Force {
		args = append(args, "-f")
	}
	if opts.UnloadKey {
		args = append(args, "-u")
	}
	args = append(args, opts.ExtraArgs...)
	return f.c.run(ctx, "unmount", f.name, nil, append(args, f.name)...)
}

// Mounted reports whether the filesystem is mounted (the mounted property)
// and where (the mountpoint property), with one command.
func (f *Filesystem) Mounted(ctx context.Context) (bool, string, error) {
	ps, err := f.Get(ctx, "mounted", "mountpoint")
	if err != nil {
		return false, "", err
	}
	m, _ := ps.Property("mounted").Bool()
	return m, ps.Property("mountpoint").Value, nil
}

// Share shares the filesystem over NFS and/or SMB according to its sharenfs
// and sharesmb properties (set them with Set).
func (f *Filesystem) Share(ctx context.Context) error {
	return f.c.run(ctx, "share", f.name, nil, "share", f.name)
}

// Unshare stops sharing the filesystem.
func (f *Filesystem) Unshare(ctx context.Context) error {
	return f.c.run(ctx, "unshare", f.name, nil, "unshare", f.name)
}
