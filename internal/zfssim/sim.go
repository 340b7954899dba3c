// Package zfssim is an in-memory stand-in for the zfs command, a
// command.Runner for tests and runnable examples of the packages that
// drive zfs through the zfs package (retention, autosnap).
//
// It keeps filesystems, volumes and snapshots with their creation TXG,
// GUID, creation time, holds, user properties (inherited down the tree, as
// zfs inherits them) and a written counter, and answers the commands the
// zfs package runs on its text path (OpenZFS before 2.3): `zfs list -H -p`,
// `zfs get -H -p`, `zfs snapshot`, `zfs destroy` (with -n -v -p dry runs,
// comma lists, -r and -d), `zfs hold` and `zfs release`. Snapshots are
// created atomically, one TXG per command; a destroy of a comma list is
// atomic and refuses held snapshots with the message OpenZFS 2.3 prints.
// Messages follow zfs's closely enough for the zfs package to classify
// them. It is not a model of space accounting: a snapshot frees the bytes
// written to its dataset between the previous snapshot and it.
//
// Client returns a zfs.Client on the simulator; Calls and Count tell which
// commands ran.
package zfssim

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/zfs"
)

// Sim is the simulated zfs. It is safe for concurrent use.
type Sim struct {
	mu    sync.Mutex
	nodes map[string]*node
	txg   uint64
	guid  uint64
	calls [][]string
	// clock gives creation times; nil means time.Now.
	clock func() time.Time
	// before is called with each argv before it runs.
	before func(argv []string)
}

type node struct {
	name     string
	typ      zfs.Type
	guid     uint64
	txg      uint64
	creation time.Time
	props    map[string]string // user properties set locally
	holds    map[string]bool
	written  uint64 // filesystems: bytes since the last snapshot; snapshots: bytes they hold
}

// New returns an empty simulator whose clock is time.Now.
func New() *Sim {
	return &Sim{nodes: map[string]*node{}, txg: 100, guid: 1000}
}

// SetClock makes the simulator date new snapshots with clock.
func (s *Sim) SetClock(clock func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = clock
}

