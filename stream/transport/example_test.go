package transport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/gozfs/gozfs/stream/transport"
	"github.com/gozfs/gozfs/stream/transport/transporttest"
)

// A receiver and a sender on loopback with mutual TLS. The handler rejects
// datasets it does not know before reading anything; the one it accepts
// could be piped into `zfs receive`.
func Example() {
	ca, _ := transporttest.NewCA("example CA")
	serverCert, _ := ca.Issue("receiver", "127.0.0.1")
	clientCert, _ := ca.Issue("sender")

	srv := &transport.Server{
		TLSConfig: ca.ServerConfig(serverCert, true), // require client certificates
		Handler: transport.HandlerFunc(func(ctx context.Context, t *transport.Transfer, r io.Reader) error {
			if t.Dataset != "tank/home" {
				return fmt.Errorf("unknown dataset %q", t.Dataset) // rejected at hello time
			}
			n, err := io.Copy(io.Discard, r) // e.g. the stdin of `zfs receive`
			if err != nil {
				return err
			}
			t.Message = fmt.Sprintf("received %d bytes for %s from %s",
				n, t.Dataset, t.TLS.PeerCertificates[0].Subject.CommonName)
			return nil
		}),
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error)
	go func() { served <- srv.Serve(ctx, ln) }()

	s := &transport.Sender{Addr: ln.Addr().String(), TLSConfig: ca.ClientConfig(&clientCert)}
	stream := strings.NewReader(strings.Repeat("zfs send stream ", 1<<16))
	res, err := s.SendReader(ctx, stream, transport.Header{Dataset: "tank/home", Size: stream.Size()})
	if err != nil {
		fmt.Println(err)
	} else {
		fmt.Println(res.Message)
	}

	_, err = s.SendReader(ctx, strings.NewReader("x"), transport.Header{Dataset: "tank/other"})
	var rej *transport.RejectedError
	if errors.As(err, &rej) {
		fmt.Println("rejected:", rej.Message)
	}

	cancel()
	fmt.Println("serve:", <-served)
	// Output:
	// received 1048576 bytes for tank/home from sender
	// rejected: unknown dataset "tank/other"
	// serve: <nil>
}

// A Writer turns a transfer into an io.WriteCloser, for producers that push.
func ExampleSender_NewWriter() {
	var got bytes.Buffer
	srv := &transport.Server{Handler: transport.HandlerFunc(func(ctx context.Context, t *transport.Transfer, r io.Reader) error {
		_, err := io.Copy(&got, r)
		return err
	})}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error)
	go func() { served <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-served }()

	s := &transport.Sender{Addr: ln.Addr().String()} // plain TCP: trusted networks only
	w := s.NewWriter(ctx, transport.Header{Dataset: "logs"})
	fmt.Fprintln(w, "line one")
	fmt.Fprintln(w, "line two")
	if err := w.Close(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d bytes delivered: %q\n", w.Result().Bytes, got.String())
	// Output:
	// 18 bytes delivered: "line one\nline two\n"
}
