package replication_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/replication"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/gozfs/gozfs/stream/transport"
	"github.com/gozfs/gozfs/zfs"
)

var ctx = context.Background()

// identity scripts the listing a snapshot handle reads.
func identity(f *commandtest.Fake, name string, guid uint64) {
	typ := "snapshot"
	if !strings.Contains(name, "@") {
		typ = "filesystem"
	}
	f.Expect("zfs", "list", "-H", "-p", "-t", "all", "-o", "name,type,guid,createtxg,creation", name).
		Stdout(fmt.Sprintf("%s\t%s\t%d\t500\t1700000000\n", name, typ, guid))
}

// cursor scripts the creation of the cursor bookmark of snapshot name.
func cursor(f *commandtest.Fake, name string, guid uint64) string {
	identity(f, name, guid)
	ds := name[:strings.IndexByte(name, '@')]
	bm := ds + "#" + replication.CursorName("", guid)
	f.Expect("zfs", "bookmark", name, bm)
	return bm
}

// streamOf is what the fake zfs send writes for a snapshot.
func streamOf(snap string) string { return "stream of " + snap + "\n" }

// sendOf scripts a zfs send that writes streamOf(last).
func sendOf(f *commandtest.Fake, last string, args ...string) *commandtest.Expectation {
	return f.Expect(append([]string{"zfs", "send"}, args...)...).Do(func(ctx context.Context, c *command.Cmd) error {
		_, err := io.WriteString(c.Stdout, streamOf(last))
		return err
	})
}

// receiver scripts a zfs receive that reads its stream and reports the
// given snapshots received, or, with fail, fails as zfs does.
func receiver(f *commandtest.Fake, got *bytes.Buffer, target string, snaps []string, fail string, args ...string) *commandtest.Expectation {
	argv := append([]string{"zfs", "receive"}, args...)
	argv = append(argv, target)
	return f.Expect(argv...).Do(func(ctx context.Context, c *command.Cmd) error {
		b, err := io.ReadAll(c.Stdin)
		if err != nil {
			return err
		}
		got.Write(b)
		for _, s := range snaps {
			fmt.Fprintf(c.Stdout, "receiving incremental stream of %s into %s\n", "tank/x@"+s, target+"@"+s)
		}
		if fail != "" {
			return &command.ExitError{Argv: c.Argv(), Code: 1, Stderr: fail}
		}
		return nil
	})
}

func TestRunUpdate(t *testing.T) {
	src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1, 2, 3).fake("tank/a", false)
	dst, df := newSide(t, true).fs("backup/a").snaps("backup/a", 1).fake("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})

	base := cursor(sf, "tank/a@s1", 1)
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1", "tank/a@s3")
	sendOf(sf, "tank/a@s3", "-I", "tank/a@s1", "tank/a@s3")
	var got bytes.Buffer
	receiver(df, &got, "backup/a", []string{"s2", "s3"}, "", "-s", "-u", "-v", "-o", "canmount=off", "-x", "mountpoint")
	bm := cursor(sf, "tank/a@s3", 3)
	sf.Expect("zfs", "destroy", base)
	sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s1", "tank/a@s3")

	res, err := replication.Run(ctx, p, replication.RunOptions{
		Receive: recv.Options{NoMount: true, SetProperties: map[string]string{"canmount": "off"}, ExcludeProperties: []string{"mountpoint"}},
	})
	require.NoError(t, err)
	require.Len(t, res.Datasets, 1)
	d := res.Datasets[0]
	assert.Equal(t, []string{"backup/a@s2", "backup/a@s3"}, d.Sent)
	assert.Equal(t, bm, d.Cursor)
	assert.Equal(t, 1, d.Steps)
	assert.Empty(t, d.Warnings)
	assert.Equal(t, streamOf("tank/a@s3"), got.String())
	assert.Contains(t, res.String(), "received 2 snapshots in 1 step (@s2, @s3)")
}

// interrupted is what zfs receive -s prints when its stream breaks.
func interrupted(tok string) string {
	return "cannot receive incremental stream: checksum mismatch or incomplete stream.\n" +
		"Partially received snapshot is saved.\n" +
		"A resuming stream can be generated on the sending system by running:\n" +
		"    zfs send -t " + tok + "\n"
}

