package zfs

import (
	"context"
	"io"
	"strconv"

	"github.com/gozfs/gozfs/errors"
)

// KeyStatus is the state of a dataset's encryption key (the keystatus
// property).
type KeyStatus string

// The key states.
const (
	// KeyNone: the dataset is not encrypted.
	KeyNone KeyStatus = "none"
	// KeyUnavailable: the key is not loaded; the data cannot be read.
	KeyUnavailable KeyStatus = "unavailable"
	// KeyAvailable: the key is loaded.
	KeyAvailable KeyStatus = "available"
)

// LoadKeyOptions are the options of LoadKey.
type LoadKeyOptions struct {
	// Verify (-n) only checks that the key is correct, without loading it.
	Verify bool
	// Recursive (-r) loads the keys of all encryption roots below too, from
	// their keylocation; it cannot be combined with a key reader.
	Recursive bool
}

// ChangeKeyOptions are the options of ChangeKey.
type ChangeKeyOptions struct {
	// Inherit (-i) makes the dataset inherit its key from its parent,
	// ceasing to be an encryption root. The other fields must be zero.
	Inherit bool
	// Format is the new key format; empty keeps the current one.
	Format KeyFormat
	// Key supplies the new key on standard input (keylocation=prompt).
	// When nil, zfs reads it from Location.
	Key io.Reader
	// Location is the new keylocation (a file:// or https:// URL) when Key
	// is nil.
	Location string
	// PBKDF2Iters sets pbkdf2iters for a passphrase; zero keeps the default.
	PBKDF2Iters uint64
}

func loadKey(ctx context.Context, c *Client, name string, key io.Reader, opts LoadKeyOptions) error {
	args := []string{"load-key"}
	if opts.Verify {
		args = append(args, "-n")
	}
	if opts.Recursive {
		if key != nil {
			return errors.InvalidArgumentf("load-key", name, "a recursive load reads keys from their keylocation, not from a reader")
		}
		args = append(args, "-r")
	}
	if key != nil {
		args = append(args, "-L", "prompt")
	}
	return c.run(ctx, "load-key", name, key, append(args, name)...)
}

func unloadKey(ctx context.Context, c *Client, name string, recursive bool) error {
	args := []string{"unload-key"}
	if recursive {
		args = append(args, "-r")
	}
	return c.run(ctx, "unload-key", name, nil, append(args, name)...)
}

func changeKey(ctx context.Context, c *Client, name string, opts ChangeKeyOptions) error {
	const op = "change-key"
	args := []string{"change-key"}
	if opts.Inherit {
		if opts.Format != "" || opts.Key != nil || opts.Location != "" || opts.PBKDF2Iters != 0 {
			return errors.InvalidArgumentf(op, name, "inherit takes no key options")
		}
		return c.run(ctx, op, name, nil, append(args, "-i", name)...)
	}
	if opts.Format != "" {
		args = append(args, "-o", "keyformat="+string(opts.Format))
	}
	switch {
	case opts.Key != nil && opts.Location != "":
		return errors.InvalidArgumentf(op, name, "both a key reader and a key location given")
	case opts.Key != nil:
		args = append(args, "-o", "keylocation=prompt")
	case opts.Location != "":
		args = append(args, "-o", "keylocation="+opts.Location)
	default:
		return errors.InvalidArgumentf(op, name, "a new key needs a Key reader or a Location")
	}
	if opts.PBKDF2Iters > 0 {
		args = append(args, "-o", "pbkdf2iters="+strconv.FormatUint(opts.PBKDF2Iters, 10))
	}
	return c.run(ctx, op, name, opts.Key, append(args, name)...)
}

func keyStatus(ctx context.Context, c *Client, name string) (KeyStatus, error) {
	ps, err := c.getProperties(ctx, name, []string{"keystatus"})
	if err != nil {
		return "", err
	}
	v := ps.Get("keystatus").Value
	if v == "-" {
		return KeyNone, nil
	}
	return KeyStatus(v), nil
}

// LoadKey loads the encryption key of the filesystem, an encryption root.
// With a non-nil key the key is read from it (passed to zfs on standard
// input, `-L prompt`); with nil, from the dataset's keylocation. A key that
// is already loaded gives an error of Kind Exist; a wrong key an error whose
// Stderr reads "Incorrect key provided".
func (f *Filesystem) LoadKey(ctx context.Context, key io.Reader, opts LoadKeyOptions) error {
	return loadKey(ctx, f.c, f.name, key, opts)
}

// UnloadKey unloads the encryption key of the filesystem, which must be
// unmounted first (Unmount with UnloadKey does both).
func (f *Filesystem) UnloadKey(ctx context.Context, recursive bool) error {
	return unloadKey(ctx, f.c, f.name, recursive)
}

// ChangeKey changes the wrapping key of the filesystem (the data is not
// re-encrypted). The current key must be loaded.
func (f *Filesystem) ChangeKey(ctx context.Context, opts ChangeKeyOptions) error {
	return changeKey(ctx, f.c, f.name, opts)
}

// KeyStatus reads the keystatus property.
func (f *Filesystem) KeyStatus(ctx context.Context) (KeyStatus, error) {
	return keyStatus(ctx, f.c, f.name)
}

// LoadKey loads the encryption key of the volume; see Filesystem.LoadKey.
func (v *Volume) LoadKey(ctx context.Context, key io.Reader, opts LoadKeyOptions) error {
	return loadKey(ctx, v.c, v.name, key, opts)
}

// UnloadKey unloads the encryption key of the volume.
func (v *Volume) UnloadKey(ctx context.Context, recursive bool) error {
	return unloadKey(ctx, v.c, v.name, recursive)
}

// ChangeKey changes the wrapping key of the volume; see
// Filesystem.ChangeKey.
func (v *Volume) ChangeKey(ctx context.Context, opts ChangeKeyOptions) error {
	return changeKey(ctx, v.c, v.name, opts)
}

// KeyStatus reads the keystatus property.
func (v *Volume) KeyStatus(ctx context.Context) (KeyStatus, error) {
	return keyStatus(ctx, v.c, v.name)
}
