package zfs

import (
	"bytes"
	"context"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// run runs `zfs args...` for op on name, discarding standard output.
func (c *Client) run(ctx context.Context, op, name string, stdin io.Reader, args ...string) error {
	return c.runCmd(ctx, op, name, &command.Cmd{Name: "zfs", Args: args, Stdin: stdin})
}

// output runs `zfs args...` and returns its standard output.
func (c *Client) output(ctx context.Context, op, name string, args ...string) (string, error) {
	var out bytes.Buffer
	err := c.runCmd(ctx, op, name, &command.Cmd{Name: "zfs", Args: args, Stdout: &out})
	return out.String(), err
}

// propArgs turns properties into repeated `flag key=value` arguments, in
// sorted key order.
func propArgs(op, flag string, props map[string]string) ([]string, error) {
	var args []string
	for _, k := range slices.Sorted(maps.Keys(props)) {
		if err := checkPropName(k); err != nil {
			return nil, errs.WithOp(err, op)
		}
		args = append(args, flag, k+"="+props[k])
	}
	return args, nil
}

// KeyFormat is the format of an encryption key (the keyformat property).
type KeyFormat string

// The key formats zfs accepts.
const (
	// KeyPassphrase is a passphrase of 8 to 512 bytes, read up to the first
	// newline.
	KeyPassphrase KeyFormat = "passphrase"
	// KeyHex is 64 hexadecimal digits.
	KeyHex KeyFormat = "hex"
	// KeyRaw is 32 raw bytes.
	KeyRaw KeyFormat = "raw"
)

// Encryption asks for a new encryption root. The key is passed to zfs on its
// standard input (keylocation=prompt), never on the command line.
type Encryption struct {
	// Algorithm is the encryption property: "on" (the default algorithm,
	// used when empty), "aes-256-gcm", ...
	Algorithm string
	// Format is the key format; required.
	Format KeyFormat
	// Key supplies the key. When nil, zfs reads it from the keylocation given
	// in the options' Properties (a file:// or https:// URL).
	Key io.Reader
	// PBKDF2Iters sets pbkdf2iters for a passphrase; zero keeps zfs's default.
	PBKDF2Iters uint64
}

// args returns the -o options of e and the reader for standard input.
func (e *Encryption) args(op, name string, props map[string]string) ([]string, io.Reader, error) {
	if e == nil {
		return nil, nil, nil
	}
	if e.Format == "" {
		return nil, nil, errs.InvalidArgumentf(op, name, "encryption needs a key format")
	}
	alg := e.Algorithm
	if alg == "" {
		alg = "on"
	}
	args := []string{"-o", "encryption=" + alg, "-o", "keyformat=" + string(e.Format)}
	if e.Key != nil {
		if _, ok := props["keylocation"]; ok {
			return nil, nil, errs.InvalidArgumentf(op, name, "both a key reader and a keylocation property given")
		}
		args = append(args, "-o", "keylocation=prompt")
	} else if _, ok := props["keylocation"]; !ok {
		return nil, nil, errs.InvalidArgumentf(op, name, "encryption needs a Key reader or a keylocation property")
	}
	if e.PBKDF2Iters > 0 {
		args = append(args, "-o", "pbkdf2iters="+strconv.FormatUint(e.PBKDF2Iters, 10))
	}
	return args, e.Key, nil
}

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

// RenameOptions are the options of the Rename methods.
type RenameOptions struct {
	// Parents (-p) creates missing parents of the new name (datasets only).
	Parents bool
	// Recursive (-r) renames the snapshots of the same name in descendant
	// datasets too (snapshots only).
	Recursive bool
	// ForceUnmount (-f) unmounts the filesystem even if busy.
	ForceUnmount bool
	// NoMount (-u) does not remount the filesystem under its new mountpoint.
	NoMount bool
	// ExtraArgs are more arguments for `zfs rename`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// Rename renames a dataset, snapshot or bookmark. A snapshot keeps its
// dataset: to may be a full name ("pool/a@new") or, for snapshots and
// bookmarks, the short name after '@' or '#'.
func (c *Client) Rename(ctx context.Context, from, to string, opts RenameOptions) error {
	const op = "rename"
	to, err := renameTarget(from, to, opts)
	if err != nil {
		return errs.WithOp(err, op)
	}
	args := []string{"rename"}
	if opts.Parents {
		args = append(args, "-p")
	}
	if opts.Recursive {
		args = append(args, "-r")
	}
	if opts.ForceUnmount {
		args = append(args, "-f")
	}
	if opts.NoMount {
		args = append(args, "-u")
	}
	args = append(args, opts.ExtraArgs...)
	return c.run(ctx, op, from, nil, append(args, from, to)...)
}

// renameTarget validates a rename and returns the full new name.
func renameTarget(from, to string, opts RenameOptions) (string, error) {
	if err := names.Any(from); err != nil {
		return "", err
	}
	if err := names.ExtraArgs(from, opts.ExtraArgs); err != nil {
		return "", err
	}
	ds, snap, bm := names.Split(from)
	switch {
	case snap != "" || bm != "":
		sep := "@"
		if bm != "" {
			sep = "#"
		}
		if !strings.Contains(to, sep) {
			to = ds + sep + to
		}
		if tds, _, _ := names.Split(to); tds != ds {
			return "", errs.InvalidArgumentf("", from, "cannot rename %s to another dataset (%s)", from, to)
		}
		if opts.Parents {
			return "", errs.InvalidArgumentf("", from, "parents do not apply to snapshots and bookmarks")
		}
	case opts.Recursive:
		return "", errs.InvalidArgumentf("", from, "recursive applies to snapshots only")
	}
	if err := names.Any(to); err != nil {
		return "", err
	}
	if typeOfName(to) != typeOfName(from) {
		return "", errs.InvalidArgumentf("", from, "cannot rename %s to %s", from, to)
	}
	return to, nil
}

// Rename renames the filesystem and returns a handle on the new name (the
// identity is unchanged). The receiver keeps the old name.
func (f *Filesystem) Rename(ctx context.Context, to string, opts RenameOptions) (*Filesystem, error) {
	if err := f.c.Rename(ctx, f.name, to, opts); err != nil {
		return nil, err
	}
	n := *f
	n.name = to
	return &n, nil
}

// Rename renames the volume; see Filesystem.Rename.
func (v *Volume) Rename(ctx context.Context, to string, opts RenameOptions) (*Volume, error) {
	if err := v.c.Rename(ctx, v.name, to, opts); err != nil {
		return nil, err
	}
	n := *v
	n.name = to
	return &n, nil
}

// Rename renames the snapshot within its dataset; to is the new short name
// or full name. With Recursive, the snapshots of the same name in descendant
// datasets are renamed too.
func (s *Snapshot) Rename(ctx context.Context, to string, opts RenameOptions) (*Snapshot, error) {
	full, err := renameTarget(s.name, to, opts)
	if err != nil {
		return nil, errs.WithOp(err, "rename")
	}
	if err := s.c.Rename(ctx, s.name, full, opts); err != nil {
		return nil, err
	}
	n := *s
	n.name = full
	return &n, nil
}

// CloneOptions are the options of Snapshot.Clone.
type CloneOptions struct {
	// Parents (-p) creates missing parents of the clone.
	Parents bool
	// Properties are set on the clone (-o key=value).
	Properties map[string]string
	// ExtraArgs are more arguments for `zfs clone`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// Clone creates a filesystem or volume (the type of the snapshot's dataset)
// from the snapshot and returns its identity; use the Filesystem or Volume
// method of the result for a handle.
func (s *Snapshot) Clone(ctx context.Context, target string, opts CloneOptions) (*Dataset, error) {
	const op = "clone"
	if err := names.Dataset(target); err != nil {
		return nil, errs.WithOp(err, op)
	}
	if err := checkExtra(op, s.name, opts.ExtraArgs); err != nil {
		return nil, err
	}
	args := []string{"clone"}
	if opts.Parents {
		args = append(args, "-p")
	}
	pa, err := propArgs(op, "-o", opts.Properties)
	if err != nil {
		return nil, err
	}
	args = append(args, pa...)
	args = append(args, opts.ExtraArgs...)
	if err := s.c.run(ctx, op, s.name, nil, append(args, s.name, target)...); err != nil {
		return nil, err
	}
	d, err := s.c.identity(ctx, op, target, names.Dataset, 0)
	if err != nil {
		return nil, err
	}
	return &Dataset{dataset: d}, nil
}

// Promote makes the filesystem, a clone, independent of its origin
// snapshot: the origin's dataset becomes a clone of it instead. It fails with
// an error if the filesystem is not a clone.
func (f *Filesystem) Promote(ctx context.Context) error {
	return f.c.run(ctx, "promote", f.name, nil, "promote", f.name)
}

// Promote makes the volume, a clone, independent of its origin; see
// Filesystem.Promote.
func (v *Volume) Promote(ctx context.Context) error {
	return v.c.run(ctx, "promote", v.name, nil, "promote", v.name)
}

// RollbackOptions are the options of the Rollback methods.
type RollbackOptions struct {
	// DestroyLater (-r) destroys the snapshots and bookmarks more recent than
	// the target. Without it, rolling back to a snapshot that is not the
	// latest fails with an error of Kind SnapshotNotLatest.
	DestroyLater bool
	// DestroyClones (-R) also destroys clones of those snapshots.
	DestroyClones bool
	// ForceUnmount (-f) unmounts clone filesystems being destroyed even if
	// busy (with DestroyClones).
	ForceUnmount bool
	// ExtraArgs are more arguments for `zfs rollback`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

func (o RollbackOptions) args() []string {
	a := []string{"rollback"}
	if o.DestroyLater {
		a = append(a, "-r")
	}
	if o.DestroyClones {
		a = append(a, "-R")
	}
	if o.ForceUnmount {
		a = append(a, "-f")
	}
	return append(a, o.ExtraArgs...)
}

// Rollback rolls the snapshot's dataset back to the snapshot, discarding
// all changes made since.
func (s *Snapshot) Rollback(ctx context.Context, opts RollbackOptions) error {
	if err := checkExtra("rollback", s.name, opts.ExtraArgs); err != nil {
		return err
	}
	return s.c.run(ctx, "rollback", s.name, nil, append(opts.args(), s.name)...)
}

// Rollback rolls the filesystem back to its most recent snapshot (two
// commands: one lists the snapshots). It fails with an error of Kind
// NotExist if the filesystem has no snapshot.
func (f *Filesystem) Rollback(ctx context.Context, opts RollbackOptions) error {
	return f.c.rollbackLatest(ctx, f.name, opts)
}

// Rollback rolls the volume back to its most recent snapshot; see
// Filesystem.Rollback.
func (v *Volume) Rollback(ctx context.Context, opts RollbackOptions) error {
	return v.c.rollbackLatest(ctx, v.name, opts)
}

func (c *Client) rollbackLatest(ctx context.Context, name string, opts RollbackOptions) error {
	if err := checkExtra("rollback", name, opts.ExtraArgs); err != nil {
		return err
	}
	snaps, err := c.snapshotsOf(ctx, name)
	if err != nil {
		return errs.WithOp(err, "rollback")
	}
	if len(snaps) == 0 {
		return errs.Newf(errors.NotExist, "rollback", name, "%s has no snapshot", name)
	}
	return snaps[len(snaps)-1].Rollback(ctx, opts)
}

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
