package recv_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/gozfs/gozfs/internal/commandtest"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/encrypt"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const token = "1-960a8dd4e-b8-789c636064000310a500c4ec50360710e72765a52697303030419460caa7a515a7968064b4e0f26c48f2499525a9c540fa828a0e56fd25f9e9a599290c0c72932ab65e9279be4303499e132c9f97989bcac05060a85f5c94ec506ccc8000001da315e4"

func TestArgs(t *testing.T) {
	tests := []struct {
		name   string
		target string
		opts   recv.Options
		want   []string
	}{
		{"plain", "tank/b", recv.Options{}, []string{"receive", "-v", "tank/b"}},
		{"snapshot target", "tank/b@x", recv.Options{}, []string{"receive", "-v", "tank/b@x"}},
		{"flags", "tank/b", recv.Options{Force: true, Resumable: true, NoMount: true, SkipHolds: true, DryRun: true},
			[]string{"receive", "-F", "-s", "-u", "-h", "-n", "-v", "tank/b"}},
		{"discard first", "tank/b", recv.Options{Naming: recv.DiscardFirst}, []string{"receive", "-d", "-v", "tank/b"}},
		{"keep last", "tank/b", recv.Options{Naming: recv.KeepLast}, []string{"receive", "-e", "-v", "tank/b"}},
		{"properties sorted, excludes in order", "tank/b", recv.Options{
			SetProperties:     map[string]string{"mountpoint": "none", "compression": "zstd", "com.example:note": "a b"},
			ExcludeProperties: []string{"quota", "atime"},
			Origin:            "tank/base@s",
		}, []string{"receive", "-v", "-o", "origin=tank/base@s", "-o", "com.example:note=a b", "-o", "compression=zstd",
			"-o", "mountpoint=none", "-x", "quota", "-x", "atime", "tank/b"}},
		{"re-encrypt", "tank/b", recv.Options{SetProperties: map[string]string{
			"encryption": "on", "keyformat": "raw", "keylocation": "file:///keys/b"}},
			[]string{"receive", "-v", "-o", "encryption=on", "-o", "keyformat=raw", "-o", "keylocation=file:///keys/b", "tank/b"}},
		{"extra args", "tank/b", recv.Options{Force: true, ExcludeProperties: []string{"atime"}, ExtraArgs: zfs.ExtraArgs{"-M", "--x", "y"}},
			[]string{"receive", "-F", "-v", "-x", "atime", "-M", "--x", "y", "tank/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := commandtest.New(t)
			e := f.Expect(append([]string{"zfs"}, tt.want...)...).Stdout("receiving full stream of tank/a@s into tank/b@s\n")
			res, err := recv.Into(context.Background(), zfs.New(zfs.ClientOptions{Runner: f}), tt.target, strings.NewReader("stream bytes"), tt.opts)
			require.NoError(t, err)
			got := e.Stdin()
			if assert.Len(t, got, 1, "zfs receive read") {
				assert.Equal(t, "stream bytes", string(got[0]), "zfs receive read")
			}
			assert.Equal(t, []string{"tank/b@s"}, res.Snapshots, "Snapshots")
		})
	}
}

func TestCorrectiveNeedsVersion(t *testing.T) {
	f := commandtest.New(t)
	f.Expect("zfs", "receive", "-c", "-v", "tank/b@s")
	c := zfs.New(zfs.ClientOptions{Runner: f, Version: zfs.Version{Major: 2, Minor: 2}})
	_, err := recv.Into(context.Background(), c, "tank/b@s", strings.NewReader("x"), recv.Options{Corrective: true})
	require.NoError(t, err)
	old := zfs.New(zfs.ClientOptions{Runner: commandtest.New(t), Version: zfs.Version{Major: 2, Minor: 1}})
	_, err = recv.Into(context.Background(), old, "tank/b@s", strings.NewReader("x"), recv.Options{Corrective: true})
	assert.ErrorIs(t, err, errors.ErrNotSupported, "corrective receive on 2.1")
}

