package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream/transport"
)

// startRecv runs netrecv with args in the background and returns its
// address once it listens.
func startRecv(t *testing.T, args ...string) (string, <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), io.Discard, func(a string) { addrc <- a })
	}()
	t.Cleanup(cancel)
	select {
	case a := <-addrc:
		return a, errc
	case err := <-errc:
		t.Fatalf("netrecv: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("netrecv did not start")
	}
	return "", nil
}

func clientConfig(t *testing.T, dir string) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}
}

func TestReceiveToFileAndCommand(t *testing.T) {
	pki := t.TempDir()
	if err := run(context.Background(), []string{"-gen-certs", pki, "-hosts", "127.0.0.1"}, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	tlsArgs := []string{"-cert", filepath.Join(pki, "server.pem"), "-key", filepath.Join(pki, "server-key.pem"),
		"-client-ca", filepath.Join(pki, "ca.pem")}
	data := bytes.Repeat([]byte("netxfer "), 300_000)

	t.Run("file", func(t *testing.T) {
		out := t.TempDir()
		addr, errc := startRecv(t, append(tlsArgs, "-out", out, "-once", "-datasets", "tank/a,tank/b")...)
		s := &transport.Sender{Addr: addr, TLSConfig: clientConfig(t, pki)}
		res, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{Dataset: "tank/a"})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("netrecv -once: %v", err)
		}
		got, err := os.ReadFile(filepath.Join(out, "tank_a.stream"))
		if err != nil || !bytes.Equal(got, data) || !strings.Contains(res.Message, "stored") {
			t.Fatalf("stored %d bytes (%v), message %q", len(got), err, res.Message)
		}
	})
	t.Run("dataset not accepted", func(t *testing.T) {
		addr, _ := startRecv(t, append(tlsArgs, "-out", t.TempDir(), "-datasets", "tank/a")...)
		s := &transport.Sender{Addr: addr, TLSConfig: clientConfig(t, pki)}
		_, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{Dataset: "tank/z"})
		if !errors.Is(err, transport.ErrRejected) {
			t.Fatalf("err = %v, want a rejection", err)
		}
	})
	t.Run("command", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "copy")
		addr, _ := startRecv(t, append(tlsArgs, "--", "sh", "-c", `cat > "$0" && test "$NETXFER_META_SNAP" = mon`, out)...)
		s := &transport.Sender{Addr: addr, TLSConfig: clientConfig(t, pki)}
		_, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{Dataset: "d", Meta: map[string]string{"snap": "mon"}})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(out); !bytes.Equal(got, data) {
			t.Fatalf("command stored %d bytes", len(got))
		}
	})
	t.Run("failing command rejects", func(t *testing.T) {
		addr, _ := startRecv(t, append(tlsArgs, "--", "sh", "-c", `cat >/dev/null; echo "cannot receive: dataset exists" >&2; exit 1`)...)
		s := &transport.Sender{Addr: addr, TLSConfig: clientConfig(t, pki)}
		_, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{Dataset: "d"})
		var re *transport.RejectedError
		if !errors.As(err, &re) || !strings.Contains(re.Message, "dataset exists") {
			t.Fatalf("err = %v, want a rejection with the command's stderr", err)
		}
	})
}

func TestParseErrors(t *testing.T) {
	for _, args := range [][]string{
		{},                         // neither -out nor a command
		{"-out", "x", "--", "cat"}, // both
		{"-out", "x"},              // no certificate
		{"-no-such-flag"},
	} {
		if _, err := parse(args, io.Discard); err == nil {
			t.Errorf("parse(%q) succeeded", args)
		}
	}
	if name := fileName(&transport.Transfer{Header: transport.Header{Dataset: "../etc"}}); strings.Contains(name, "/") {
		t.Errorf("fileName kept a slash: %q", name)
	}
}
