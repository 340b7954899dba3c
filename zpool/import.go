package zpool

import (
	"bufio"
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/zfs"
)

// ImportablePool is a pool that `zpool import` found and could import.
type ImportablePool struct {
	// Name is the pool's name and GUID its identifier ("id").
	Name string
	GUID uint64
	// State is the state the pool would have once imported.
	State State
	// Destroyed reports a destroyed pool (found with Destroyed set).
	Destroyed bool
	// Status and Action explain a problem and what to do about it; MsgID
	// and MoreInfo point to its documentation.
	Status, Action, MsgID, MoreInfo string
	// Comment is the pool's comment property.
	Comment string
	// Root is the vdev tree as found on the devices (with states but no
	// error counters); the other fields are the vdevs of the other classes.
	Root                                *Vdev
	Logs, Special, Dedup, Cache, Spares []*Vdev
}

// ImportSource tells Import and ImportList where to look for pools. The
// zero value searches /dev (zpool's default).
type ImportSource struct {
	// Dirs are directories or devices to search (-d, repeated).
	Dirs []string
	// CacheFile reads the pool configuration from a cache file (-c)
	// instead of searching.
	CacheFile string
	// Destroyed looks for destroyed pools only (-D).
	Destroyed bool
}

func (s ImportSource) args(op, pool string) ([]string, error) {
	var args []string
	for _, d := range s.Dirs {
		if err := names.Operand(d); err != nil {
			return nil, errs.InvalidArgumentf(op, pool, "invalid search directory %q", d)
		}
		args = append(args, "-d", d)
	}
	if s.CacheFile != "" {
		if len(s.Dirs) > 0 {
			return nil, errs.InvalidArgumentf(op, pool, "a cache file and search directories are exclusive")
		}
		if err := checkPath(op, pool, "cache file", s.CacheFile); err != nil {
			return nil, err
		}
		args = append(args, "-c", s.CacheFile)
	}
	if s.Destroyed {
		args = append(args, "-D")
	}
	return args, nil
}

// ImportList lists the pools that could be imported from src
// (`zpool import` without a pool name). It returns an empty list when there
// are none.
func (c *Client) ImportList(ctx context.Context, src ImportSource) ([]*ImportablePool, error) {
	const op = "zpool import"
	sargs, err := src.args(op, "")
	if err != nil {
		return nil, err
	}
	out, err := c.output(ctx, op, "", append([]string{"import"}, sargs...)...)
	if err != nil {
		return nil, err
	}
	return parseImportList(out)
}

// ImportOptions are the options of Import.
type ImportOptions struct {
	// Source tells where to look for the pool.
	Source ImportSource
	// NewName imports the pool under a new name.
	NewName string
	// ReadOnly imports the pool read-only (-o readonly=on).
	ReadOnly bool
	// AltRoot imports the pool with an alternate root (-R), which also sets
	// cachefile=none.
	AltRoot string
	// NoCacheFile keeps the pool out of the cache file
	// (-o cachefile=none).
	NoCacheFile bool
	// Properties are pool properties to set at import (-o name=value).
	Properties map[string]string
	// Force imports a pool that appears to be in use by another system, or
	// a destroyed pool (-f).
	Force bool
	// NoMount imports without mounting file systems (-N).
	NoMount bool
	// MissingLog imports a pool whose log device is missing, discarding
	// its last transactions (-m).
	MissingLog bool
	// RewindToCheckpoint rewinds the pool to its checkpoint
	// (--rewind-to-checkpoint), discarding everything written since.
	RewindToCheckpoint bool
	// ExtraArgs are more arguments for `zpool import`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	ExtraArgs zfs.ExtraArgs
}

