package recv_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/compress"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replicaFake is a fake zfs whose send writes $DIR/data (or, with -t, the
// rest of it from $DIR/offset) and whose receive stores its input in
// $DIR/got and succeeds if it matches $DIR/data. Behaviour switches:
//
//	$DIR/send-fail     send fails after writing half the data
//	$DIR/recv-fail     receive fails at once without reading
//	$DIR/recv-cut      the first receive stops after 100000 bytes, leaving
//	                   resumable state (it prints a token)
const replicaFake = `
case "$1" in
send)
	echo $$ > "$DIR/send-pid.tmp"; mv "$DIR/send-pid.tmp" "$DIR/send-pid"
	echo "$*" >> "$DIR/send-args"
	if [ -e "$DIR/send-fail" ]; then
		head -c 100000 "$DIR/data"
		echo "warning: cannot send 'tank/a@s': Input/output error" >&2
		exit 1
	fi
	case " $* " in *" -t "*) exec tail -c +100001 "$DIR/data";; esac
	if [ -e "$DIR/endless" ]; then exec cat /dev/zero; fi
	exec cat "$DIR/data";;
receive)
	echo $$ > "$DIR/recv-pid.tmp"; mv "$DIR/recv-pid.tmp" "$DIR/recv-pid"
	if [ -e "$DIR/recv-fail" ]; then
		echo "cannot receive new filesystem stream: destination 'tank/b' exists" >&2
		echo "must specify -F to overwrite it" >&2
		exit 1
	fi
	echo "receiving full stream of tank/a@s into tank/b@s"
	if [ -e "$DIR/recv-cut" ]; then
		rm "$DIR/recv-cut"
		head -c 100000 > "$DIR/got"
		echo "cannot receive new filesystem stream: checksum mismatch or incomplete stream." >&2
		echo "Partially received snapshot is saved." >&2
		echo "A resuming stream can be generated on the sending system by running:" >&2
		echo "    zfs send -t ` + token + `" >&2
		exit 1
	fi
	cat >> "$DIR/got"
	if cmp -s "$DIR/got" "$DIR/data"; then exit 0; fi
	echo "cannot receive new filesystem stream: checksum mismatch or incomplete stream." >&2
	exit 1;;
esac
exit 2`

func touch(t *testing.T, dir, name string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), nil, 0o644))
}

func TestReplicate(t *testing.T) {
	z, err := compress.New(compress.Zstd, compress.Options{})
	require.NoError(t, err)
	withTransforms := recv.ReplicateOptions{
		Send:    send.Options{Transforms: []stream.WriteTransform{z.NewWriter}},
		Receive: recv.Options{Transforms: []stream.ReadTransform{z.NewReader}, Verify: true},
	}
	for _, mode := range []struct {
		name string
		opts recv.ReplicateOptions
	}{{"direct", recv.ReplicateOptions{}}, {"transforms", withTransforms}} {
		t.Run(mode.name, func(t *testing.T) {
			ctx := context.Background()
			data := sendStream(t, "tank/a@s", 512, 4096) // 2 MiB
			newFake := func(t *testing.T, flags ...string) (*zfs.Client, string) {
				c, dir := fakeZFS(t, replicaFake)
				require.NoError(t, os.WriteFile(filepath.Join(dir, "data"), data, 0o644))
				for _, f := range flags {
					touch(t, dir, f)
				}
				t.Cleanup(func() {
					for _, p := range []string{"send-pid", "recv-pid"} {
						if exists(filepath.Join(dir, p)) {
							pid := readPid(t, dir, p)
							assert.True(t, gone(pid), "%s %d still running", p, pid)
						}
					}
				})
				return c, dir
			}

			t.Run("ok", func(t *testing.T) {
				c, dir := newFake(t)
				res, err := recv.Replicate(ctx, c, c, "tank/a@s", "tank/b", mode.opts)
				require.NoError(t, err)
				assert.Equal(t, []string{"tank/b@s"}, res.Snapshots, "Snapshots")
				got, _ := os.ReadFile(filepath.Join(dir, "got"))
				assert.Equal(t, data, got, "received")
			})
			t.Run("send fails", func(t *testing.T) {
				c, dir := newFake(t, "send-fail")
				_, err := recv.Replicate(ctx, c, c, "tank/a@s", "tank/b", mode.opts)
				var e *errors.Error
				if assert.ErrorAs(t, err, &e, "the send's error first") {
					assert.Equal(t, "send", e.Op, "the send's error first")
				}
				assert.Contains(t, err.Error(), "Input/output error", "the send's message")
				got, _ := os.ReadFile(filepath.Join(dir, "got"))
				assert.Less(t, len(got), len(data), "receive got everything")
			})
			t.Run("receive fails", func(t *testing.T) {
				c, _ := newFake(t, "recv-fail", "endless")
				_, err := recv.Replicate(ctx, c, c, "tank/a@s", "tank/b", mode.opts)
				assert.ErrorIs(t, err, errors.ErrExist, "the receive's Exist error first")
				assert.Equal(t, errors.Exist, errors.KindOf(err), "the receive's Exist error first")
			})
			t.Run("resume", func(t *testing.T) {
				c, dir := newFake(t, "recv-cut")
				opts := mode.opts
				// The fake resumes by byte offset into the raw stream: a
				// real resumed stream starts with its own BEGIN record,
				// this one would not verify.
				opts.Receive.Verify = false
				opts.Receive.Resumable = true
				opts.Send.Compressed = true
				opts.Send.Properties = true
				opts.Retries = 2
				res, err := recv.Replicate(ctx, c, c, "tank/a@s", "tank/b", opts)
				require.NoError(t, err)
				got, _ := os.ReadFile(filepath.Join(dir, "got"))
				assert.Equal(t, data, got, "received")
				args, _ := os.ReadFile(filepath.Join(dir, "send-args"))
				want := "send -p -c tank/a@s\nsend -c -t " + token + "\n"
				assert.Equal(t, want, string(args), "sends")
				assert.Equal(t, []string{"tank/b@s"}, res.Snapshots, "Snapshots")
			})
			t.Run("no retries left", func(t *testing.T) {
				c, _ := newFake(t, "recv-cut")
				opts := mode.opts
				opts.Receive.Resumable = true
				_, err := recv.Replicate(ctx, c, c, "tank/a@s", "tank/b", opts)
				var re *errors.ResumableError
				if assert.ErrorAs(t, err, &re, "the resumable error") {
					assert.Equal(t, token, re.Token, "the resumable error")
				}
			})
		})
	}
}

func TestReplicateInvalid(t *testing.T) {
	c, _ := fakeZFS(t, "exit 3")
	ctx := context.Background()
	tests := []struct {
		name string
		opts recv.ReplicateOptions
		msg  string
	}{
		{"negative", recv.ReplicateOptions{Retries: -1}, "negative"},
		{"not resumable", recv.ReplicateOptions{Retries: 1}, "Resumable"},
		{"replication stream", recv.ReplicateOptions{Retries: 1, Receive: recv.Options{Resumable: true}, Send: send.Options{Replicate: true}}, "-R"},
		{"bad send", recv.ReplicateOptions{Send: send.Options{Intermediates: true}}, "Intermediates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := recv.Replicate(ctx, c, c, "tank/a@s", "tank/b", tt.opts)
			assert.ErrorIs(t, err, errors.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}
