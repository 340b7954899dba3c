package zfs

import (
	"context"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// ListOptions select what a listing returns. The zero value lists every
// filesystem and volume of every imported pool, with their identity only.
//
// Every listing is one zfs command, whatever the number of datasets and
// properties: `zfs list -j -p` on OpenZFS 2.3 and later (values, sources and
// free-text user property values exact), `zfs get -H -p -o
// name,property,value,source` before that (or with WithTextOutput) when
// properties are asked for, and `zfs list -H -p` for identity-only, sorted or
// NoSources text listings.
//
// On the text path a user property value holding a tab or newline is
// ambiguous. Rows from `zfs get` are recovered as long as the value does not
// itself end in something that looks like a source column; rows from `zfs
// list` are recovered when exactly one user property is listed, and otherwise
// end the listing with an error. The JSON path has no such limitation.
type ListOptions struct {
	// Roots are the datasets to list (with Recursive or Depth, together with
	// their descendants). Empty means every pool.
	Roots []string
	// Recursive (-r) lists the descendants of the roots too.
	Recursive bool
	// Depth, if positive, lists descendants at most Depth levels below each
	// root (-d). Snapshots and bookmarks are one level below their dataset.
	Depth int
	// Types selects the types to list (-t). The default is filesystems and
	// volumes when listing recursively or everything, and every type when
	// listing only named roots.
	Types []Type
	// Properties are the properties to read for each dataset, in order: any
	// native property, user properties ("com.example:prop"), written@snap and
	// the like, or "all" (every property, read with `zfs get`). Identity
	// (name, type, guid, createtxg, creation) is always read.
	Properties []string
	// NoSources says the caller does not need property sources. On the
	// text path (before OpenZFS 2.3) the listing then comes from `zfs list
	// -H -p`, one line per dataset, instead of `zfs get`, one line per
	// property: several times less output for zfs to print and for the
	// parser to read, which counts for big snapshot listings. Sources are
	// then SourceUnknown. The JSON path reports sources either way. It
	// cannot be combined with "all".
	NoSources bool
	// Sort orders the listing by these properties (-s, -S); zfs sorts
	// numerically where the property is numeric. Without Sort, zfs lists
	// datasets by name, each dataset's snapshots by creation. On the text path,
	// a sorted listing comes from `zfs list`, which reports no sources
	// (Source.Kind is SourceUnknown). Sort cannot be combined with "all".
	Sort []SortKey
	// ExtraArgs are more arguments for `zfs list` or `zfs get`, whichever
	// the listing runs, for flags this package does not model; see
	// [ExtraArgs]. A flag that changes the output's columns or format breaks
	// the listing.
	ExtraArgs ExtraArgs
}

// SortKey is one sort criterion of a listing.
type SortKey struct {
	// Property is the property to sort by, e.g. "createtxg" or "used".
	Property string
	// Descending sorts from largest to smallest (-S instead of -s).
	Descending bool
}

// listPlan is a listing turned into one command and the parser for its
// output.
type listPlan struct {
	args  []string
	name  string // dataset named in errors
	shape *shape
	json  bool
	get   bool
}

func (p *listPlan) parser(r io.Reader) rowParser {
	switch {
	case p.json:
		return newJSONListParser(p.shape, r)
	case p.get:
		return newTextGetParser(p.shape, r)
	}
	return newTextListParser(p.shape, r)
}

// rowParser yields the datasets of a listing; io.EOF ends it.
type rowParser interface {
	next() (*Dataset, error)
}

func typeList(ts []Type) (string, error) {
	var b []string
	for _, t := range ts {
		if t < TypeFilesystem || t > TypeBookmark {
			return "", errs.InvalidArgumentf("list", "", "invalid dataset type %d", t)
		}
		if !slices.Contains(b, t.String()) {
			b = append(b, t.String())
		}
	}
	return strings.Join(b, ","), nil
}

func (c *Client) planList(ctx context.Context, o ListOptions) (*listPlan, error) {
	const op = "list"
	p := &listPlan{}
	for _, r := range o.Roots {
		if err := names.Any(r); err != nil {
			return nil, errs.WithOp(err, op)
		}
	}
	if len(o.Roots) > 0 {
		p.name = o.Roots[0]
	}
	if o.Depth < 0 {
		return nil, errs.InvalidArgumentf(op, p.name, "negative depth %d", o.Depth)
	}
	if err := checkExtra(op, p.name, o.ExtraArgs); err != nil {
		return nil, err
	}
	for _, prop := range o.Properties {
		if err := checkPropName(prop); err != nil {
			return nil, errs.WithOp(err, op)
		}
	}
	for _, k := range o.Sort {
		if err := checkPropName(k.Property); err != nil {
			return nil, errs.WithOp(err, op)
		}
	}
	types := o.Types
	if len(types) == 0 {
		if len(o.Roots) > 0 && !o.Recursive && o.Depth == 0 {
			types = []Type{TypeFilesystem, TypeVolume, TypeSnapshot, TypeBookmark}
		} else {
			types = []Type{TypeFilesystem, TypeVolume}
		}
	}
	tl, err := typeList(types)
	if err != nil {
		return nil, err
	}
	json, err := c.json(ctx)
	if err != nil {
		return nil, errs.WithOp(err, op)
	}
	p.json = json
	p.shape = newShape(c, op, o.Properties)
	if p.shape.all && len(o.Sort) > 0 {
		return nil, errs.InvalidArgumentf(op, p.name, "cannot sort a listing of all properties")
	}
	if p.shape.all && o.NoSources {
		return nil, errs.InvalidArgumentf(op, p.name, "a listing of all properties reads them with their sources")
	}
	p.get = p.shape.all || (!json && len(p.shape.props) > 0 && len(o.Sort) == 0 && !o.NoSources)
	if p.get {
		p.args = []string{"get"}
		p.shape.op = "get"
	} else {
		p.args = []string{"list"}
	}
	// -p, not --json-int: OpenZFS 2.3 prints integers above 2^63-1 (half of
	// all GUIDs) as 9223372036854775807 with --json-int, while -p gives every
	// value exactly, as a string.
	if json {
		p.args = append(p.args, "-j", "-p")
	} else {
		p.args = append(p.args, "-H", "-p")
	}
	if p.get && !json {
		p.args = append(p.args, "-o", "name,property,value,source")
	}
	if o.Recursive && o.Depth == 0 {
		p.args = append(p.args, "-r")
	}
	if o.Depth > 0 {
		p.args = append(p.args, "-d", strconv.Itoa(o.Depth))
	}
	p.args = append(p.args, "-t", tl)
	if p.get {
		p.args = append(p.args, o.ExtraArgs...) // before the property list, an operand
		if p.shape.all {
			p.args = append(p.args, "all")
		} else {
			p.args = append(p.args, strings.Join(append(slices.Clone(identityProps), nonIdentity(p.shape.props)...), ","))
		}
	} else {
		p.args = append(p.args, "-o", strings.Join(p.shape.listColumns(), ","))
		for _, k := range o.Sort {
			if k.Descending {
				p.args = append(p.args, "-S", k.Property)
			} else {
				p.args = append(p.args, "-s", k.Property)
			}
		}
	}
	if !p.get {
		p.args = append(p.args, o.ExtraArgs...)
	}
	p.args = append(p.args, o.Roots...)
	return p, nil
}

func nonIdentity(props []string) []string {
	var out []string
	for _, p := range props {
		if !isIdentity(p) {
			out = append(out, p)
		}
	}
	return out
}

// errStopped ends a listing's output pipe when the caller stops early.
var errStopped = errors.New("zfs: listing stopped")

// Datasets runs one listing and returns an iterator over its datasets, parsed
// as zfs prints them: memory use does not grow with the size of the listing
// unless the caller keeps the Datasets. The command starts when iteration
// starts. Breaking out of the loop stops the command and waits for it to
// exit. An error (the command's failure, a malformed row, an invalid option)
// is yielded last, with a nil Dataset; datasets zfs listed before failing are
// yielded first.
func (c *Client) Datasets(ctx context.Context, opts ListOptions) iter.Seq2[*Dataset, error] {
	return func(yield func(*Dataset, error) bool) {
		plan, err := c.planList(ctx, opts)
		if err != nil {
			yield(nil, err)
			return
		}
		c.stream(ctx, plan, yield)
	}
}

// stream runs plan's command with its output going through a pipe into the
// parser, yielding datasets as they are parsed.
func (c *Client) stream(ctx context.Context, plan *listPlan, yield func(*Dataset, error) bool) {
	streamRows(ctx, c, plan.args[0], plan.name, plan.args, func(r io.Reader) func() (*Dataset, error) {
		return plan.parser(r).next
	}, yield)
}

// streamRows runs `zfs args...` with its standard output going through an
// io.Pipe into the parser made by newParser, and yields what the parser
// returns until io.EOF. The parser runs on the caller's goroutine, so rows
// reach the caller as zfs prints them and memory stays flat: the pipe holds
// no more than one write of the command's output, and the parser's reader
// one buffer. The command's failure reaches the parser as the pipe's read
// error, after all the output written before it.
//
// When yield returns false, or parsing fails, the pipe is closed (the
// command's next write fails) and the command cancelled and waited for
// before streamRows returns. The command's own failure is yielded last (with
// the zero T).
func streamRows[T any](ctx context.Context, c *Client, op, name string, args []string, newParser func(io.Reader) func() (T, error), yield func(T, error) bool) {
	var zero T
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	next := newParser(pr)
	done := make(chan error, 1)
	go func() {
		err := c.runCmd(ctx, op, name, &command.Cmd{Name: "zfs", Args: args, Stdout: pw})
		pw.CloseWithError(err)
		done <- err
	}()
	stop := func() error {
		cancel()
		pr.CloseWithError(errStopped)
		return <-done
	}
	for {
		v, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			runErr := stop()
			if runErr != nil && errors.Is(err, runErr) {
				err = runErr // the command failed: report that
			}
			yield(zero, err)
			return
		}
		if !yield(v, nil) {
			stop()
			return
		}
	}
	// Drain anything after the end of the parsed output, so the command can
	// finish writing, then report its status.
	_, _ = io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		yield(zero, err)
	}
}