func TestRunResumesInterruptedRun(t *testing.T) {
	// A cursor of @s1 exists already; the -I run breaks inside @s3, which
	// is resumed, then the rest of the run (@s3..@s5) is sent.
	c1 := "tank/a#" + replication.CursorName("", 1)
	src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1).bm(c1, 1).snaps("tank/a", 2, 3, 4, 5).fake("tank/a", false)
	dst, df := newSide(t, true).fs("backup/a").snaps("backup/a", 1).fake("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})
	require.Equal(t, "@s1..@s5(4)", steps(p.Datasets[0]))

	tok := token(t, "tank/a@s3", 3, 2)
	var got bytes.Buffer
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1", "tank/a@s5")
	sendOf(sf, "tank/a@s5", "-I", "tank/a@s1", "tank/a@s5")
	receiver(df, &got, "backup/a", []string{"s2", "s3"}, interrupted(tok), "-s", "-v")
	sendOf(sf, "tank/a@s3", "-t", tok)
	receiver(df, &got, "backup/a", []string{"s3"}, "", "-s", "-v")
	sendOf(sf, "tank/a@s5", "-I", "tank/a@s3", "tank/a@s5")
	receiver(df, &got, "backup/a", []string{"s4", "s5"}, "", "-s", "-v")
	bm := cursor(sf, "tank/a@s5", 5)
	sf.Expect("zfs", "destroy", c1)
	sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s1", "tank/a@s5")

	res, err := replication.Run(ctx, p, replication.RunOptions{})
	require.NoError(t, err)
	d := res.Datasets[0]
	assert.Equal(t, []string{"backup/a@s2", "backup/a@s3", "backup/a@s4", "backup/a@s5"}, d.Sent)
	assert.Equal(t, []string{"tank/a@s3"}, d.Resumed)
	assert.Equal(t, bm, d.Cursor)
}

func TestRunResumeGivesUp(t *testing.T) {
	src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1).bm("tank/a#"+replication.CursorName("", 1), 1).snaps("tank/a", 2).fake("tank/a", false)
	dst, df := newSide(t, true).fs("backup/a").snaps("backup/a", 1).fake("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})
	tok := token(t, "tank/a@s2", 2, 1)
	var got bytes.Buffer
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1", "tank/a@s2")
	sendOf(sf, "tank/a@s2", "-i", "tank/a@s1", "tank/a@s2")
	receiver(df, &got, "backup/a", nil, interrupted(tok), "-s", "-v")
	sendOf(sf, "tank/a@s2", "-t", tok)
	receiver(df, &got, "backup/a", nil, interrupted(tok), "-s", "-v")

	res, err := replication.Run(ctx, p, replication.RunOptions{Retries: 1})
	require.Error(t, err)
	assert.ErrorIs(t, err, errors.ErrInterrupted)
	var re *errors.ResumableError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, tok, re.Token)
	assert.Empty(t, res.Datasets[0].Sent)
	// The hold stays, so the next run can resume: no release was scripted.
}

func TestRunPlannedResume(t *testing.T) {
	// The target holds the partial receive of @s2 from an earlier run; the
	// hold of that run is still on @s2 (userrefs 1).
	c1 := "tank/a#" + replication.CursorName("", 1)
	tok := token(t, "tank/a@s2", 2, 1)
	src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1).bm(c1, 1).snap("tank/a@s2", 2, "1").snaps("tank/a", 3).fake("tank/a", false)
	dst, df := newSide(t, true).fs("backup/a", tok).snaps("backup/a", 1).fake("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})
	require.Equal(t, "resume @s2 @s2→@s3", steps(p.Datasets[0]))
	var got bytes.Buffer
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s2").Stderr("cannot hold snapshot 'tank/a@s2': tag already exists on this dataset\n").Exit(1)
	sendOf(sf, "tank/a@s2", "-t", tok)
	receiver(df, &got, "backup/a", []string{"s2"}, "", "-s", "-v")
	c2 := cursor(sf, "tank/a@s2", 2)
	sf.Expect("zfs", "destroy", c1)
	// @s2 stays held until the step from it has landed.
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s3")
	sendOf(sf, "tank/a@s3", "-i", "tank/a@s2", "tank/a@s3")
	receiver(df, &got, "backup/a", []string{"s3"}, "", "-s", "-v")
	cursor(sf, "tank/a@s3", 3)
	sf.Expect("zfs", "destroy", c2)
	sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s2", "tank/a@s3")

	res, err := replication.Run(ctx, p, replication.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, []string{"tank/a@s2"}, res.Datasets[0].Resumed)
	assert.Equal(t, 2, res.Datasets[0].Steps)
}