func TestInvalid(t *testing.T) {
	tests := []struct {
		name   string
		target string
		opts   recv.Options
		kind   errors.Kind
		msg    string
	}{
		{"no target", "", recv.Options{}, errors.InvalidArgument, "no target"},
		{"bookmark target", "tank/b#m", recv.Options{}, errors.InvalidName, ""},
		{"option-like target", "-F", recv.Options{}, errors.InvalidName, ""},
		{"-d with snapshot", "tank/b@s", recv.Options{Naming: recv.DiscardFirst}, errors.InvalidName, ""},
		{"unknown naming", "tank/b", recv.Options{Naming: 7}, errors.InvalidArgument, "Naming"},
		{"corrective with flags", "tank/b@s", recv.Options{Corrective: true, Force: true, Resumable: true, Naming: recv.KeepLast},
			errors.InvalidName, ""},
		{"corrective with -F -s -u -h", "tank/b@s", recv.Options{Corrective: true, Force: true, Resumable: true, NoMount: true, SkipHolds: true},
			errors.InvalidArgument, "Force (-F), Resumable (-s), NoMount (-u), SkipHolds (-h)"},
		{"bad origin", "tank/b", recv.Options{Origin: "tank/a"}, errors.InvalidName, ""},
		{"origin property", "tank/b", recv.Options{SetProperties: map[string]string{"origin": "tank/a@s"}}, errors.InvalidArgument, "Options.Origin"},
		{"prompt", "tank/b", recv.Options{SetProperties: map[string]string{"keylocation": "prompt"}}, errors.InvalidArgument, "keylocation=prompt"},
		{"bad property", "tank/b", recv.Options{SetProperties: map[string]string{"-x": "1"}}, errors.InvalidArgument, "begins with '-'"},
		{"property with =", "tank/b", recv.Options{SetProperties: map[string]string{"a=b": "1"}}, errors.InvalidArgument, "invalid character"},
		{"NUL value", "tank/b", recv.Options{SetProperties: map[string]string{"com.x:y": "a\x00b"}}, errors.InvalidArgument, "NUL"},
		{"set and excluded", "tank/b", recv.Options{SetProperties: map[string]string{"atime": "off"}, ExcludeProperties: []string{"atime"}},
			errors.InvalidArgument, "both overridden and excluded"},
		{"bad exclude", "tank/b", recv.Options{ExcludeProperties: []string{""}}, errors.InvalidArgument, "empty"},
		{"extra args operand first", "tank/b", recv.Options{ExtraArgs: zfs.ExtraArgs{"tank/c"}}, errors.InvalidArgument, "begin with a flag"},
		{"extra args empty", "tank/b", recv.Options{ExtraArgs: zfs.ExtraArgs{"-o", ""}}, errors.InvalidArgument, "empty"},
		{"extra args NUL", "tank/b", recv.Options{ExtraArgs: zfs.ExtraArgs{"-o", "a\x00"}}, errors.InvalidArgument, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := zfs.New(zfs.ClientOptions{Runner: commandtest.New(t), Version: zfs.Version{Major: 2, Minor: 3}})
			_, err := recv.Into(context.Background(), c, tt.target, strings.NewReader(""), tt.opts)
			var e *errors.Error
			require.ErrorAs(t, err, &e, "*errors.Error")
			assert.Equal(t, tt.kind, e.Kind, "kind %v op %q, want %v receive (%v)", e.Kind, e.Op, tt.kind, err)
			assert.Equal(t, "receive", e.Op, "kind %v op %q, want %v receive (%v)", e.Kind, e.Op, tt.kind, err)
			assert.Contains(t, err.Error(), tt.msg)
			_, err = recv.NewWriter(context.Background(), c, tt.target, tt.opts)
			assert.Equal(t, tt.kind, errors.KindOf(err), "NewWriter: err = %v, want kind", err)
		})
	}
}

// errAfter returns data and then err instead of io.EOF.
type errAfter struct {
	r   io.Reader
	err error
}

func (e *errAfter) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

// recording returns a fake zfs receive that records its input and succeeds
// only if the input is exactly want, as zfs receive commits only a complete
// stream.
func recording(t *testing.T, want []byte) (*zfs.Client, *[]byte) {
	var got []byte
	f := commandtest.New(t)
	f.Expect("zfs", "receive", "-v", "tank/b").Times(-1).Do(func(ctx context.Context, c *command.Cmd) error {
		b, _ := io.ReadAll(c.Stdin)
		got = b
		if !bytes.Equal(b, want) {
			return &command.ExitError{Argv: c.Argv(), Code: 1, Stderr: "cannot receive new filesystem stream: checksum mismatch or incomplete stream.\n"}
		}
		io.WriteString(c.Stdout, "receiving full stream of tank/a@s into tank/b@s\n")
		return nil
	})
	return zfs.New(zfs.ClientOptions{Runner: f}), &got
}

