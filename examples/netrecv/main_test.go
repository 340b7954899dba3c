package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gozfs/gozfs/stream/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		require.Failf(t, "netrecv ended before listening", "%v", err)
	case <-time.After(10 * time.Second):
		require.Fail(t, "netrecv did not start")
	}
	return "", nil
}

func clientConfig(t *testing.T, dir string) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem"))
	require.NoError(t, err)
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}}
}

func TestReceiveToFileAndCommand(t *testing.T) {
	pki := t.TempDir()
	require.NoError(t, run(context.Background(), []string{"-gen-certs", pki, "-hosts", "127.0.0.1"}, io.Discard, nil))
	tlsArgs := []string{"-cert", filepath.Join(pki, "server.pem"), "-key", filepath.Join(pki, "server-key.pem"),
		"-client-ca", filepath.Join(pki, "ca.pem")}
	data := bytes.Repeat([]byte("netxfer "), 300_000)

	t.Run("file", func(t *testing.T) {
		out := t.TempDir()
		addr, errc := startRecv(t, append(tlsArgs, "-out", out, "-once", "-datasets", "tank/a,tank/b")...)
		s := &transport.Sender{Addr: addr, TLSConfig: clientConfig(t, pki)}
		res, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{Dataset: "tank/a"})
		require.NoError(t, err)
		require.NoError(t, <-errc, "netrecv -once")
		got, err := os.ReadFile(filepath.Join(out, "tank_a.stream"))
		require.NoError(t, err)
		require.True(t, bytes.Equal(got, data), "stored %d bytes", len(got))
		require.Contains(t, res.Message, "stored")
	})
	t.Run("dataset not accepted", func(t *testing.T) {
		addr, _ := startRecv(t, append(tlsArgs, "-out", t.TempDir(), "-datasets", "tank/a")...)
		s := &transport.Sender{Addr: addr, TLSConfig: clientConfig(t, pki)}
		_, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{Dataset: "tank/z"})
		require.ErrorIs(t, err, transport.ErrRejected)
	})
	t.Run("command", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "copy")
		addr, _ := startRecv(t, append(tlsArgs, "--", "sh", "-c", `cat > "$0" && test "$NETXFER_META_SNAP" = mon`, out)...)
		s := &transport.Sender{Addr: addr, TLSConfig: clientConfig(t, pki)}
		_, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{Dataset: "d", Meta: map[string]string{"snap": "mon"}})
		require.NoError(t, err)
		got, _ := os.ReadFile(out)
		require.True(t, bytes.Equal(got, data), "command stored %d bytes", len(got))
	})
	t.Run("failing command rejects", func(t *testing.T) {
		addr, _ := startRecv(t, append(tlsArgs, "--", "sh", "-c", `cat >/dev/null; echo "cannot receive: dataset exists" >&2; exit 1`)...)
		s := &transport.Sender{Addr: addr, TLSConfig: clientConfig(t, pki)}
		_, err := s.SendReader(context.Background(), bytes.NewReader(data), transport.Header{Dataset: "d"})
		var re *transport.RejectedError
		require.ErrorAs(t, err, &re)
		require.Contains(t, re.Message, "dataset exists", "want a rejection with the command's stderr")
	})
}

func TestParseErrors(t *testing.T) {
	for _, args := range [][]string{
		{},                         // neither -out nor a command
		{"-out", "x", "--", "cat"}, // both
		{"-out", "x"},              // no certificate
		{"-no-such-flag"},
	} {
		_, err := parse(args, io.Discard)
		assert.Error(t, err, "parse(%q) succeeded", args)
	}
	assert.NotContains(t, fileName(&transport.Transfer{Header: transport.Header{Dataset: "../etc"}}), "/", "fileName kept a slash")
}
