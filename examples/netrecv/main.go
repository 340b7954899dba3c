// Command netrecv receives streams sent by netsend (package
// stream/transport) over TLS, and writes each to a file or pipes it into a
// command, e.g. `zfs receive`.
//
// Usage:
//
//	netrecv -listen :7070 -cert server.pem -key server-key.pem -client-ca ca.pem -out /backups
//	netrecv -listen :7070 -cert server.pem -key server-key.pem -client-ca ca.pem -- zfs receive -s -u tank/backup
//	netrecv -gen-certs ./pki -hosts 127.0.0.1,backup.example
//
// With a command after "--", each transfer runs it with the stream on
// standard input and the transfer's metadata in the environment
// (NETXFER_ID, NETXFER_DATASET, NETXFER_SIZE, NETXFER_TRANSFORMS and
// NETXFER_META_<KEY>); a non-zero exit rejects the transfer, and the
// command's last lines of standard error go back to the sender. With -out,
// each transfer is written to DIR/<dataset>.stream (slashes become '_'),
// synced, and renamed into place only once complete and verified.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/transport"
	"github.com/gozfs/gozfs/stream/transport/transporttest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "netrecv:", err)
		os.Exit(1)
	}
}

// options are netrecv's command line.
type options struct {
	listen, cert, key, clientCA string
	plaintext                   bool
	out                         string
	command                     []string
	datasets                    []string
	resumeTimeout               time.Duration
	once                        bool
	genCerts, hosts             string
}

func parse(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("netrecv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.listen, "listen", ":7070", "TCP address to listen on")
	fs.StringVar(&o.cert, "cert", "", "server certificate (PEM)")
	fs.StringVar(&o.key, "key", "", "server private key (PEM)")
	fs.StringVar(&o.clientCA, "client-ca", "", "CA certificate (PEM) that signs client certificates; enables mutual TLS")
	fs.BoolVar(&o.plaintext, "insecure-plaintext", false, "accept plain TCP without TLS (trusted networks only)")
	fs.StringVar(&o.out, "out", "", "directory to write received streams to")
	datasets := fs.String("datasets", "", "comma-separated datasets to accept; others are rejected at hello time")
	fs.DurationVar(&o.resumeTimeout, "resume-timeout", transport.DefaultResumeTimeout, "how long to wait for a sender to reconnect")
	fs.BoolVar(&o.once, "once", false, "exit after the first transfer")
	fs.StringVar(&o.genCerts, "gen-certs", "", "write a throwaway CA and server/client certificates to this directory and exit")
	fs.StringVar(&o.hosts, "hosts", "127.0.0.1,localhost", "with -gen-certs: the server certificate's host names and IPs")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: netrecv [flags] [-out DIR | -- command [args...]]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.command = fs.Args()
	if *datasets != "" {
		o.datasets = strings.Split(*datasets, ",")
	}
	switch {
	case o.genCerts != "":
	case (o.out == "") == (len(o.command) == 0):
		return nil, errors.New("give exactly one of -out DIR or a command after --")
	case !o.plaintext && (o.cert == "" || o.key == ""):
		return nil, errors.New("-cert and -key are required (or -insecure-plaintext)")
	}
	return o, nil
}

// run is main without the process exit. If ready is not nil it receives
// the listening address.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	if o.genCerts != "" {
		return genCerts(o.genCerts, strings.Split(o.hosts, ","))
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	srv := &transport.Server{ResumeTimeout: o.resumeTimeout, Logger: log}
	if !o.plaintext {
		if srv.TLSConfig, err = serverTLS(o); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h := &handler{o: o, log: log}
	srv.Handler = transport.HandlerFunc(func(ctx context.Context, t *transport.Transfer, r io.Reader) error {
		err := h.serve(ctx, t, r)
		if o.once {
			cancel()
		}
		return err
	})
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", o.listen)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", ln.Addr().String(), "tls", !o.plaintext, "mutual", o.clientCA != "")
	if ready != nil {
		ready(ln.Addr().String())
	}
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastErr
}

