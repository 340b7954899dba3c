package send_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const token = "1-960a8dd4e-b8-789c636064000310a500c4ec50360710e72765a52697303030419460caa7a515a7968064b4e0f26c48f2499525a9c540fa828a0e56fd25f9e9a599290c0c72932ab65e9279be4303499e132c9f97989bcac05060a85f5c94ec506ccc8000001da315e4"

func TestArgs(t *testing.T) {
	tests := []struct {
		name string
		snap string
		opts send.Options
		want []string
	}{
		{"full", "tank/a@s1", send.Options{}, []string{"send", "tank/a@s1"}},
		{"incremental from snapshot", "tank/a@s2", send.Options{From: "tank/a@s1"},
			[]string{"send", "-i", "tank/a@s1", "tank/a@s2"}},
		{"incremental from bookmark", "tank/a@s2", send.Options{From: "tank/a#b1"},
			[]string{"send", "-i", "tank/a#b1", "tank/a@s2"}},
		{"short source", "tank/a@s2", send.Options{From: "#b1"},
			[]string{"send", "-i", "#b1", "tank/a@s2"}},
		{"intermediates", "tank/a@s3", send.Options{From: "tank/a@s1", Intermediates: true},
			[]string{"send", "-I", "tank/a@s1", "tank/a@s3"}},
		{"all flags", "tank/a@s1", send.Options{Replicate: true, Properties: true, Holds: true, Backup: true,
			Raw: true, Compressed: true, LargeBlocks: true, Embedded: true},
			[]string{"send", "-R", "-p", "-h", "-b", "-w", "-c", "-L", "-e", "tank/a@s1"}},
		{"resume", "", send.Options{ResumeToken: token, Compressed: true},
			[]string{"send", "-c", "-t", token}},
		{"saved", "tank/a", send.Options{Saved: true}, []string{"send", "-S", "tank/a"}},
		{"filesystem", "tank/a", send.Options{}, []string{"send", "tank/a"}},
		{"filesystem incremental", "tank/vol", send.Options{From: "@s1", Compressed: true}, []string{"send", "-c", "-i", "@s1", "tank/vol"}},
		{"incremental replication", "tank/a@s2", send.Options{Replicate: true, From: "tank/a@s1"},
			[]string{"send", "-R", "-i", "tank/a@s1", "tank/a@s2"}},
		{"extra args", "tank/a@s2", send.Options{Raw: true, From: "tank/a@s1", ExtraArgs: zfs.ExtraArgs{"-V", "--redact", "r"}},
			[]string{"send", "-w", "-i", "tank/a@s1", "-V", "--redact", "r", "tank/a@s2"}},
		{"extra args resume", "", send.Options{ResumeToken: token, ExtraArgs: zfs.ExtraArgs{"-V"}},
			[]string{"send", "-t", token, "-V"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := commandtest.New(t)
			f.Expect(append([]string{"zfs"}, tt.want...)...).Stdout("stream")
			var buf bytes.Buffer
			require.NoError(t, send.To(context.Background(), zfs.New(zfs.ClientOptions{Runner: f}), &buf, tt.snap, tt.opts))
			assert.Equal(t, "stream", buf.String())
		})
	}
}