// TestReadFailureNeverCommits: whatever fails on the read side, and however
// late, zfs receive never gets the complete stream.
func TestReadFailureNeverCommits(t *testing.T) {
	data := sendStream(t, "tank/a@s", 64, 4096)
	boom := errors.New("source failed")
	failClose := func(r io.Reader) (io.ReadCloser, error) {
		return closeErr{r, errors.New("transform close failed")}, nil
	}
	key := bytes.Repeat([]byte{7}, encrypt.KeySize)
	enc, err := encrypt.New(encrypt.Options{Key: key, ChunkSize: 4096})
	require.NoError(t, err)
	var sealed bytes.Buffer
	w, _ := enc.NewWriter(&sealed)
	w.Write(data)
	w.Close()
	ct := sealed.Bytes()
	tampered := bytes.Clone(ct)
	tampered[len(tampered)-1] ^= 1 // the final chunk's tag
	truncated := ct[:len(ct)-100]

	tests := []struct {
		name string
		src  io.Reader
		ts   []stream.ReadTransform
		want error
	}{
		{"error mid-stream", &errAfter{bytes.NewReader(data[:len(data)/2]), boom}, nil, boom},
		{"error after the last byte", &errAfter{bytes.NewReader(data), boom}, []stream.ReadTransform{stream.ReaderFunc(func(r io.Reader) io.Reader { return r })}, boom},
		{"transform close fails", bytes.NewReader(data), []stream.ReadTransform{failClose}, nil},
		{"final chunk tampered", bytes.NewReader(tampered), []stream.ReadTransform{enc.NewReader}, encrypt.ErrAuthentication},
		{"ciphertext truncated", bytes.NewReader(truncated), []stream.ReadTransform{enc.NewReader}, encrypt.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, got := recording(t, data)
			_, err := recv.Into(context.Background(), c, "tank/b", tt.src, recv.Options{Transforms: tt.ts})
			require.Error(t, err, "receive succeeded")
			assert.ErrorIs(t, err, errors.ErrInvalidStream, "Kind InvalidStream")
			if tt.want != nil {
				assert.ErrorIs(t, err, tt.want)
			}
			assert.NotErrorIs(t, err, context.Canceled, "matches context.Canceled though nobody cancelled")
			assert.LessOrEqual(t, len(*got), len(data)-2*sendstream.HeaderSize, "zfs receive got %d of %d bytes, more than all but the held-back END records", len(*got), len(data))
		})
	}
	t.Run("clean", func(t *testing.T) {
		c, got := recording(t, data)
		sealedCopy := bytes.NewReader(ct)
		res, err := recv.Into(context.Background(), c, "tank/b", sealedCopy, recv.Options{Transforms: []stream.ReadTransform{enc.NewReader}, Verify: true})
		require.NoError(t, err)
		assert.Equal(t, data, *got)
		assert.Equal(t, []string{"tank/b@s"}, res.Snapshots)
	})
}

type closeErr struct {
	io.Reader
	err error
}

func (c closeErr) Close() error { return c.err }

func TestVerifyRejectsCorruptStream(t *testing.T) {
	data := sendStream(t, "tank/a@s", 8, 4096)
	bad := bytes.Clone(data)
	bad[sendstream.HeaderSize+sendstream.HeaderSize+100] ^= 0xff // first WRITE payload
	c, got := recording(t, data)
	_, err := recv.Into(context.Background(), c, "tank/b", bytes.NewReader(bad), recv.Options{Verify: true})
	require.ErrorIs(t, err, sendstream.ErrChecksum, "a checksum error of Kind InvalidStream")
	require.ErrorIs(t, err, errors.ErrInvalidStream, "a checksum error of Kind InvalidStream")
	assert.Less(t, len(*got), len(data), "zfs receive got the whole stream")
}