// BeforeRun installs f, called with every command's argv before the command
// runs (outside the simulator's lock, so f may change the state): a way to
// make something happen between two commands, such as a hold placed between
// a listing and a destroy.
func (s *Sim) BeforeRun(f func(argv []string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before = f
}

func (s *Sim) now() time.Time {
	if s.clock != nil {
		return s.clock()
	}
	return time.Now()
}

// Client returns a zfs client that runs its commands on the simulator.
func (s *Sim) Client() *zfs.Client {
	return zfs.New(zfs.ClientOptions{Runner: s, Version: zfs.Version{Major: 2, Minor: 1, Patch: 11}})
}

// Calls returns the argv of every command run so far.
func (s *Sim) Calls() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Count returns how many commands with the given subcommand ("list",
// "destroy", ...) ran.
func (s *Sim) Count(sub string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if len(c) > 1 && c[1] == sub {
			n++
		}
	}
	return n
}

// ResetCalls forgets the commands run so far.
func (s *Sim) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// AddFilesystem creates a filesystem (its parent must exist, unless it is a
// pool) with the given user properties set locally.
func (s *Sim) AddFilesystem(name string, props map[string]string) {
	s.add(name, zfs.TypeFilesystem, props)
}

// AddVolume creates a volume.
func (s *Sim) AddVolume(name string, props map[string]string) {
	s.add(name, zfs.TypeVolume, props)
}

func (s *Sim) add(name string, t zfs.Type, props map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, _, ok := cutLast(name, "/"); ok && s.nodes[p] == nil {
		panic("zfssim: no parent for " + name)
	}
	s.txg++
	s.guid++
	n := &node{name: name, typ: t, guid: s.guid, txg: s.txg, creation: s.now(), props: map[string]string{}}
	for k, v := range props {
		n.props[k] = v
	}
	s.nodes[name] = n
}

// AddSnapshot creates the snapshot "ds@short" dated at, in a TXG of its own,
// holding the bytes written to ds since the previous snapshot.
func (s *Sim) AddSnapshot(name string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, _, _ := strings.Cut(name, "@")
	d := s.nodes[ds]
	if d == nil || s.nodes[name] != nil {
		panic("zfssim: cannot add " + name)
	}
	s.txg++
	s.snap(d, name, at, nil)
}

func (s *Sim) snap(d *node, name string, at time.Time, props map[string]string) {
	s.guid++
	n := &node{name: name, typ: zfs.TypeSnapshot, guid: s.guid, txg: s.txg, creation: at, props: map[string]string{}, written: d.written}
	for k, v := range props {
		n.props[k] = v
	}
	d.written = 0
	s.nodes[name] = n
}

// Write records bytes written to a filesystem or volume (its written
// property grows).
func (s *Sim) Write(ds string, bytes uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodes[ds].written += bytes
}

// SetProperty sets a user property locally on a dataset or snapshot.
func (s *Sim) SetProperty(name, prop, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodes[name].props[prop] = value
}

// Hold places a hold on a snapshot.
func (s *Sim) Hold(snap, tag string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nodes[snap]
	if n.holds == nil {
		n.holds = map[string]bool{}
	}
	n.holds[tag] = true
}

// Exists reports whether a dataset or snapshot exists.
func (s *Sim) Exists(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nodes[name] != nil
}

// Snapshots returns the full names of the snapshots of ds, oldest first.
func (s *Sim) Snapshots(ds string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, n := range s.snapsOf(ds) {
		out = append(out, n.name)
	}
	return out
}

// snapsOf returns the snapshots of ds by TXG, then name.
func (s *Sim) snapsOf(ds string) []*node {
	var out []*node
	for name, n := range s.nodes {
		if d, _, ok := strings.Cut(name, "@"); ok && d == ds {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b *node) int {
		if c := cmp.Compare(a.txg, b.txg); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

// children returns the datasets directly below ds, by name.
func (s *Sim) children(ds string) []*node {
	var out []*node
	for name, n := range s.nodes {
		if n.typ == zfs.TypeSnapshot {
			continue
		}
		if p, _, ok := cutLast(name, "/"); ok && p == ds {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b *node) int { return strings.Compare(a.name, b.name) })
	return out
}

func cutLast(s, sep string) (string, string, bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// userProp returns the effective value of a user property and its source,
// as zfs get prints it.
func (s *Sim) userProp(n *node, prop string) (string, string) {
	if v, ok := n.props[prop]; ok {
		return v, "local"
	}
	name := n.name
	if ds, _, ok := strings.Cut(name, "@"); ok {
		name = ds
		if v, ok := s.nodes[ds].props[prop]; ok {
			return v, "inherited from " + ds
		}
	}
	for {
		p, _, ok := cutLast(name, "/")
		if !ok {
			return "-", "-"
		}
		if v, ok := s.nodes[p].props[prop]; ok {
			return v, "inherited from " + p
		}
		name = p
	}
}

// value returns a property's value and source.
func (s *Sim) value(n *node, prop string) (string, string) {
	switch prop {
	case "name":
		return n.name, "-"
	case "type":
		return n.typ.String(), "-"
	case "guid":
		return strconv.FormatUint(n.guid, 10), "-"
	case "createtxg":
		return strconv.FormatUint(n.txg, 10), "-"
	case "creation":
		return strconv.FormatInt(n.creation.Unix(), 10), "-"
	case "userrefs":
		if n.typ != zfs.TypeSnapshot {
			return "-", "-"
		}
		return strconv.Itoa(len(n.holds)), "-"
	case "written":
		return strconv.FormatUint(n.written, 10), "-"
	case "used":
		return strconv.FormatUint(n.written, 10), "-"
	}
	if strings.Contains(prop, ":") {
		return s.userProp(n, prop)
	}
	return "-", "-"
}

// failure is a command's failure: standard error and exit code 1.
type failure string

// Run implements command.Runner.
func (s *Sim) Run(ctx context.Context, c *command.Cmd) error {
	argv := c.Argv()
	s.mu.Lock()
	s.calls = append(s.calls, argv)
	before := s.before
	s.mu.Unlock()
	if before != nil {
		before(argv)
	}
	if err := ctx.Err(); err != nil {
		return &command.ExitError{Argv: argv, Code: -1, Err: err}
	}
	stdout := c.Stdout
	if stdout == nil {
		stdout = io.Discard
	}
	var b strings.Builder
	var err error
	s.mu.Lock()
	if c.Name != "zfs" || len(c.Args) == 0 {
		err = failure("zfssim: only zfs commands are simulated")
	} else {
		switch c.Args[0] {
		case "list", "get":
			err = s.list(&b, c.Args)
		case "snapshot":
			err = s.snapshot(c.Args[1:])
		case "destroy":
			err = s.destroy(&b, c.Args[1:])
		case "hold", "release":
			err = s.hold(c.Args[0] == "hold", c.Args[1:])
		default:
			err = failure("zfssim: unsupported command " + c.Args[0])
		}
	}
	s.mu.Unlock()
	if _, werr := io.WriteString(stdout, b.String()); werr != nil {
		return &command.ExitError{Argv: argv, Code: -1, Err: werr}
	}
	if f, ok := err.(failure); ok {
		msg := string(f) + "\n"
		if c.Stderr != nil {
			io.WriteString(c.Stderr, msg)
		}
		return &command.ExitError{Argv: argv, Code: 1, Stderr: msg}
	}
	return err
}

func (f failure) Error() string { return string(f) }

// list answers `zfs list -H -p ... -o cols` and `zfs get -H -p -o
// name,property,value,source ... props`.
func (s *Sim) list(w *strings.Builder, args []string) error {
	get := args[0] == "get"
	var cols, props []string
	types := []zfs.Type{zfs.TypeFilesystem, zfs.TypeVolume}
	recursive, depth := false, -1
	var roots []string
	var sortKeys []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch a {
		case "-H", "-p":
		case "-r":
			recursive = true
		case "-d":
			i++
			depth, _ = strconv.Atoi(args[i])
			recursive = true
		case "-t":
			i++
			types = nil
			for _, t := range strings.Split(args[i], ",") {
				switch t {
				case "filesystem":
					types = append(types, zfs.TypeFilesystem)
				case "volume":
					types = append(types, zfs.TypeVolume)
				case "snapshot":
					types = append(types, zfs.TypeSnapshot)
				case "bookmark":
					types = append(types, zfs.TypeBookmark)
				case "all":
					types = append(types, zfs.TypeFilesystem, zfs.TypeVolume, zfs.TypeSnapshot, zfs.TypeBookmark)
				}
			}
		case "-o":
			i++
			cols = strings.Split(args[i], ",")
		case "-s", "-S":
			i++
			sortKeys = append(sortKeys, args[i])
		default:
			if strings.HasPrefix(a, "-") {
				return failure("invalid option '" + a + "'")
			}
			if get && props == nil {
				props = strings.Split(a, ",")
				continue
			}
			roots = append(roots, a)
		}
	}
	if len(sortKeys) > 0 && !slices.Equal(sortKeys, []string{"createtxg"}) {
		return failure("zfssim: unsupported sort " + strings.Join(sortKeys, ","))
	}
	var rows []*node
	seen := map[*node]bool{}
	emit := func(n *node) {
		if slices.Contains(types, n.typ) && !seen[n] {
			seen[n] = true
			rows = append(rows, n)
		}
	}
	var walk func(n *node, level int)
	walk = func(n *node, level int) {
		emit(n)
		if !recursive || (depth >= 0 && level >= depth) {
			return
		}
		for _, sn := range s.snapsOf(n.name) {
			emit(sn)
		}
		for _, ch := range s.children(n.name) {
			walk(ch, level+1)
		}
	}
	for _, r := range roots {
		n := s.nodes[r]
		if n == nil {
			return failure("cannot open '" + r + "': dataset does not exist")
		}
		if n.typ == zfs.TypeSnapshot {
			emit(n)
			continue
		}
		walk(n, 0)
	}
	if len(sortKeys) > 0 {
		slices.SortStableFunc(rows, func(a, b *node) int { return cmp.Compare(a.txg, b.txg) })
	}
	for _, n := range rows {
		if get {
			for _, p := range props {
				v, src := s.value(n, p)
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", n.name, p, v, src)
			}
			continue
		}
		for i, c := range cols {
			if i > 0 {
				w.WriteByte('\t')
			}
			v, _ := s.value(n, c)
			w.WriteString(v)
		}
		w.WriteByte('\n')
	}
	return nil
}

// snapshot answers `zfs snapshot [-r] [-o k=v]... ds@name...`, atomically.
func (s *Sim) snapshot(args []string) error {
	recursive := false
	props := map[string]string{}
	var targets []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "-r":
			recursive = true
		case "-o":
			i++
			k, v, _ := strings.Cut(args[i], "=")
			props[k] = v
		default:
			targets = append(targets, a)
		}
	}
	type pending struct {
		d    *node
		name string
	}
	var todo []pending
	fsSeen := map[string]bool{}
	var add func(d *node, short string) error
	add = func(d *node, short string) error {
		name := d.name + "@" + short
		if s.nodes[name] != nil {
			return failure("cannot create snapshot '" + name + "': dataset already exists")
		}
		if fsSeen[d.name] {
			return failure("cannot create snapshots : multiple snapshots of same fs not allowed")
		}
		fsSeen[d.name] = true
		todo = append(todo, pending{d, name})
		if recursive {
			for _, ch := range s.children(d.name) {
				if err := add(ch, short); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, t := range targets {
		ds, short, ok := strings.Cut(t, "@")
		d := s.nodes[ds]
		if !ok || d == nil || d.typ == zfs.TypeSnapshot {
			return failure("cannot open '" + ds + "': dataset does not exist")
		}
		if err := add(d, short); err != nil {
			return err
		}
	}
	s.txg++
	at := s.now()
	for _, p := range todo {
		s.snap(p.d, p.name, at, props)
	}
	return nil
}

// destroy answers `zfs destroy [-n] [-v] [-p] [-r] [-d] ds@a,b,c` for
// snapshots, atomically.
func (s *Sim) destroy(w *strings.Builder, args []string) error {
	dry, verbose, recursive, deferred := false, false, false, false
	var target string
	for _, a := range args {
		switch a {
		case "-n":
			dry = true
		case "-v":
			verbose = true
		case "-p":
		case "-r":
			recursive = true
		case "-d":
			deferred = true
		default:
			if strings.HasPrefix(a, "-") {
				return failure("invalid option '" + a + "'")
			}
			target = a
		}
	}
	ds, list, ok := strings.Cut(target, "@")
	if !ok || strings.Contains(list, "%") {
		return failure("zfssim: only snapshot lists can be destroyed")
	}
	if s.nodes[ds] == nil {
		return failure("could not find any snapshots to destroy; check snapshot names.")
	}
	var doomed []*node
	var refused []string
	var visit func(d string)
	visit = func(d string) {
		for _, short := range strings.Split(list, ",") {
			n := s.nodes[d+"@"+short]
			if n == nil || slices.Contains(doomed, n) {
				continue
			}
			if len(n.holds) > 0 && !deferred && !dry {
				refused = append(refused, fmt.Sprintf("cannot destroy snapshot %s: it's being held. Run 'zfs holds -r %s' to see holders.", n.name, n.name))
				continue
			}
			doomed = append(doomed, n)
		}
		if recursive {
			for _, ch := range s.children(d) {
				visit(ch.name)
			}
		}
	}
	visit(ds)
	if len(refused) > 0 {
		return failure(strings.Join(refused, "\n"))
	}
	if len(doomed) == 0 {
		return failure("could not find any snapshots to destroy; check snapshot names.")
	}
	var reclaim uint64
	for _, n := range doomed {
		if verbose {
			fmt.Fprintf(w, "destroy\t%s\n", n.name)
		}
		reclaim += n.written
	}
	if verbose {
		fmt.Fprintf(w, "reclaim\t%d\n", reclaim)
	}
	if dry {
		return nil
	}
	for _, n := range doomed {
		if len(n.holds) > 0 {
			continue // deferred: marked only
		}
		delete(s.nodes, n.name)
	}
	return nil
}

// hold answers `zfs hold tag snap...` and `zfs release tag snap...`.
func (s *Sim) hold(hold bool, args []string) error {
	if len(args) < 2 {
		return failure("missing arguments")
	}
	tag := args[0]
	for _, name := range args[1:] {
		n := s.nodes[name]
		if n == nil || n.typ != zfs.TypeSnapshot {
			return failure("cannot hold snapshot '" + name + "': dataset does not exist")
		}
		if hold {
			if n.holds == nil {
				n.holds = map[string]bool{}
			}
			n.holds[tag] = true
		} else {
			delete(n.holds, tag)
		}
	}
	return nil
}