func TestRunConflicts(t *testing.T) {
	diverged := func(t *testing.T) (*replication.Plan, *commandtest.Fake, *commandtest.Fake) {
		c2 := "tank/a#" + replication.CursorName("", 2)
		src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1, 2).bm(c2, 2).snaps("tank/a", 3).fake("tank/a", false)
		dst, df := newSide(t, true).fs("backup/a").snaps("backup/a", 1, 2).snap("backup/a@local", 77).fake("backup/a", false)
		return plan(t, src, dst, replication.PlanOptions{}), sf, df
	}
	t.Run("left alone", func(t *testing.T) {
		p, _, _ := diverged(t)
		res, err := replication.Run(ctx, p, replication.RunOptions{})
		require.Error(t, err)
		assert.ErrorIs(t, err, errors.ErrDiverged)
		var c *replication.Conflict
		require.ErrorAs(t, err, &c)
		assert.Equal(t, []string{"backup/a@local"}, c.Snapshots)
		assert.Contains(t, res.Datasets[0].Skipped, "conflict")
		assert.Zero(t, res.Datasets[0].Steps)
		// The fakes fail the test on any command beyond the listings.
	})
	t.Run("forced", func(t *testing.T) {
		p, sf, df := diverged(t)
		identity(df, "backup/a@s2", 2)
		df.Expect("zfs", "rollback", "-r", "backup/a@s2")
		var got bytes.Buffer
		sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s2", "tank/a@s3")
		sendOf(sf, "tank/a@s3", "-i", "tank/a@s2", "tank/a@s3")
		receiver(df, &got, "backup/a", []string{"s3"}, "", "-s", "-v")
		cursor(sf, "tank/a@s3", 3)
		sf.Expect("zfs", "destroy", "tank/a#"+replication.CursorName("", 2))
		sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s2", "tank/a@s3")
		res, err := replication.Run(ctx, p, replication.RunOptions{Force: true})
		require.NoError(t, err)
		d := res.Datasets[0]
		assert.Equal(t, "backup/a@s2", d.RolledBack)
		assert.Equal(t, []string{"backup/a@local"}, d.Destroyed)
		assert.Equal(t, []string{"rolled back to backup/a@s2, destroying backup/a@local"}, d.Forced)
		assert.Contains(t, res.String(), "forced: rolled back")
	})
	t.Run("not forcible", func(t *testing.T) {
		src := newSide(t, false).fs("tank/a").snaps("tank/a", 8).client("tank/a", false)
		dst := newSide(t, true).fs("backup/a").snaps("backup/a", 1).client("backup/a", false)
		p := plan(t, src, dst, replication.PlanOptions{})
		_, err := replication.Run(ctx, p, replication.RunOptions{Force: true})
		assert.ErrorIs(t, err, errors.ErrNoCommonBase)
	})
	t.Run("stale partial state forced", func(t *testing.T) {
		tok := token(t, "tank/a@gone", 99, 1)
		src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1).bm("tank/a#"+replication.CursorName("", 1), 1).snaps("tank/a", 2).fake("tank/a", false)
		dst, df := newSide(t, true).fs("backup/a", tok).snaps("backup/a", 1).fake("backup/a", false)
		p := plan(t, src, dst, replication.PlanOptions{})
		df.Expect("zfs", "receive", "-A", "backup/a")
		var got bytes.Buffer
		sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1", "tank/a@s2")
		sendOf(sf, "tank/a@s2", "-i", "tank/a@s1", "tank/a@s2")
		receiver(df, &got, "backup/a", []string{"s2"}, "", "-s", "-v")
		cursor(sf, "tank/a@s2", 2)
		sf.Expect("zfs", "destroy", "tank/a#"+replication.CursorName("", 1))
		sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s1", "tank/a@s2")
		res, err := replication.Run(ctx, p, replication.RunOptions{Force: true})
		require.NoError(t, err)
		assert.Equal(t, []string{"discarded the partial receive"}, res.Datasets[0].Forced)
	})
}