// List runs one listing and returns all its datasets; see Datasets and
// ListOptions.
func (c *Client) List(ctx context.Context, opts ListOptions) ([]*Dataset, error) {
	var out []*Dataset
	for d, err := range c.Datasets(ctx, opts) {
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Dataset reads one filesystem, volume, snapshot or bookmark with the named
// properties (in one command). It fails with an error of Kind NotExist if
// there is no such dataset.
func (c *Client) Dataset(ctx context.Context, name string, props ...string) (*Dataset, error) {
	if err := names.Any(name); err != nil {
		return nil, errs.WithOp(err, "list")
	}
	ds, err := c.List(ctx, ListOptions{Roots: []string{name}, Properties: props})
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.name == name {
			return d, nil
		}
	}
	return nil, errs.Newf(errors.NotExist, "list", name, "not listed")
}

// snapshotsOf lists the snapshots of one dataset in creation order.
func (c *Client) snapshotsOf(ctx context.Context, name string) ([]*Snapshot, error) {
	var out []*Snapshot
	for d, err := range c.Datasets(ctx, ListOptions{Roots: []string{name}, Depth: 1, Types: []Type{TypeSnapshot}, Sort: []SortKey{{Property: "createtxg"}}}) {
		if err != nil {
			return out, err
		}
		out = append(out, newSnapshot(d.dataset))
	}
	return out, nil
}

// bookmarksOf lists the bookmarks of one dataset in creation order.
func (c *Client) bookmarksOf(ctx context.Context, name string) ([]*Bookmark, error) {
	var out []*Bookmark
	for d, err := range c.Datasets(ctx, ListOptions{Roots: []string{name}, Depth: 1, Types: []Type{TypeBookmark}, Sort: []SortKey{{Property: "createtxg"}}}) {
		if err != nil {
			return out, err
		}
		out = append(out, newBookmark(d.dataset))
	}
	return out, nil
}

// Snapshots lists the filesystem's snapshots, oldest (lowest createtxg)
// first, with one command.
func (f *Filesystem) Snapshots(ctx context.Context) ([]*Snapshot, error) {
	return f.c.snapshotsOf(ctx, f.name)
}

// Bookmarks lists the filesystem's bookmarks, oldest first, with one
// command.
func (f *Filesystem) Bookmarks(ctx context.Context) ([]*Bookmark, error) {
	return f.c.bookmarksOf(ctx, f.name)
}

// Snapshots lists the volume's snapshots, oldest (lowest createtxg) first,
// with one command.
func (v *Volume) Snapshots(ctx context.Context) ([]*Snapshot, error) {
	return v.c.snapshotsOf(ctx, v.name)
}

// Bookmarks lists the volume's bookmarks, oldest first, with one command.
func (v *Volume) Bookmarks(ctx context.Context) ([]*Bookmark, error) {
	return v.c.bookmarksOf(ctx, v.name)
}