func TestReceiveWithRealProcess(t *testing.T) {
	// A fake zfs receive that stores its input and succeeds only if it is
	// exactly the stream, as the real one commits only complete streams.
	c, dir := fakeZFS(t, `
case "$1" in
receive)
	echo $$ > "$DIR/pid"
	cat > "$DIR/got"
	if cmp -s "$DIR/got" "$DIR/want"; then echo "receiving full stream of tank/a@s into tank/b@s"; exit 0; fi
	echo "cannot receive new filesystem stream: checksum mismatch or incomplete stream." >&2
	exit 1;;
esac
exit 2`)
	data := sendStream(t, "tank/a@s", 256, 4096) // > 1 MiB, more than a pipe holds
	require.NoError(t, os.WriteFile(filepath.Join(dir, "want"), data, 0o644))
	ctx := context.Background()

	t.Run("reader", func(t *testing.T) {
		p := stream.NewProgress(stream.ProgressOptions{})
		res, err := recv.Into(ctx, c, "tank/b", bytes.NewReader(data), recv.Options{Progress: p})
		require.NoError(t, err)
		assert.Equal(t, []string{"tank/b@s"}, res.Snapshots, "Snapshots")
		assert.Equal(t, int64(len(data)), p.Snapshot().Bytes, "Snapshots")
	})
	t.Run("file handed over", func(t *testing.T) {
		f, err := os.Open(filepath.Join(dir, "want"))
		require.NoError(t, err)
		defer f.Close()
		_, err = recv.Into(ctx, c, "tank/b", f, recv.Options{})
		require.NoError(t, err)
	})
	t.Run("source fails after the last byte", func(t *testing.T) {
		_, err := recv.Into(ctx, c, "tank/b", &errAfter{bytes.NewReader(data), io.ErrUnexpectedEOF}, recv.Options{Verify: true})
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		got, _ := os.ReadFile(filepath.Join(dir, "got"))
		assert.Less(t, len(got), len(data), "zfs receive got all")
		pid := readPid(t, dir, "pid")
		assert.True(t, gone(pid), "fake zfs receive %d still running", pid)
	})
	t.Run("writer", func(t *testing.T) {
		w, err := recv.NewWriter(ctx, c, "tank/b", recv.Options{})
		require.NoError(t, err)
		for b := data; len(b) > 0; {
			n := min(len(b), 10000)
			_, err = w.Write(b[:n])
			require.NoError(t, err)
			b = b[n:]
		}
		assert.Nil(t, w.Result(), "Result before Close")
		require.NoError(t, w.Close())
		res := w.Result()
		if assert.NotNil(t, res, "Result") {
			assert.Equal(t, []string{"tank/b@s"}, res.Snapshots, "Result")
		}
	})
	t.Run("writer aborted", func(t *testing.T) {
		w, err := recv.NewWriter(ctx, c, "tank/b", recv.Options{})
		require.NoError(t, err)
		w.Write(data) // everything, but not the end of the stream
		cause := errors.New("network down")
		err = w.CloseWithError(cause)
		assert.ErrorIs(t, err, cause, "InvalidStream wrapping the cause")
		assert.ErrorIs(t, err, errors.ErrInvalidStream, "InvalidStream wrapping the cause")
	})
}

func TestZFSFailureStopsWriter(t *testing.T) {
	c, _ := fakeZFS(t, `echo "cannot receive new filesystem stream: destination 'tank/b' exists" >&2; echo "must specify -F to overwrite it" >&2; exit 1`)
	w, err := recv.NewWriter(context.Background(), c, "tank/b", recv.Options{})
	require.NoError(t, err)
	// zfs receive fails without reading; writing must not block forever.
	chunk := make([]byte, 1<<20)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := w.Write(chunk); err != nil {
			break
		}
	}
	err = w.Close()
	assert.ErrorIs(t, err, errors.ErrExist, "Kind Exist")
}