func TestRunNewTree(t *testing.T) {
	// tank/a has no snapshot: a placeholder is made for tank/a/b, whose
	// first snapshot goes as a full stream, the rest as a run.
	src, sf := newSide(t, false).fs("tank/a").fs("tank/a/b").snaps("tank/a/b", 1, 2).fake("tank/a", true)
	dst, df := missingFake(t, "backup/a", true)
	p := plan(t, src, dst, replication.PlanOptions{Recursive: true})
	require.True(t, p.Datasets[0].Placeholder, "%v", p)

	df.Expect("zfs", "create", "-u", "-o", "canmount=off", "-o", "gozfs:placeholder=on", "backup/a")
	identity(df, "backup/a", 40)
	var got bytes.Buffer
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a/b@s1")
	sendOf(sf, "tank/a/b@s1", "tank/a/b@s1")
	receiver(df, &got, "backup/a/b", []string{"s1"}, "", "-s", "-v")
	cursor(sf, "tank/a/b@s1", 1)
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a/b@s2")
	sendOf(sf, "tank/a/b@s2", "-i", "tank/a/b@s1", "tank/a/b@s2")
	receiver(df, &got, "backup/a/b", []string{"s2"}, "", "-s", "-v")
	cursor(sf, "tank/a/b@s2", 2)
	sf.Expect("zfs", "destroy", "tank/a/b#"+replication.CursorName("", 1))
	sf.Expect("zfs", "release", "gozfs-replication", "tank/a/b@s1", "tank/a/b@s2")

	res, err := replication.Run(ctx, p, replication.RunOptions{Parallel: 4})
	require.NoError(t, err)
	assert.True(t, res.Datasets[0].Placeholder)
	assert.Equal(t, []string{"backup/a/b@s1", "backup/a/b@s2"}, res.Datasets[1].Sent)
}

func TestRunParentFailureSkipsChildren(t *testing.T) {
	src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1).fs("tank/a/b").snaps("tank/a/b", 1).fake("tank/a", true)
	dst, df := missingFake(t, "backup/a", true)
	p := plan(t, src, dst, replication.PlanOptions{Recursive: true})
	var got bytes.Buffer
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1")
	sendOf(sf, "tank/a@s1", "tank/a@s1")
	receiver(df, &got, "backup/a", nil, "cannot receive new filesystem stream: out of space\n", "-s", "-v")
	df.Expect("zfs", "get", "-H", "-p", "-o", "value", "receive_resume_token", "backup/a").Stdout("-\n")
	res, err := replication.Run(ctx, p, replication.RunOptions{})
	require.Error(t, err)
	assert.ErrorIs(t, err, errors.ErrNoSpace)
	assert.Contains(t, res.Datasets[1].Skipped, "parent dataset backup/a was not created")
	assert.ErrorIs(t, res.Datasets[1].Err, errors.ErrNoSpace)
}

func TestRunStaleHoldsAndCursors(t *testing.T) {
	// Up to date, but an interrupted run left a second cursor and a hold.
	c1, c2 := "tank/a#"+replication.CursorName("", 1), "tank/a#"+replication.CursorName("", 2)
	src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1).bm(c1, 1).snap("tank/a@s2", 2, "2").bm(c2, 2).fake("tank/a", false)
	dst := newSide(t, true).fs("backup/a").snaps("backup/a", 1, 2).client("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})
	require.Equal(t, replication.UpToDate, p.Datasets[0].Action)
	sf.Expect("zfs", "destroy", c1)
	sf.Expect("zfs", "holds", "-H", "-p", "tank/a@s2").Stdout("tank/a@s2\tgozfs-replication\t1700000000\ntank/a@s2\tkeep\t1700000000\n")
	sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s2")
	res, err := replication.Run(ctx, p, replication.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, c2, res.Datasets[0].Cursor)
	assert.Empty(t, res.Datasets[0].Warnings)
}

