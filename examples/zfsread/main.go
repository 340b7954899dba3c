// Command zfsread reads ZFS pools from their image files or devices without
// ZFS: no kernel module, no zpool import, nothing written.
//
//	zfsread label [-json] DEVICE            the four vdev labels (zdb -l)
//	zfsread datasets IMAGE...               file systems, volumes and snapshots
//	zfsread ls [-l] [-R] DATASET[:PATH] IMAGE...
//	                                        list a directory of a file system
//	zfsread cat DATASET:PATH IMAGE...       write a file's contents to stdout
//	zfsread get [-p PROP,...] DATASET IMAGE...
//	                                        the dataset's properties from the MOS
//
// IMAGE... are all the vdev members of one pool that are at hand (files or
// block devices, opened read-only); mirrors and RAID-Z vdevs read with
// members missing as long as their redundancy covers them. DATASET is a
// full name (pool/fs or pool/fs@snap); PATH is relative to the file
// system's root.
//
// Output:
//
// label prints, for each label, "label N: ok" or "label N: damaged:
// REASON", then the configuration of the newest good label (pool name and
// GUID, state, txg, host, the vdev tree with types, paths, GUIDs and
// ashift, the features for read) and the active uberblock (txg, time, GUID
// sum, MMP fields, root block pointer); -json prints the labels as JSON.
//
// datasets prints one tab-separated line per dataset: NAME, TYPE, USED,
// REFER (bytes), CREATION (RFC 3339, UTC), GUID, and "encrypted" for
// encrypted datasets, whose contents cannot be read.
//
// ls prints one line per entry like ls -l (mode, links, uid, gid, size,
// modification time in UTC, name, and "-> TARGET" for symbolic links);
// without -l only names. -R lists subdirectories too, with paths relative
// to PATH.
//
// get prints "PROPERTY<TAB>VALUE<TAB>SOURCE" lines: the intrinsic
// properties (type, guid, createtxg, creation, used, referenced,
// compressratio, origin, encryption) with source "-", and the properties
// set on the dataset itself with source "local".
//
// Exit status is 0 on success, 1 on errors, 2 on usage errors.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/format/ondisk"
	"github.com/gozfs/gozfs/format/poolimage"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
	zfsread label [-json] DEVICE
	zfsread datasets IMAGE...
	zfsread ls [-l] [-R] DATASET[:PATH] IMAGE...
	zfsread cat DATASET:PATH IMAGE...
	zfsread get [-p PROP,...] DATASET IMAGE...
