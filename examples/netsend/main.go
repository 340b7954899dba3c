// Command netsend sends a file or its standard input to a netrecv receiver
// (package stream/transport) over TLS, and waits until the receiver has
// consumed and accepted it.
//
// Usage:
//
//	zfs send tank/home@monday | netsend -addr backup:7070 -ca ca.pem -cert client.pem -key client-key.pem -dataset tank/home
//	netsend -addr backup:7070 -ca ca.pem -cert client.pem -key client-key.pem -in home.stream -dataset tank/home -meta snapshot=monday
//
// A dropped connection is resumed automatically. With -in FILE, a transfer
// whose sender died can also be continued by a new netsend with the same
// -id and -resume, while the receiver still holds it.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/transport"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "netsend:", describe(err))
		os.Exit(1)
	}
}

// pairs is a repeatable key=value flag.
type pairs map[string]string

func (p pairs) String() string { return fmt.Sprint(map[string]string(p)) }

func (p pairs) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q is not key=value", s)
	}
	p[k] = v
	return nil
}

// specList is a repeatable name[:k=v,k=v] flag.
type specList []stream.Spec

func (l *specList) String() string { return fmt.Sprint(*l) }

func (l *specList) Set(s string) error {
	name, params, _ := strings.Cut(s, ":")
	spec := stream.Spec{Name: name}
	if params != "" {
		spec.Params = map[string]string{}
		for _, kv := range strings.Split(params, ",") {
			if err := pairs(spec.Params).Set(kv); err != nil {
				return err
			}
		}
	}
	*l = append(*l, spec)
	return nil
}

type options struct {
	addr, ca, cert, key, serverName string
	plaintext                       bool
	in, id                          string
	resume                          bool
	header                          transport.Header
	frame, window                   int
}

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{header: transport.Header{Meta: map[string]string{}}}
	fs := flag.NewFlagSet("netsend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "", "receiver host:port")
	fs.StringVar(&o.ca, "ca", "", "CA certificate (PEM) to trust the receiver with; default the system roots")
	fs.StringVar(&o.cert, "cert", "", "client certificate (PEM) for mutual TLS")
	fs.StringVar(&o.key, "key", "", "client private key (PEM)")
	fs.StringVar(&o.serverName, "server-name", "", "expected name in the receiver's certificate (default: host of -addr)")
	fs.BoolVar(&o.plaintext, "insecure-plaintext", false, "send over plain TCP without TLS (trusted networks only)")
	fs.StringVar(&o.in, "in", "", "file to send (default standard input)")
	fs.StringVar(&o.header.Dataset, "dataset", "", "dataset name announced to the receiver")
	fs.StringVar(&o.id, "id", "", "transfer ID (default random)")
	fs.BoolVar(&o.resume, "resume", false, "continue transfer -id, which the receiver still holds (needs -in)")
	fs.Var(pairs(o.header.Meta), "meta", "key=value metadata (repeatable)")
	fs.Var((*specList)(&o.header.Transforms), "transform", "transform applied to the stream, name[:k=v,...] (repeatable; informational)")
	fs.IntVar(&o.frame, "frame-size", transport.DefaultFrameSize, "data frame size in bytes")
	fs.IntVar(&o.window, "window", transport.DefaultWindow, "unacknowledged bytes in flight (raise for long fat networks)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case o.addr == "":
		return nil, errors.New("-addr is required")
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	case o.resume && (o.id == "" || o.in == ""):
		return nil, errors.New("-resume needs -id and -in")
	case (o.cert == "") != (o.key == ""):
		return nil, errors.New("-cert and -key go together")
	}
	o.header.ID = o.id
	return o, nil
}

func clientTLS(o *options) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: o.serverName, MinVersion: tls.VersionTLS13}
	if o.ca != "" {
		pem, err := os.ReadFile(o.ca)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no certificates", o.ca)
		}
	}
	if o.cert != "" {
		cert, err := tls.LoadX509KeyPair(o.cert, o.key)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	s := &transport.Sender{Addr: o.addr, FrameSize: o.frame, Window: o.window}
	if !o.plaintext {
		if s.TLSConfig, err = clientTLS(o); err != nil {
			return err
		}
	}
	var src transport.Source = transport.ReaderSource(stdin)
	if o.in != "" {
		fi, err := os.Stat(o.in)
		if err != nil {
			return err
		}
		o.header.Size = fi.Size()
		src = transport.FileSource(o.in)
	}
	start := time.Now()
	var res *transport.Result
	if o.resume {
		res, err = s.Resume(ctx, src, o.header)
	} else {
		res, err = s.Send(ctx, src, o.header)
	}
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(stdout, "sent %d bytes in %.2fs (%.1f MB/s), transfer %s, xxh3 %016x, %d reconnects\n",
		res.Bytes, secs, float64(res.Bytes)/1e6/secs, res.ID, res.Checksum, res.Reconnects)
	if res.Message != "" {
		fmt.Fprintf(stdout, "receiver: %s\n", res.Message)
	}
	return nil
}

// describe adds a hint for the typed transport errors.
func describe(err error) string {
	var rej *transport.RejectedError
	switch {
	case errors.As(err, &rej):
		return "the receiver refused the stream: " + rej.Message
	case errors.Is(err, transport.ErrRefused):
		return err.Error() + " (is netrecv running?)"
	case errors.Is(err, transport.ErrTLS):
		return err.Error() + " (check -ca, -cert, -key and -server-name)"
	case errors.Is(err, transport.ErrChecksum):
		return err.Error() + " (the stream was damaged in transit; send it again)"
	}
	return err.Error()
}