func TestRunProgress(t *testing.T) {
	c1 := "tank/a#" + replication.CursorName("", 1)
	src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1).bm(c1, 1).snaps("tank/a", 2).fake("tank/a", false)
	dst, df := newSide(t, true).fs("backup/a").snaps("backup/a", 1).fake("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})
	size := len(streamOf("tank/a@s2"))
	sf.Expect("zfs", "send", "-n", "-v", "-P", "-i", "tank/a@s1", "tank/a@s2").
		Stdout(fmt.Sprintf("incremental\ttank/a@s1\ttank/a@s2\t%d\nsize\t%d\n", size, size))
	var got bytes.Buffer
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1", "tank/a@s2")
	sendOf(sf, "tank/a@s2", "-i", "tank/a@s1", "tank/a@s2")
	receiver(df, &got, "backup/a", []string{"s2"}, "", "-s", "-v")
	cursor(sf, "tank/a@s2", 2)
	sf.Expect("zfs", "destroy", c1)
	sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s1", "tank/a@s2")
	var mu sync.Mutex
	var last replication.Progress
	res, err := replication.Run(ctx, p, replication.RunOptions{Progress: func(pr replication.Progress) {
		mu.Lock()
		defer mu.Unlock()
		last = pr
	}})
	require.NoError(t, err)
	assert.Equal(t, int64(size), res.Bytes)
	assert.Equal(t, int64(size), p.Datasets[0].Steps[0].Size)
	assert.True(t, last.Current.Done)
	assert.Equal(t, int64(size), last.Current.Bytes)
	assert.Equal(t, int64(size), last.Overall.Bytes)
	assert.Equal(t, int64(size), last.Overall.Total)
	assert.Equal(t, "backup/a", last.Target)
}

func TestRunOptionsInvalid(t *testing.T) {
	src := newSide(t, false).fs("tank/a").snaps("tank/a", 1).client("tank/a", false)
	dst := newSide(t, true).fs("backup/a").snaps("backup/a", 1).client("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})
	for _, o := range []replication.RunOptions{
		{Send: send.Options{From: "tank/a@s1"}},
		{Send: send.Options{Replicate: true}},
		{Receive: recv.Options{Force: true}},
		{Receive: recv.Options{Naming: recv.DiscardFirst}},
		{Parallel: -1},
	} {
		_, err := replication.Run(ctx, p, o)
		assert.ErrorIs(t, err, errors.ErrInvalidArgument)
	}
	_, err := replication.Run(ctx, nil, replication.RunOptions{})
	assert.ErrorIs(t, err, errors.ErrInvalidArgument)
}

// missingFake returns a client whose planning listing says root does not
// exist, and its fake.
func missingFake(t testing.TB, root string, recursive bool) (*zfs.Client, *commandtest.Fake) {
	f := commandtest.New(t).InOrder()
	f.Expect(listArgv(false, recursive, targetCols, root)...).
		Stderr(fmt.Sprintf("cannot open '%s': dataset does not exist\n", root)).Exit(1)
	return zfs.New(zfs.ClientOptions{Runner: f, Version: v232, TextOutput: true}), f
}

func TestRunOverTransport(t *testing.T) {
	z, err := compress.New(compress.Zstd, compress.Options{})
	require.NoError(t, err)
	c1 := "tank/a#" + replication.CursorName("", 1)
	src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1).bm(c1, 1).snaps("tank/a", 2).fake("tank/a", false)
	dst, df := newSide(t, true).fs("backup/a").snaps("backup/a", 1).fake("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})

	var reg stream.Registry
	compress.Register(&reg, compress.Options{})
	srv := &transport.Server{Handler: &replication.Receiver{Client: dst, Root: "backup", Registry: &reg,
		Options: recv.Options{NoMount: true}}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln) }()
	defer func() { cancel(); require.NoError(t, <-served) }()

	var got bytes.Buffer
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1", "tank/a@s2")
	sendOf(sf, "tank/a@s2", "-i", "tank/a@s1", "tank/a@s2")
	receiver(df, &got, "backup/a", []string{"s2"}, "", "-s", "-u", "-v")
	cursor(sf, "tank/a@s2", 2)
	sf.Expect("zfs", "destroy", c1)
	sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s1", "tank/a@s2")

	res, err := replication.Run(ctx, p, replication.RunOptions{
		Transport:  &transport.Sender{Addr: ln.Addr().String()},
		Transforms: []stream.Transform{z},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"backup/a@s2"}, res.Datasets[0].Sent)
	assert.Equal(t, streamOf("tank/a@s2"), got.String())
}

