package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/stream/transport"
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
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()

	data := bytes.Repeat([]byte("0123456789"), 100_000)
	in := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		t.Fatal(err)
	}
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
			if err := run(context.Background(), tc.args, tc.stdin, &out, io.Discard); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), data) || !strings.Contains(out.String(), "receiver: ok") {
				t.Fatalf("receiver got %d bytes; output %q", got.Len(), out.String())
			}
			if seen.Dataset != "tank/x" || seen.Meta["snap"] != "mon" || seen.Transforms[0].String() != "zstd(level=3)" {
				t.Errorf("header %+v", seen.Header)
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
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) succeeded", args)
		}
	}
	if got := describe(&transport.RejectedError{Message: "no"}); !strings.Contains(got, "refused the stream: no") {
		t.Errorf("describe = %q", got)
	}
}