func TestVersionGatedArgs(t *testing.T) {
	tests := []struct {
		name    string
		version zfs.Version
		opts    send.Options
		want    []string
		kind    errors.Kind
	}{
		{"exclude on 2.3", zfs.Version{Major: 2, Minor: 3}, send.Options{Replicate: true, ExcludeDatasets: []string{"tank/a/x", "tank/a/y"}},
			[]string{"send", "-R", "-X", "tank/a/x", "-X", "tank/a/y", "tank/a@s1"}, 0},
		{"exclude on 2.1", zfs.Version{Major: 2, Minor: 1}, send.Options{Replicate: true, ExcludeDatasets: []string{"tank/a/x"}},
			nil, errors.NotSupported},
		{"skip missing on 2.1", zfs.Version{Major: 2, Minor: 1}, send.Options{Replicate: true, SkipMissing: true},
			[]string{"send", "-R", "-s", "tank/a@s1"}, 0},
		{"skip missing on 2.0", zfs.Version{Major: 2, Minor: 0}, send.Options{Replicate: true, SkipMissing: true},
			nil, errors.NotSupported},
		{"dedup on 0.8", zfs.Version{Major: 0, Minor: 8}, send.Options{Dedup: true}, []string{"send", "-D", "tank/a@s1"}, 0},
		{"dedup on 2.0", zfs.Version{Major: 2, Minor: 0}, send.Options{Dedup: true}, nil, errors.NotSupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := commandtest.New(t)
			if tt.want != nil {
				f.Expect(append([]string{"zfs"}, tt.want...)...)
			}
			c := zfs.New(zfs.ClientOptions{Runner: f, Version: tt.version})
			err := send.To(context.Background(), c, &bytes.Buffer{}, "tank/a@s1", tt.opts)
			if tt.want != nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.kind.Err(), "err = %v, want kind %v", err, tt.kind)
			if tt.kind == errors.NotSupported {
				assert.ErrorIs(t, err, errors.ErrUnsupported, "does not match errors.ErrUnsupported")
			}
		})
	}
}

func TestVersionProbedOnlyWhenNeeded(t *testing.T) {
	f := commandtest.New(t).InOrder()
	f.Expect("zfs", "version").Stdout("zfs-2.3.2-1\nzfs-kmod-2.3.2-1\n")
	f.Expect("zfs", "send", "-R", "-X", "tank/a/b", "tank/a@s")
	f.Expect("zfs", "send", "tank/a@s")
	c := zfs.New(zfs.ClientOptions{Runner: f})
	ctx := context.Background()
	require.NoError(t, send.To(ctx, c, &bytes.Buffer{}, "tank/a@s", send.Options{Replicate: true, ExcludeDatasets: []string{"tank/a/b"}}))
	require.NoError(t, send.To(ctx, c, &bytes.Buffer{}, "tank/a@s", send.Options{}))
}

