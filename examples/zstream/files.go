package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/gozfs/gozfs/format/ondisk"
	"github.com/gozfs/gozfs/format/streamfs"
)

// streamFile is a rebuilt stream and the input it may still read from.
type streamFile struct {
	*streamfs.Stream
	done func()
}

// Close closes the stream, then its input.
func (s streamFile) Close() error {
	err := s.Stream.Close()
	s.done()
	return err
}

// readStream rebuilds the file system of the stream in the single
// optional FILE argument (or standard input). A regular file stays open
// until Close: the stream reads its data blocks from it.
func readStream(args []string, stdin io.Reader, dataset string) (streamFile, error) {
	in, done, err := openInput(args, stdin)
	if err != nil {
		return streamFile{}, err
	}
	s, err := streamfs.Read(in, streamfs.Options{Dataset: dataset})
	if err != nil {
		done()
		return streamFile{}, err
	}
	return streamFile{s, done}, nil
}

// ls lists the files of a full stream, or the changes of an incremental
// one.
func ls(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("ls", flag.ContinueOnError)
	dataset := fset.String("d", "", "the substream of a compound (-R) stream to read: pool/fs or pool/fs@snap")
	under := fset.String("p", ".", "list only this path of the file system")
	long := fset.Bool("l", true, "long listing (mode, owner, size, time); -l=false prints paths only")
	base := fset.String("base", "", "for an incremental stream: a full stream of the snapshot it applies to, to compare against")
	if err := parseFlags(fset, args, stderr); err != nil {
		return err
	}
	s, err := readStream(fset.Args(), stdin, *dataset)
	if err != nil {
		return err
	}
	defer s.Close()
	if s.Incremental() {
		return lsChanges(s, *base, stdout)
	}
	fsys, err := s.FS()
	if err != nil {
		return err
	}
	return fs.WalkDir(fsys, path.Clean(*under), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !*long {
			fmt.Fprintln(stdout, p)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, longLine(fsys, p, info))
		return nil
	})
}

// longLine formats one file like tar tv: mode, owner/group, size,
// modification time (UTC), path, and a symbolic link's target.
func longLine(fsys *ondisk.FS, p string, info fs.FileInfo) string {
	z := info.Sys().(*ondisk.Znode)
	line := fmt.Sprintf("%s %d/%d %d %s %s", info.Mode(), z.UID, z.GID, z.Size,
		z.Mtime.UTC().Format(time.DateTime), p)
	if info.Mode()&fs.ModeSymlink != 0 {
		if t, err := fsys.ReadLink(p); err == nil {
			line += " -> " + t
		}
	}
	return line
}

func lsChanges(s streamFile, basePath string, stdout io.Writer) error {
	var bfs *ondisk.FS
	if basePath != "" {
		b, err := readStream([]string{basePath}, nil, "")
		if err != nil {
			return fmt.Errorf("base: %w", err)
		}
		defer b.Close()
		if bfs, err = b.FS(); err != nil {
			return fmt.Errorf("base: %w", err)
		}
	}
	changes, err := s.Changes(bfs)
	if err != nil {
		return err
	}
	for _, c := range changes {
		p := c.Path
		if p == "" {
			p = fmt.Sprintf("<object %d>", c.Object)
		}
		if c.Kind == streamfs.Renamed {
			fmt.Fprintf(stdout, "R\t%s\t%s\n", c.OldPath, p)
			continue
		}
		fmt.Fprintf(stdout, "%s\t%s\n", c.Kind, p)
	}
	return nil
}

// extract restores files of a full stream into a directory.
func extract(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("extract", flag.ContinueOnError)
	dataset := fset.String("d", "", "the substream of a compound (-R) stream to read: pool/fs or pool/fs@snap")
	dir := fset.String("C", ".", "extract into this directory")
	owner := fset.Bool("owner", false, "restore owners and groups (needs privileges)")
	overwrite := fset.Bool("overwrite", false, "replace existing files")
	verbose := fset.Bool("v", false, "print each path as it is extracted")
	if err := parseFlags(fset, args, stderr); err != nil {
		return err
	}
	if fset.NArg() < 1 {
		return usageError("extract needs a FILE (\"-\" for standard input)")
	}
	s, err := readStream(fset.Args()[:1], stdin, *dataset)
	if err != nil {
		return err
	}
	defer s.Close()
	fsys, err := s.FS()
	if err != nil {
		return err
	}
	paths := fset.Args()[1:]
	if len(paths) == 0 {
		paths = []string{"."}
	}
	opts := streamfs.ExtractOptions{Owner: *owner, Overwrite: *overwrite}
	if *verbose {
		opts.Progress = func(p string) { fmt.Fprintln(stdout, p) }
	}
	for _, p := range paths {
		p = strings.TrimPrefix(path.Clean("/"+p), "/")
		if p == "" {
			p = "."
		}
		if err := streamfs.Extract(fsys, p, *dir, opts); err != nil {
			return err
		}
	}
	return nil
}