func TestCancelInterruptsAndReportsToken(t *testing.T) {
	// zfs receive -s traps SIGINT to show it got it; zfs get returns the
	// token the interrupted receive left behind.
	c, dir := fakeZFS(t, `
case "$1" in
receive)
	trap 'echo got > "$DIR/sigint"; exit 1' INT
	echo $$ > "$DIR/pid"
	echo "receiving full stream of tank/a@s into tank/b@s"
	while :; do sleep 0.05; done;;
get)
	[ "$*" = "get -H -p -o value receive_resume_token tank/b" ] || exit 2
	echo `+token+`;;
esac`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	result := make(chan *recv.Result, 1)
	pr, pw := io.Pipe()
	defer pw.Close()
	go func() {
		res, err := recv.Into(ctx, c, "tank/b", pr, recv.Options{Resumable: true})
		result <- res
		done <- err
	}()
	pw.Write(make([]byte, 1000))
	pid := readPid(t, dir, "pid")
	cancel()
	err := <-done
	var re *errors.ResumableError
	require.ErrorAs(t, err, &re, "want *errors.ResumableError with the token")
	require.Equal(t, token, re.Token, "want *errors.ResumableError with the token")
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, errors.ErrCanceled)
	assert.ErrorIs(t, err, errors.ErrInterrupted)
	assert.NotErrorIs(t, err, errors.ErrResumableStatePresent)
	res := <-result
	assert.Empty(t, res.Snapshots, "Result %+v: want nothing committed", res)
	assert.Equal(t, "tank/b@s", res.Incomplete, "Result %+v: want tank/b@s incomplete", res)
	assert.True(t, exists(filepath.Join(dir, "sigint")), "zfs receive was not sent SIGINT")
	assert.True(t, gone(pid), "fake zfs receive %d still running", pid)
}

func TestResumableErrors(t *testing.T) {
	interrupted := "cannot receive new filesystem stream: checksum mismatch or incomplete stream.\nPartially received snapshot is saved.\nA resuming stream can be generated on the sending system by running:\n    zfs send -t " + token + "\n"
	t.Run("token printed", func(t *testing.T) {
		f := commandtest.New(t)
		f.Expect("zfs", "receive", "-s", "-v", "tank/b").Stdout("receiving full stream of tank/a@s into tank/b@s\n").Stderr(interrupted).Exit(1)
		_, err := recv.Into(context.Background(), zfs.New(zfs.ClientOptions{Runner: f}), "tank/b", strings.NewReader("x"), recv.Options{Resumable: true})
		var re *errors.ResumableError
		if assert.ErrorAs(t, err, &re, "Interrupted with the printed token") {
			assert.Equal(t, token, re.Token, "Interrupted with the printed token")
			assert.Equal(t, errors.Interrupted, re.Err.Kind, "Interrupted with the printed token")
		}
	})
	t.Run("killed, token from the dataset reported by -v", func(t *testing.T) {
		f := commandtest.New(t).InOrder()
		f.Expect("zfs", "receive", "-s", "-d", "-v", "tank/r").
			Stdout("receiving incremental stream of tank/a@s2 into tank/r/a@s2\n").Exit(-1)
		f.Expect("zfs", "get", "-H", "-p", "-o", "value", "receive_resume_token", "tank/r/a").Stdout(token + "\n")
		_, err := recv.Into(context.Background(), zfs.New(zfs.ClientOptions{Runner: f}), "tank/r", strings.NewReader("x"),
			recv.Options{Resumable: true, Naming: recv.DiscardFirst})
		var re *errors.ResumableError
		if assert.ErrorAs(t, err, &re, "a resumable error with the token") {
			assert.Equal(t, token, re.Token, "a resumable error with the token")
		}
	})
	t.Run("failed without state", func(t *testing.T) {
		f := commandtest.New(t).InOrder()
		f.Expect("zfs", "receive", "-s", "-v", "tank/b").
			Stderr("cannot receive new filesystem stream: destination 'tank/b' exists\nmust specify -F to overwrite it\n").Exit(1)
		f.Expect("zfs", "get", "-H", "-p", "-o", "value", "receive_resume_token", "tank/b").Stdout("-\n")
		_, err := recv.Into(context.Background(), zfs.New(zfs.ClientOptions{Runner: f}), "tank/b", strings.NewReader("x"), recv.Options{Resumable: true})
		var re *errors.ResumableError
		assert.NotErrorAs(t, err, &re, "a plain Exist error")
		assert.ErrorIs(t, err, errors.ErrExist, "a plain Exist error")
	})
	// A full stream into a target holding partial state: zfs says the
	// target exists (real 2.3.2 and 2.1.11 messages), the target's token
	// shows why.
	for _, v := range []string{"2.3.2", "2.1.11"} {
		t.Run("full stream into partial state "+v, func(t *testing.T) {
			stderr, err := os.ReadFile(filepath.Join("..", "errors", "testdata", v, "recv-into-partial-full.err"))
			require.NoError(t, err)
			f := commandtest.New(t).InOrder()
			f.Expect("zfs", "receive", "-u", "-v", "gzerr/partial").Stderr(string(stderr)).Exit(1)
			f.Expect("zfs", "get", "-H", "-p", "-o", "value", "receive_resume_token", "gzerr/partial").Stdout(token + "\n")
			res, err := recv.Into(context.Background(), zfs.New(zfs.ClientOptions{Runner: f}), "gzerr/partial", strings.NewReader("x"), recv.Options{NoMount: true})
			var re *errors.ResumableError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, token, re.Token)
			assert.Equal(t, errors.ResumableStatePresent, errors.KindOf(err))
			assert.ErrorIs(t, err, errors.ErrResumableStatePresent)
			assert.ErrorIs(t, err, errors.ErrBusy)
			assert.NotErrorIs(t, err, errors.ErrInterrupted)
			assert.NotErrorIs(t, err, errors.ErrExist)
			assert.Equal(t, string(stderr), re.Err.Stderr)
			assert.Equal(t, recv.Result{}, *res)
		})
	}
	t.Run("full stream into partial state, received with -d", func(t *testing.T) {
		f := commandtest.New(t).InOrder()
		f.Expect("zfs", "receive", "-d", "-v", "tank/r").
			Stderr("cannot receive new filesystem stream: destination 'tank/r/a' exists\nmust specify -F to overwrite it\n").Exit(1)
		f.Expect("zfs", "get", "-H", "-p", "-o", "value", "receive_resume_token", "tank/r/a").Stdout(token + "\n")
		_, err := recv.Into(context.Background(), zfs.New(zfs.ClientOptions{Runner: f}), "tank/r", strings.NewReader("x"), recv.Options{Naming: recv.DiscardFirst})
		assert.ErrorIs(t, err, errors.ErrResumableStatePresent)
	})
	t.Run("state present", func(t *testing.T) {
		f := commandtest.New(t).InOrder()
		f.Expect("zfs", "receive", "-v", "tank/b").
			Stderr("cannot receive new filesystem stream: destination tank/b contains partially-complete state from \"zfs receive -s\".\n").Exit(1)
		f.Expect("zfs", "get", "-H", "-p", "-o", "value", "receive_resume_token", "tank/b").Stdout(token + "\n")
		_, err := recv.Into(context.Background(), zfs.New(zfs.ClientOptions{Runner: f}), "tank/b", strings.NewReader("x"), recv.Options{})
		var re *errors.ResumableError
		if assert.ErrorAs(t, err, &re, "ResumableStatePresent with the token") {
			assert.Equal(t, token, re.Token, "ResumableStatePresent with the token")
			assert.ErrorIs(t, err, errors.ErrResumableStatePresent, "ResumableStatePresent with the token")
		}
	})
}

