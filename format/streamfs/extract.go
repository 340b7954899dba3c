package streamfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gozfs/gozfs/format/ondisk"
)

// ExtractOptions tunes Extract. The zero value gives the defaults.
type ExtractOptions struct {
	// Owner sets each file's owner and group as recorded (which needs
	// privileges); by default the files belong to the caller.
	Owner bool
	// Overwrite replaces existing files; by default an existing file is
	// an error (directories are always reused).
	Overwrite bool
	// Progress, if set, is called with each path as it is extracted.
	Progress func(path string)
}

// Extract copies the file or subtree at name (a slash-separated path in
// fsys; "." for everything) into the directory dir, streaming each file's
// contents: regular files, directories and symbolic links, with their
// permission bits and modification times; hard links to a file already
// extracted become hard links. Device files, FIFOs and sockets are
// skipped, as are extended attributes. fsys may come from a Stream or from
// a pool image.
func Extract(fsys *ondisk.FS, name, dir string, opts ExtractOptions) error {
	info, err := fsys.Lstat(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	x := &extractor{fsys: fsys, opts: opts, links: map[uint64]string{}}
	target := filepath.Join(dir, path.Base(name))
	if name == "." {
		target = dir
	}
	if !info.IsDir() {
		return x.one(name, target, info)
	}
	var dirs []dirTime
	err = fs.WalkDir(fsys, name, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, name), "/")
		if name == "." {
			rel = p
		}
		dst := filepath.Join(target, filepath.FromSlash(rel))
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			if err := os.MkdirAll(dst, 0o700); err != nil {
				return err
			}
			dirs = append(dirs, dirTime{dst, info})
			if opts.Progress != nil {
				opts.Progress(p)
			}
			return nil
		}
		return x.one(p, dst, info)
	})
	if err != nil {
		return err
	}
	// Directory modes and times last, deepest first, so that writing into
	// them does not undo them.
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := x.finish(dirs[i].path, dirs[i].info); err != nil {
			return err
		}
	}
	return nil
}

type dirTime struct {
	path string
	info fs.FileInfo
}

type extractor struct {
	fsys  *ondisk.FS
	opts  ExtractOptions
	links map[uint64]string
}

func (x *extractor) one(name, dst string, info fs.FileInfo) error {
	z := info.Sys().(*ondisk.Znode)
	if x.opts.Overwrite {
		if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	switch {
	case info.Mode().IsRegular():
		if z.Links > 1 {
			if first, ok := x.links[z.Object]; ok {
				return os.Link(first, dst)
			}
			x.links[z.Object] = dst
		}
		if err := x.copyFile(name, dst); err != nil {
			return err
		}
	case info.Mode()&fs.ModeSymlink != 0:
		t, err := x.fsys.ReadLink(name)
		if err != nil {
			return err
		}
		if err := os.Symlink(t, dst); err != nil {
			return err
		}
		if x.opts.Owner {
			if err := os.Lchown(dst, int(z.UID), int(z.GID)); err != nil {
				return err
			}
		}
		if x.opts.Progress != nil {
			x.opts.Progress(name)
		}
		return nil
	default:
		return nil // devices, FIFOs and sockets
	}
	if x.opts.Progress != nil {
		x.opts.Progress(name)
	}
	return x.finish(dst, info)
}

func (x *extractor) copyFile(name, dst string) error {
	src, err := x.fsys.Open(name)
	if err != nil {
		return err
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, src.(io.Reader)); err != nil {
		out.Close()
		return fmt.Errorf("extracting %s: %w", name, err)
	}
	return out.Close()
}

// finish sets the mode, owner and times of an extracted file or directory.
func (x *extractor) finish(dst string, info fs.FileInfo) error {
	z := info.Sys().(*ondisk.Znode)
	if x.opts.Owner {
		if err := os.Lchown(dst, int(z.UID), int(z.GID)); err != nil {
			return err
		}
	}
	if err := os.Chmod(dst, info.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return err
	}
	return os.Chtimes(dst, z.Atime, z.Mtime)
}