func TestReceiverRejects(t *testing.T) {
	dst := zfs.New(zfs.ClientOptions{Runner: nopRunner{}, Version: v232})
	rc := &replication.Receiver{Client: dst, Root: "backup/a"}
	for _, tc := range []struct {
		hdr  transport.Header
		kind errors.Kind
	}{
		{transport.Header{Dataset: "backup/b"}, errors.Permission},
		{transport.Header{Dataset: "backup/ab"}, errors.Permission},
		{transport.Header{Dataset: "backup/a/%recv"}, errors.InvalidName},
		{transport.Header{Dataset: "backup/a@s"}, errors.InvalidName},
		{transport.Header{Dataset: "backup/a/x", Meta: map[string]string{replication.MetaForce: "1"}}, errors.Permission},
		{transport.Header{Dataset: "backup/a/x", Transforms: []stream.Spec{{Name: "zstd"}}}, errors.InvalidArgument},
	} {
		err := rc.ServeTransfer(ctx, &transport.Transfer{Header: tc.hdr}, strings.NewReader(""))
		assert.Equal(t, tc.kind, errors.KindOf(err), "%s: %v", tc.hdr.Dataset, err)
	}
}

func TestRunResumeOverPlaceholder(t *testing.T) {
	// The first full stream over a placeholder was interrupted: zfs
	// resumes it only with -F, which a placeholder allows without Force.
	tok := token(t, "tank/a@s1", 1, 0)
	src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1, 2).fake("tank/a", false)
	dst, df := newSide(t, true).fs("backup/a", tok, "0", "on").fake("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})
	require.Equal(t, replication.Create, p.Datasets[0].Action)
	require.True(t, p.Datasets[0].OverPlaceholder)
	require.Equal(t, "resume @s1 @s1→@s2", steps(p.Datasets[0]))

	var got bytes.Buffer
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1")
	sendOf(sf, "tank/a@s1", "-t", tok)
	receiver(df, &got, "backup/a", []string{"s1"}, "", "-F", "-s", "-v")
	c1 := cursor(sf, "tank/a@s1", 1)
	identity(df, "backup/a", 40)
	df.Expect("zfs", "inherit", "-S", "gozfs:placeholder", "backup/a")
	df.Expect("zfs", "inherit", "-S", "canmount", "backup/a")
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s2")
	sendOf(sf, "tank/a@s2", "-i", "tank/a@s1", "tank/a@s2")
	receiver(df, &got, "backup/a", []string{"s2"}, "", "-s", "-v")
	cursor(sf, "tank/a@s2", 2)
	sf.Expect("zfs", "destroy", c1)
	sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s1", "tank/a@s2")

	res, err := replication.Run(ctx, p, replication.RunOptions{})
	require.NoError(t, err)
	d := res.Datasets[0]
	assert.Equal(t, []string{"tank/a@s1"}, d.Resumed)
	assert.Equal(t, []string{"backup/a@s1", "backup/a@s2"}, d.Sent)
	assert.Empty(t, d.Forced)
	assert.Empty(t, d.Warnings)
}

func TestRunResumeForcedReceive(t *testing.T) {
	// A forced run's full stream over backup/a, which existed without
	// snapshots, was interrupted. The plan cannot tell that partial state
	// from a new dataset's; zfs refuses to resume it without -F.
	const refused = "cannot receive resume stream: Resuming recv on existing destination 'backup/a'\nmust specify -F to overwrite it\n"
	tok := token(t, "tank/a@s1", 1, 0)
	setup := func(t *testing.T) (*replication.Plan, *commandtest.Fake, *commandtest.Fake, *bytes.Buffer) {
		src, sf := newSide(t, false).fs("tank/a").snaps("tank/a", 1).fake("tank/a", false)
		dst, df := newSide(t, true).fs("backup/a", tok).fake("backup/a", false)
		p := plan(t, src, dst, replication.PlanOptions{})
		require.Equal(t, replication.Create, p.Datasets[0].Action)
		var got bytes.Buffer
		sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1")
		sendOf(sf, "tank/a@s1", "-t", tok)
		receiver(df, &got, "backup/a", nil, refused, "-s", "-v")
		// The receive's failure leaves the partial state as it was.
		df.Expect("zfs", "get", "-H", "-p", "-o", "value", "receive_resume_token", "backup/a").Stdout(tok + "\n")
		return p, sf, df, &got
	}
	t.Run("without Force", func(t *testing.T) {
		p, _, _, _ := setup(t)
		res, err := replication.Run(ctx, p, replication.RunOptions{})
		require.Error(t, err)
		assert.ErrorIs(t, err, errors.ErrNoCommonBase)
		var c *replication.Conflict
		require.ErrorAs(t, err, &c)
		assert.True(t, c.Forcible)
		assert.Contains(t, res.Datasets[0].Skipped, "conflict")
		assert.Empty(t, res.Datasets[0].Sent)
	})
	t.Run("forced", func(t *testing.T) {
		p, sf, df, got := setup(t)
		sendOf(sf, "tank/a@s1", "-t", tok)
		receiver(df, got, "backup/a", []string{"s1"}, "", "-F", "-s", "-v")
		cursor(sf, "tank/a@s1", 1)
		sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s1")
		res, err := replication.Run(ctx, p, replication.RunOptions{Force: true})
		require.NoError(t, err)
		d := res.Datasets[0]
		assert.Equal(t, []string{"tank/a@s1"}, d.Resumed)
		assert.Equal(t, []string{"resumed the full stream received over the existing target"}, d.Forced)
	})
}