// TestResultSaysWhatWasCommitted: real zfs receive -v output (errors/testdata)
// of an incremental received, received again (zfs ignores it and succeeds),
// and cut short.
func TestResultSaysWhatWasCommitted(t *testing.T) {
	for _, v := range []string{"2.3.2", "2.1.11"} {
		golden := func(name string) string {
			b, err := os.ReadFile(filepath.Join("..", "errors", "testdata", v, name))
			require.NoError(t, err)
			return string(b)
		}
		t.Run(v, func(t *testing.T) {
			f := commandtest.New(t).InOrder()
			f.Expect("zfs", "receive", "-u", "-v", "gzerr/copy").Stdout(golden("recv-incremental.out"))
			f.Expect("zfs", "receive", "-u", "-v", "gzerr/copy").Stdout(golden("recv-incremental-again.out"))
			f.Expect("zfs", "receive", "-s", "-u", "-v", "gzerr/incpartial").
				Stdout(golden("recv-cut-incremental.out")).Stderr(golden("recv-cut-incremental.err")).Exit(1)
			c := zfs.New(zfs.ClientOptions{Runner: f})
			ctx := context.Background()
			opts := recv.Options{NoMount: true}

			res, err := recv.Into(ctx, c, "gzerr/copy", strings.NewReader("x"), opts)
			require.NoError(t, err)
			assert.Equal(t, recv.Result{Snapshots: []string{"gzerr/copy@s2"}}, *res)

			res, err = recv.Into(ctx, c, "gzerr/copy", strings.NewReader("x"), opts)
			require.NoError(t, err)
			assert.Equal(t, recv.Result{Skipped: []string{"gzerr/copy@s2"}}, *res, "nothing committed")

			opts.Resumable = true
			res, err = recv.Into(ctx, c, "gzerr/incpartial", strings.NewReader("x"), opts)
			assert.ErrorIs(t, err, errors.ErrInterrupted)
			assert.Equal(t, errors.Interrupted, errors.KindOf(err))
			assert.Equal(t, recv.Result{Incomplete: "gzerr/incpartial@big"}, *res, "nothing committed")
		})
	}
}

