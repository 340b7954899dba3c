package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/gozfs/gozfs/stream/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSendFileAndStdin(t *testing.T) {
	var got bytes.Buffer
	var seen *transport.Transfer
	srv := &transport.Server{Handler: transport.HandlerFunc(func(ctx context.Context, tr *transport.Transfer, r io.Reader) error {
		seen = tr
		got.Reset()
		_, err := io.Copy(&got, r)
		tr.Message = "ok"
		return err
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()

	data := bytes.Repeat([]byte("0123456789"), 100_000)
	in := filepath.Join(t.TempDir(), "in")
	require.NoError(t, os.WriteFile(in, data, 0o600))
	base := []string{"-addr", ln.Addr().String(), "-insecure-plaintext", "-dataset", "tank/x",
		"-meta", "snap=mon", "-transform", "zstd:level=3"}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin io.Reader
	}{
		{"file", append(base, "-in", in), nil},
		{"stdin", base, bytes.NewReader(data)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, run(context.Background(), tc.args, tc.stdin, &out, io.Discard))
			require.True(t, bytes.Equal(got.Bytes(), data), "receiver got %d bytes", got.Len())
			require.Contains(t, out.String(), "receiver: ok")
			assert.Equal(t, "tank/x", seen.Dataset, "header %+v", seen.Header)
			assert.Equal(t, "mon", seen.Meta["snap"], "header %+v", seen.Header)
			if assert.NotEmpty(t, seen.Transforms, "header %+v", seen.Header) {
				assert.Equal(t, "zstd(level=3)", seen.Transforms[0].String(), "header %+v", seen.Header)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-addr", "h:1", "-resume"},
		{"-addr", "h:1", "-cert", "c.pem"},
		{"-addr", "h:1", "-meta", "novalue"},
		{"-addr", "h:1", "extra"},
	} {
		_, err := parse(args, io.Discard)
		assert.Error(t, err, "parse(%q) succeeded", args)
	}
	assert.Contains(t, describe(&transport.RejectedError{Message: "no"}), "refused the stream: no", "describe")
}