func serverTLS(o *options) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(o.cert, o.key)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	if o.clientCA != "" {
		pem, err := os.ReadFile(o.clientCA)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no certificates", o.clientCA)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

type handler struct {
	o   *options
	log *slog.Logger

	mu      sync.Mutex
	lastErr error // with -once: the transfer's outcome
}

func (h *handler) serve(ctx context.Context, t *transport.Transfer, r io.Reader) (err error) {
	log := h.log.With("id", t.ID, "dataset", t.Dataset, "from", t.RemoteAddr.String())
	start := time.Now()
	defer func() {
		if err != nil {
			log.Warn("transfer failed", "err", err)
		}
		h.mu.Lock()
		h.lastErr = err
		h.mu.Unlock()
	}()
	if len(h.o.datasets) > 0 && !slices.Contains(h.o.datasets, t.Dataset) {
		return fmt.Errorf("dataset %q is not accepted here", t.Dataset)
	}
	log.Info("receiving", "size", t.Size, "transforms", specs(t.Transforms))
	var n int64
	if h.o.out != "" {
		n, err = h.toFile(t, r)
	} else {
		n, err = h.toCommand(ctx, t, r)
	}
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	t.Message = fmt.Sprintf("stored %d bytes for %s", n, t.Dataset)
	log.Info("received", "bytes", n, "MB/s", fmt.Sprintf("%.1f", float64(n)/1e6/secs))
	return nil
}

func specs(ss []stream.Spec) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = s.String()
	}
	return strings.Join(parts, ",")
}

// fileName turns a dataset name into a file name.
func fileName(t *transport.Transfer) string {
	name := t.Dataset
	if name == "" {
		name = t.ID
	}
	name = strings.NewReplacer("/", "_", "\x00", "_").Replace(name)
	if name == "." || name == ".." || strings.HasPrefix(name, ".") {
		name = "_" + name
	}
	return name + ".stream"
}

func (h *handler) toFile(t *transport.Transfer, r io.Reader) (int64, error) {
	final := filepath.Join(h.o.out, fileName(t))
	f, err := os.CreateTemp(h.o.out, ".netrecv-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n, err := io.Copy(f, r) // returns only after the checksum matched
	if err != nil {
		return n, err
	}
	if err := f.Sync(); err != nil {
		return n, err
	}
	if err := f.Close(); err != nil {
		return n, err
	}
	return n, os.Rename(f.Name(), final)
}

func (h *handler) toCommand(ctx context.Context, t *transport.Transfer, r io.Reader) (int64, error) {
	cmd := exec.CommandContext(ctx, h.o.command[0], h.o.command[1:]...)
	cmd.Env = append(os.Environ(),
		"NETXFER_ID="+t.ID,
		"NETXFER_DATASET="+t.Dataset,
		fmt.Sprintf("NETXFER_SIZE=%d", t.Size),
		"NETXFER_TRANSFORMS="+specs(t.Transforms),
	)
	for k, v := range t.Meta {
		cmd.Env = append(cmd.Env, "NETXFER_META_"+envKey(k)+"="+v)
	}
	counter := &countingReader{r: r}
	cmd.Stdin = counter
	cmd.Stdout = os.Stdout
	var stderr tail
	cmd.Stderr = &stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) } // zfs receive -s keeps its state
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return counter.n, fmt.Errorf("%s: %w: %s", h.o.command[0], err, msg)
		}
		return counter.n, fmt.Errorf("%s: %w", h.o.command[0], err)
	}
	return counter.n, nil
}

func envKey(k string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, k)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// tail keeps the last 4 KiB written to it.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = t.b[len(t.b)-4096:]
	}
	return len(p), nil
}

func (t *tail) String() string { return string(bytes.ToValidUTF8(t.b, nil)) }

// genCerts writes a throwaway CA, a server certificate for hosts and a
// client certificate into dir.
func genCerts(dir string, hosts []string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	ca, err := transporttest.NewCA("netxfer CA")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca.CertPEM(), 0o644); err != nil {
		return err
	}
	for _, c := range []struct {
		name  string
		hosts []string
	}{{"server", hosts}, {"client", nil}} {
		cert, err := ca.Issue("netxfer "+c.name, c.hosts...)
		if err != nil {
			return err
		}
		certPEM, keyPEM, err := transporttest.EncodePEM(cert)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, c.name+".pem"), certPEM, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, c.name+"-key.pem"), keyPEM, 0o600); err != nil {
			return err
		}
	}
	return nil
}