func TestAbortAndResumeToken(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		stderr string
		code   int
		ok     bool
	}{
		{"aborted", "", 0, true},
		{"no state", "'tank/b' does not have any resumable receive state to abort\n", 1, true},
		{"no dataset", "cannot open 'tank/b': dataset does not exist\nusage:\n\treceive ...\n", 2, true},
		{"busy", "cannot destroy 'tank/b/%recv': dataset is busy\n", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := commandtest.New(t)
			f.Expect("zfs", "receive", "-A", "tank/b").Stderr(tt.stderr).Exit(tt.code)
			err := recv.Abort(ctx, zfs.New(zfs.ClientOptions{Runner: f}), "tank/b")
			assert.Equal(t, tt.ok, err == nil, "err = %v, want ok", err)
			if !tt.ok {
				assert.ErrorIs(t, err, errors.ErrBusy, "Kind Busy")
			}
		})
	}
	assert.ErrorIs(t, recv.Abort(ctx, zfs.New(zfs.ClientOptions{Runner: commandtest.New(t)}), "tank/b@s"), errors.ErrInvalidName, "Abort of a snapshot")

	f := commandtest.New(t).InOrder()
	f.Expect("zfs", "get", "-H", "-p", "-o", "value", "receive_resume_token", "tank/b").Stdout("-\n")
	f.Expect("zfs", "get", "-H", "-p", "-o", "value", "receive_resume_token", "tank/b").Stdout(token + "\n")
	f.Expect("zfs", "get", "-H", "-p", "-o", "value", "receive_resume_token", "tank/b").Stdout("garbage\n")
	c := zfs.New(zfs.ClientOptions{Runner: f})
	tok, err := recv.ResumeToken(ctx, c, "tank/b")
	assert.Empty(t, tok, "no state")
	assert.NoError(t, err, "no state")
	if tok, err := recv.ResumeToken(ctx, c, "tank/b"); assert.Equal(t, token, tok, "state") {
		assert.NoError(t, err, "state")
	}
	if tok, err := recv.ResumeToken(ctx, c, "tank/b"); assert.Empty(t, tok, "garbage") {
		assert.Error(t, err, "garbage")
	}
}

func TestSourcesHandedOver(t *testing.T) {
	// The fake says what its standard input is.
	c, _ := fakeZFS(t, `echo "receiving full stream of tank/a@s into tank/b@$(stat -L -c %F /proc/$$/fd/0 | tr ' ' _)"`)
	ctx := context.Background()
	kind := func(t *testing.T, r io.Reader, opts recv.Options) string {
		t.Helper()
		res, err := recv.Into(ctx, c, "tank/b", r, opts)
		require.NoError(t, err)
		require.Len(t, res.Snapshots, 1, "Snapshots")
		_, k, _ := strings.Cut(res.Snapshots[0], "@")
		return k
	}
	f, err := os.CreateTemp(t.TempDir(), "stream")
	require.NoError(t, err)
	defer f.Close()
	assert.Equal(t, "regular_empty_file", kind(t, f, recv.Options{}), "file: kind of input zfs read from")
	assert.Equal(t, "fifo", kind(t, f, recv.Options{Progress: stream.NewProgress(stream.ProgressOptions{})}), "file with Progress: kind of input zfs read from")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		conn.Write([]byte("x"))
		time.Sleep(200 * time.Millisecond)
		conn.Close()
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	assert.Equal(t, "socket", kind(t, conn, recv.Options{}), "connection: kind of input zfs read from")
	// Back in non-blocking mode: deadlines work.
	conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	b := make([]byte, 1)
	n, err := conn.Read(b)
	if n == 1 {
		// The byte the fake did not read; the next read must time out.
		conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		_, err = conn.Read(b)
	}
	assert.ErrorIs(t, err, os.ErrDeadlineExceeded, "read after hand-back")
}