`

type usageError string

func (e usageError) Error() string { return string(e) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "label":
		err = label(args[1:], stdout, stderr)
	case "datasets":
		err = datasets(args[1:], stdout, stderr)
	case "ls":
		err = ls(args[1:], stdout, stderr)
	case "cat":
		err = cat(args[1:], stdout, stderr)
	case "get":
		err = get(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usageError("unknown command " + strconv.Quote(args[0]))
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		if ue != "" {
			fmt.Fprintln(stderr, "zfsread:", string(ue))
		}
		fmt.Fprint(stderr, usage)
		return 2
	default:
		fmt.Fprintln(stderr, "zfsread:", err)
		return 1
	}
}

func parse(fset *flag.FlagSet, args []string, stderr io.Writer, min int) error {
	fset.SetOutput(stderr)
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageError("")
		}
		return usageError(err.Error())
	}
	if fset.NArg() < min {
		return usageError(fset.Name() + ": missing arguments")
	}
	return nil
}

func openPool(images []string) (*poolimage.Pool, error) {
	return poolimage.OpenFiles(images, poolimage.Options{})
}

func label(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("label", flag.ContinueOnError)
	asJSON := fset.Bool("json", false, "print the labels as JSON")
	if err := parse(fset, args, stderr, 1); err != nil {
		return err
	}
	if fset.NArg() != 1 {
		return usageError("label takes one DEVICE")
	}
	f, err := os.Open(fset.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	ls, err := poolimage.ReadLabels(f, size)
	if ls == nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(labelsJSON(ls)); jerr != nil {
			return jerr
		}
		return err
	}
	for i := range ls.Labels {
		l := &ls.Labels[i]
		if l.Err != nil {
			fmt.Fprintf(stdout, "label %d: damaged: %v\n", i, l.Err)
		} else {
			fmt.Fprintf(stdout, "label %d: ok (%d uberblocks)\n", i, len(l.Uberblocks))
		}
	}
	if c := ls.Config(); c != nil {
		fmt.Fprintf(stdout, "pool: %s\nguid: %d\nstate: %s\ntxg: %d\nversion: %d\n", c.Name, c.GUID, c.State, c.TXG, c.Version)
		fmt.Fprintf(stdout, "hostname: %s\nhostid: %#x\nvdev guid: %d\ntop guid: %d\nvdev children: %d\n", c.Hostname, c.HostID, c.VdevGUID, c.TopGUID, c.VdevChildren)
		if c.Tree != nil {
			fmt.Fprintln(stdout, "vdev tree:")
			printVdev(stdout, c.Tree, "  ")
		}
		fmt.Fprintf(stdout, "features for read: %s\n", strings.Join(c.FeaturesForRead, " "))
	}
	if u := ls.Active(); u != nil {
		m := u.MMP()
		fmt.Fprintf(stdout, "active uberblock: label %d slot %d\n  txg: %d\n  timestamp: %s\n  guid_sum: %d\n  version: %d\n",
			u.Label, u.Slot, u.TXG, u.Time().Format(time.RFC3339), u.GUIDSum, u.Version)
		fmt.Fprintf(stdout, "  mmp: valid=%t delay=%d interval=%d seq=%d fail_intervals=%d\n  checkpoint_txg: %d\n  rootbp: %s\n",
			m.Valid, m.Delay, m.Interval, m.Seq, m.FailIntervals, u.CheckpointTXG, u.RootBP.String())
	}
	return err
}

func printVdev(w io.Writer, v *poolimage.Vdev, indent string) {
	line := fmt.Sprintf("%s%s id=%d guid=%d", indent, v.Type, v.ID, v.GUID)
	if v.NParity > 0 {
		line += fmt.Sprintf(" nparity=%d", v.NParity)
	}
	if v.Ashift > 0 {
		line += fmt.Sprintf(" ashift=%d", v.Ashift)
	}
	if v.Path != "" {
		line += " path=" + v.Path
	}
	fmt.Fprintln(w, line)
	for _, c := range v.Children {
		printVdev(w, c, indent+"  ")
	}
}

type jsonLabel struct {
	Index      int                    `json:"index"`
	Offset     int64                  `json:"offset"`
	Error      string                 `json:"error,omitempty"`
	Config     any                    `json:"config,omitempty"`
	Uberblocks []poolimage.Uberblock  `json:"uberblocks,omitempty"`
	Active     *poolimage.Uberblock   `json:"-"`
	Extra      map[string]interface{} `json:"-"`
}

func labelsJSON(ls *poolimage.Labels) any {
	out := struct {
		Labels []jsonLabel          `json:"labels"`
		Active *poolimage.Uberblock `json:"active,omitempty"`
	}{Active: ls.Active()}
	for i := range ls.Labels {
		l := &ls.Labels[i]
		j := jsonLabel{Index: i, Offset: l.Offset, Uberblocks: l.Uberblocks}
		if l.Err != nil {
			j.Error = l.Err.Error()
		}
		if l.Config != nil {
			j.Config = l.Config.NVList
		}
		out.Labels = append(out.Labels, j)
	}
	return out
}

func datasets(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("datasets", flag.ContinueOnError)
	if err := parse(fset, args, stderr, 1); err != nil {
		return err
	}
	p, err := openPool(fset.Args())
	if err != nil {
		return err
	}
	defer p.Close()
	ds, err := p.Datasets()
	if err != nil {
		return err
	}
	for _, d := range ds {
		enc := ""
		if d.Encrypted {
			enc = "\tencrypted"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%d\t%d\t%s\t%d%s\n", d.Name, d.Type, d.Used, d.Referenced,
			d.Creation.UTC().Format(time.RFC3339), d.GUID, enc)
	}
	return nil
}

// splitTarget splits DATASET:PATH.
func splitTarget(s string) (string, string) {
	ds, p, ok := strings.Cut(s, ":")
	if !ok || p == "" {
		return ds, "."
	}
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		p = "."
	}
	return ds, p
}

func ls(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("ls", flag.ContinueOnError)
	long := fset.Bool("l", false, "long listing")
	recursive := fset.Bool("R", false, "list subdirectories too")
	if err := parse(fset, args, stderr, 2); err != nil {
		return err
	}
	ds, dir := splitTarget(fset.Arg(0))
	p, err := openPool(fset.Args()[1:])
	if err != nil {
		return err
	}
	defer p.Close()
	fsys, err := p.FS(ds)
	if err != nil {
		return err
	}
	print := func(name, full string) error {
		if !*long {
			fmt.Fprintln(stdout, name)
			return nil
		}
		info, err := fsys.Lstat(full)
		if err != nil {
			return err
		}
		z := info.Sys().(*ondisk.Znode)
		line := fmt.Sprintf("%s %d %d %d %d %s %s", info.Mode(), z.Links, z.UID, z.GID, z.Size,
			z.Mtime.UTC().Format(time.DateTime), name)
		if info.Mode()&fs.ModeSymlink != 0 {
			if t, err := fsys.ReadLink(full); err == nil {
				line += " -> " + t
			}
		}
		fmt.Fprintln(stdout, line)
		return nil
	}
	info, err := fsys.Lstat(dir)
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return print(path.Base(dir), dir)
	}
	if *recursive {
		return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == dir {
				return nil
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
			if dir == "." {
				rel = p
			}
			return print(rel, p)
		})
	}
	ents, err := fsys.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := print(e.Name(), path.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func cat(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("cat", flag.ContinueOnError)
	if err := parse(fset, args, stderr, 2); err != nil {
		return err
	}
	ds, name := splitTarget(fset.Arg(0))
	p, err := openPool(fset.Args()[1:])
	if err != nil {
		return err
	}
	defer p.Close()
	fsys, err := p.FS(ds)
	if err != nil {
		return err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	info, _ := f.Stat()
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file (%s)", name, info.Mode())
	}
	_, err = io.Copy(stdout, f.(io.Reader))
	return err
}

func get(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("get", flag.ContinueOnError)
	only := fset.String("p", "", "comma-separated properties to print (default: all)")
	if err := parse(fset, args, stderr, 2); err != nil {
		return err
	}
	p, err := openPool(fset.Args()[1:])
	if err != nil {
		return err
	}
	defer p.Close()
	d, err := p.Dataset(fset.Arg(0))
	if err != nil {
		return err
	}
	ratio := "1.00x"
	if d.Compressed > 0 {
		ratio = fmt.Sprintf("%.2fx", float64(d.Uncompressed)/float64(d.Compressed))
	}
	origin := d.Origin
	if origin == "" {
		origin = "-"
	}
	type prop struct{ name, value, source string }
	props := []prop{
		{"type", d.Type.String(), "-"},
		{"guid", strconv.FormatUint(d.GUID, 10), "-"},
		{"createtxg", strconv.FormatUint(d.CreateTXG, 10), "-"},
		{"creation", strconv.FormatInt(d.Creation.Unix(), 10), "-"},
		{"used", strconv.FormatUint(d.Used, 10), "-"},
		{"referenced", strconv.FormatUint(d.Referenced, 10), "-"},
		{"compressratio", ratio, "-"},
		{"origin", origin, "-"},
	}
	if _, ok := d.Props["encryption"]; !ok {
		enc := "off"
		if d.Encrypted {
			enc = "on"
		}
		props = append(props, prop{"encryption", enc, "-"})
	}
	var local []string
	for k := range d.Props {
		local = append(local, k)
	}
	sort.Strings(local)
	for _, k := range local {
		props = append(props, prop{k, d.Props[k], "local"})
	}
	want := map[string]bool{}
	for _, n := range strings.Split(*only, ",") {
		if n != "" {
			want[n] = true
		}
	}
	for _, pr := range props {
		if len(want) > 0 && !want[pr.name] {
			continue
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", pr.name, pr.value, pr.source)
	}
	return nil
}