// Import imports the pool named by nameOrGUID: a pool name, or the numeric
// GUID ImportList reports (needed when two pools have the same name).
// A pool that cannot be found gives an error matching errors.ErrNotExist; a
// name that is taken, errors.ErrExist.
func (c *Client) Import(ctx context.Context, nameOrGUID string, opts ImportOptions) error {
	const op = "zpool import"
	if _, err := strconv.ParseUint(nameOrGUID, 10, 64); err != nil {
		if err := errs.WithOp(names.NewPool(nameOrGUID), op); err != nil {
			return err
		}
	}
	args := []string{"import"}
	sargs, err := opts.Source.args(op, nameOrGUID)
	if err != nil {
		return err
	}
	args = append(args, sargs...)
	if opts.Force {
		args = append(args, "-f")
	}
	if opts.NoMount {
		args = append(args, "-N")
	}
	if opts.MissingLog {
		args = append(args, "-m")
	}
	if opts.RewindToCheckpoint {
		args = append(args, "--rewind-to-checkpoint")
	}
	if opts.AltRoot != "" {
		if err := checkPath(op, nameOrGUID, "altroot", opts.AltRoot); err != nil {
			return err
		}
		args = append(args, "-R", opts.AltRoot)
	}
	props := map[string]string{}
	for k, v := range opts.Properties {
		props[k] = v
	}
	if opts.ReadOnly {
		props["readonly"] = "on"
	}
	if opts.NoCacheFile {
		props["cachefile"] = "none"
	}
	pargs, err := propArgs(op, nameOrGUID, "-o", props)
	if err != nil {
		return err
	}
	args = append(args, pargs...)
	if err := checkExtra(op, nameOrGUID, opts.ExtraArgs); err != nil {
		return err
	}
	args = append(args, opts.ExtraArgs...)
	args = append(args, nameOrGUID)
	if opts.NewName != "" {
		if err := errs.WithOp(names.NewPool(opts.NewName), op); err != nil {
			return err
		}
		args = append(args, opts.NewName)
	}
	return c.run(ctx, op, nameOrGUID, args...)
}

// ExportOptions are the options of Export.
type ExportOptions struct {
	// Force unmounts file systems that are in use (-f).
	Force bool
	// ExtraArgs are more arguments for `zpool export`, for flags this
	// package does not model; see [zfs.ExtraArgs].
	ExtraArgs zfs.ExtraArgs
}

// Export exports a pool (`zpool export`).
func (c *Client) Export(ctx context.Context, pool string, opts ExportOptions) error {
	var flags []string
	if opts.Force {
		flags = append(flags, "-f")
	}
	return c.runOn(ctx, "zpool export", pool, flags, opts.ExtraArgs)
}

// parseImportList parses the text of `zpool import` listing importable
// pools.
func parseImportList(out []byte) ([]*ImportablePool, error) {
	var (
		pools  []*ImportablePool
		cur    *ImportablePool
		st     *Status // collects the config tree
		labels []labelled
		inCfg  bool
		cfg    configParser
	)
	finish := func() {
		if cur == nil {
			return
		}
		cfg.finish()
		for _, l := range labels {
			text := strings.TrimSpace(strings.Join(l.lines, " "))
			switch l.label {
			case "id":
				cur.GUID, _ = strconv.ParseUint(text, 10, 64)
			case "state":
				if s, ok := strings.CutSuffix(text, " (DESTROYED)"); ok {
					text, cur.Destroyed = s, true
				}
				cur.State = State(text)
			case "status":
				cur.Status = text
			case "action":
				cur.Action = text
			case "comment":
				cur.Comment = text
			case "see":
				cur.MoreInfo = text
				if i := strings.LastIndexByte(text, '/'); i >= 0 {
					cur.MsgID = text[i+1:]
				}
			}
		}
		cur.Root, cur.Logs, cur.Special, cur.Dedup, cur.Cache, cur.Spares = st.Root, st.Logs, st.Special, st.Dedup, st.Cache, st.Spares
		pools = append(pools, cur)
		cur = nil
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := labelRE.FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, "\t") {
			label, text := m[1], m[2]
			if label == "pool" {
				finish()
				cur = &ImportablePool{Name: strings.TrimSpace(text)}
				st = &Status{Name: cur.Name}
				labels, inCfg = nil, false
				continue
			}
			if cur == nil {
				continue
			}
			if label == "config" {
				inCfg = true
				cfg.start(st, true)
				continue
			}
			if !inCfg {
				labels = append(labels, labelled{label: label, lines: []string{text}})
			}
			continue
		}
		if cur == nil {
			continue
		}
		switch {
		case inCfg && strings.TrimSpace(line) == "":
			if cfg.started() {
				inCfg = false
			}
		case inCfg:
			if err := cfg.line(line); err != nil {
				return nil, err
			}
		case strings.HasPrefix(line, "\t") && len(labels) > 0:
			l := &labels[len(labels)-1]
			l.lines = append(l.lines, strings.TrimSpace(line))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, parseErrorf("zpool import", "%v", err)
	}
	finish()
	return pools, nil
}