func TestInvalid(t *testing.T) {
	snap := "tank/a@s2"
	tests := []struct {
		name string
		snap string
		opts send.Options
		kind errors.Kind
		msg  string
	}{
		{"no snapshot", "", send.Options{}, errors.InvalidArgument, "no snapshot"},
		{"filesystem replicated", "tank/a", send.Options{Replicate: true}, errors.InvalidArgument, "replication stream (-R) needs a snapshot"},
		{"filesystem with intermediates", "tank/a", send.Options{From: "tank/a@s1", Intermediates: true}, errors.InvalidArgument, "Intermediates (-I) needs a snapshot"},
		{"filesystem, bad name", "tank/a b/", send.Options{}, errors.InvalidName, ""},
		{"bookmark, not snapshot", "tank/a#b", send.Options{}, errors.InvalidName, ""},
		{"option-like name", "-R", send.Options{}, errors.InvalidName, ""},
		{"bad source", snap, send.Options{From: "tank/a"}, errors.InvalidName, ""},
		{"-I without source", snap, send.Options{Intermediates: true}, errors.InvalidArgument, "needs an incremental source"},
		{"-I from bookmark", snap, send.Options{From: "tank/a#b1", Intermediates: true}, errors.InvalidArgument, "bookmark"},
		{"-I from short bookmark", snap, send.Options{From: "#b1", Intermediates: true}, errors.InvalidArgument, "bookmark"},
		{"-R from bookmark", snap, send.Options{From: "tank/a#b1", Replicate: true}, errors.InvalidArgument, "bookmark"},
		{"-X without -R", snap, send.Options{ExcludeDatasets: []string{"tank/a/b"}}, errors.InvalidArgument, "needs a replication stream"},
		{"-X root", snap, send.Options{Replicate: true, ExcludeDatasets: []string{"tank"}}, errors.InvalidArgument, "non-root"},
		{"-X bad name", snap, send.Options{Replicate: true, ExcludeDatasets: []string{"tank/a@x"}}, errors.InvalidName, ""},
		{"-s without -R", snap, send.Options{SkipMissing: true}, errors.InvalidArgument, "needs a replication stream"},
		{"-t with snapshot", snap, send.Options{ResumeToken: token}, errors.InvalidArgument, "takes no snapshot"},
		{"-t malformed", "", send.Options{ResumeToken: "nonsense"}, errors.InvalidArgument, "malformed resume token"},
		{"-t with -i", "", send.Options{ResumeToken: token, From: "tank/a@s1"}, errors.InvalidArgument, "From (-i)"},
		{"-t with -R -p -h -b", "", send.Options{ResumeToken: token, Replicate: true, Properties: true, Holds: true, Backup: true},
			errors.InvalidArgument, "Replicate (-R), Properties (-p), Holds (-h), Backup (-b)"},
		{"-t with -S", "", send.Options{ResumeToken: token, Saved: true}, errors.InvalidArgument, "Saved (-S)"},
		{"-S with snapshot", snap, send.Options{Saved: true}, errors.InvalidName, ""},
		{"-S with -w -c -L -e", "tank/a", send.Options{Saved: true, Raw: true, Compressed: true, LargeBlocks: true, Embedded: true},
			errors.InvalidArgument, "Raw (-w), Compressed (-c), LargeBlocks (-L), Embedded (-e)"},
		{"-S with -I", "tank/a", send.Options{Saved: true, From: "tank/a@s1", Intermediates: true},
			errors.InvalidArgument, "From (-i), Intermediates (-I)"},
		{"extra args operand first", snap, send.Options{ExtraArgs: zfs.ExtraArgs{"tank/b@s"}}, errors.InvalidArgument, "begin with a flag"},
		{"extra args empty", snap, send.Options{ExtraArgs: zfs.ExtraArgs{"-V", ""}}, errors.InvalidArgument, "empty"},
		{"extra args NUL", "", send.Options{ResumeToken: token, ExtraArgs: zfs.ExtraArgs{"-V\x00"}}, errors.InvalidArgument, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := commandtest.New(t) // no expectations: nothing may run
			c := zfs.New(zfs.ClientOptions{Runner: f})
			err := send.To(context.Background(), c, &bytes.Buffer{}, tt.snap, tt.opts)
			var e *errors.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.kind, e.Kind, "kind = %v, want %v (%v)", e.Kind, tt.kind, err)
			assert.Equal(t, "send", e.Op, "op = %q, want send", e.Op)
			assert.Contains(t, err.Error(), tt.msg)
			// The same checks apply to Reader, Estimate and Validate.
			_, err = send.Reader(context.Background(), c, tt.snap, tt.opts)
			assert.Equal(t, tt.kind, errors.KindOf(err), "Reader: err = %v, want kind", err)
			_, err = send.Estimate(context.Background(), c, tt.snap, tt.opts)
			assert.Equal(t, tt.kind, errors.KindOf(err), "Estimate: err = %v, want kind", err)
			err = send.Validate(context.Background(), c, tt.snap, tt.opts)
			assert.Equal(t, tt.kind, errors.KindOf(err), "Validate: err = %v, want kind", err)
		})
	}
}

func TestNilArguments(t *testing.T) {
	f := commandtest.New(t)
	c := zfs.New(zfs.ClientOptions{Runner: f})
	assert.ErrorIs(t, send.To(context.Background(), nil, &bytes.Buffer{}, "tank/a@s", send.Options{}), errors.ErrInvalidArgument, "nil client")
	assert.ErrorIs(t, send.To(context.Background(), c, nil, "tank/a@s", send.Options{}), errors.ErrInvalidArgument, "nil writer")
}