func TestRunHoldsKeptFromAnInterruptedRun(t *testing.T) {
	// The base @s1 is still held by an interrupted run: zfs refuses the
	// hold of both snapshots, so they are held one by one.
	c1 := "tank/a#" + replication.CursorName("", 1)
	src, sf := newSide(t, false).fs("tank/a").snap("tank/a@s1", 1, "1").bm(c1, 1).snaps("tank/a", 2).fake("tank/a", false)
	dst, df := newSide(t, true).fs("backup/a").snaps("backup/a", 1).fake("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})
	assert.Equal(t, []string{"tank/a@s1", "tank/a@s2"}, p.Protected(), "the plan sends from the base")
	const exists = "cannot hold snapshot 'tank/a@s1': tag already exists on this dataset\n"
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1", "tank/a@s2").Stderr(exists).Exit(1)
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1").Stderr(exists).Exit(1)
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s2")
	var got bytes.Buffer
	sendOf(sf, "tank/a@s2", "-i", "tank/a@s1", "tank/a@s2")
	receiver(df, &got, "backup/a", []string{"s2"}, "", "-s", "-v")
	cursor(sf, "tank/a@s2", 2)
	sf.Expect("zfs", "destroy", c1)
	sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s1", "tank/a@s2")
	res, err := replication.Run(ctx, p, replication.RunOptions{})
	require.NoError(t, err)
	assert.Empty(t, res.Datasets[0].Warnings)
}

func TestRunBasePrunedSincePlanning(t *testing.T) {
	// The plan sends @s1..@s3 (-I) from the base @s1, which retention
	// destroyed after planning: the run sends from @s1's cursor instead,
	// -i to @s2 (zfs send -I takes no bookmark), then @s2 to @s3.
	c1 := "tank/a#" + replication.CursorName("", 1)
	src, sf := newSide(t, false).fs("tank/a").snap("tank/a@s1", 1).bm(c1, 1).snaps("tank/a", 2, 3).fake("tank/a", false)
	dst, df := newSide(t, true).fs("backup/a").snaps("backup/a", 1).fake("backup/a", false)
	p := plan(t, src, dst, replication.PlanOptions{})
	require.Equal(t, "@s1..@s3(2)", steps(p.Datasets[0]))
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s1", "tank/a@s3").
		Stderr("cannot hold snapshot 'tank/a@s1': dataset does not exist\n").Exit(1)
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s2")
	var got bytes.Buffer
	sendOf(sf, "tank/a@s2", "-i", c1, "tank/a@s2")
	receiver(df, &got, "backup/a", []string{"s2"}, "", "-s", "-v")
	c2 := cursor(sf, "tank/a@s2", 2)
	sf.Expect("zfs", "destroy", c1)
	sf.Expect("zfs", "hold", "gozfs-replication", "tank/a@s3")
	sendOf(sf, "tank/a@s3", "-i", "tank/a@s2", "tank/a@s3")
	receiver(df, &got, "backup/a", []string{"s3"}, "", "-s", "-v")
	cursor(sf, "tank/a@s3", 3)
	sf.Expect("zfs", "destroy", c2)
	sf.Expect("zfs", "release", "gozfs-replication", "tank/a@s2", "tank/a@s3")
	res, err := replication.Run(ctx, p, replication.RunOptions{})
	require.NoError(t, err)
	d := res.Datasets[0]
	assert.Equal(t, []string{"backup/a@s2", "backup/a@s3"}, d.Sent)
	assert.Equal(t, 2, d.Steps)
	assert.Equal(t, []string{"the base tank/a@s1 is gone: sent from its cursor " + c1}, d.Warnings)
	assert.Equal(t, streamOf("tank/a@s2")+streamOf("tank/a@s3"), got.String())
}
