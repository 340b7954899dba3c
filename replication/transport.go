package replication

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/recv"
	"github.com/gozfs/gozfs/send"
	"github.com/gozfs/gozfs/stream"
	"github.com/gozfs/gozfs/stream/transport"
	"github.com/gozfs/gozfs/zfs"
)

// Metadata keys of a replication transfer's header (transport.Header.Meta).
const (
	// MetaForce asks the Receiver for zfs receive -F: a forced run's first
	// full stream over a target without snapshots, or over a placeholder.
	MetaForce = "gozfs.replication.force"
	// MetaSnapshot is the snapshot sent (the source's name), or the resume
	// token's snapshot.
	MetaSnapshot = "gozfs.replication.snapshot"
)

// overTransport sends one step's stream to a Receiver.
func (r *runner) overTransport(ctx context.Context, dp *DatasetPlan, st *Step, snap string, sopts send.Options, ropts recv.Options) ([]string, error) {
	s, err := send.Reader(ctx, r.src, snap, sopts)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	h := transport.Header{
		Dataset:    dp.Target,
		Size:       st.Size,
		Transforms: stream.Specs(r.opts.Transforms...),
		Meta:       map[string]string{MetaSnapshot: st.To},
	}
	if ropts.Force {
		h.Meta[MetaForce] = "1"
	}
	cr := &captureReader{s: s}
	res, err := r.opts.Transport.SendReader(ctx, cr, h)
	if err != nil {
		// zfs send's own failure is the more useful error when the stream
		// broke on the sending side.
		var se *errors.Error
		if serr := cr.failure(); errors.As(serr, &se) && se.Op == "send" {
			return nil, errors.Join(serr, err)
		}
		return nil, err
	}
	var got []string
	for _, line := range strings.Split(res.Message, "\n") {
		if line != "" {
			got = append(got, line)
		}
	}
	return got, nil
}

// captureReader reads a send stream for the transport, remembering the
// stream's failure; closing it closes the stream (stopping zfs send).
type captureReader struct {
	s   *send.Stream
	mu  sync.Mutex
	err error
}

func (c *captureReader) Read(p []byte) (int, error) {
	n, err := c.s.Read(p)
	if err != nil && err != io.EOF {
		c.mu.Lock()
		if c.err == nil {
			c.err = err
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *captureReader) Close() error { return c.s.Close() }

func (c *captureReader) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Receiver is the receiving end of replication over stream/transport: a
// transport.Handler that receives each transfer into the dataset its header
// names, with a resumable zfs receive (-s) through Client. Serve it on the
// target host with a transport.Server, and give the sending side's Run a
// RunOptions.Transport sender that reaches it.
//
// Only datasets at or below Root are accepted; others are rejected at hello
// time, before any data is sent. The stream's transforms (from the header's
// Specs) are rebuilt with Registry, whose factories hold this side's keys.
// The receive options come from Options, the receiving side's policy, not
// from the sender: a sender can ask only for -F (MetaForce), which is honoured
// when AllowForce is set. On success the transfer's message lists the
// snapshots received, one per line; on failure the sender sees the error's
// text, and a resumable receive keeps its partial state, which the sending
// side resumes through its target client.
type Receiver struct {
	// Client runs zfs receive on this host.
	Client *zfs.Client
	// Root is the dataset under which transfers may be received.
	Root string
	// Options is the template of every receive (NoMount, SetProperties,
	// ExcludeProperties, Verify, ...). Resumable is always set; Force only
	// for transfers that ask for it, with AllowForce.
	Options recv.Options
	// Registry rebuilds the transforms named in a transfer's header. Nil
	// accepts only transfers without transforms.
	Registry *stream.Registry
	// AllowForce lets senders ask for zfs receive -F, which a forced run
	// needs to receive over a target without snapshots.
	AllowForce bool
}

var _ transport.Handler = (*Receiver)(nil)

// ServeTransfer implements transport.Handler.
func (rc *Receiver) ServeTransfer(ctx context.Context, t *transport.Transfer, r io.Reader) error {
	const op = "receive"
	if rc.Client == nil {
		return errs.InvalidArgumentf(op, t.Dataset, "the receiver has no client")
	}
	if err := names.Dataset(t.Dataset); err != nil {
		return errs.WithOp(err, op)
	}
	if t.Dataset != rc.Root && !within(t.Dataset, rc.Root) {
		return errs.Newf(errors.Permission, op, t.Dataset, "%s is not below %s", t.Dataset, rc.Root)
	}
	opts := rc.Options
	opts.Resumable = true
	opts.Force = false
	if t.Meta[MetaForce] == "1" {
		if !rc.AllowForce {
			return errs.Newf(errors.Permission, op, t.Dataset, "forced receive (-F) is not allowed here")
		}
		opts.Force = true
	}
	if len(t.Transforms) > 0 {
		if rc.Registry == nil {
			return errs.InvalidArgumentf(op, t.Dataset, "transforms %v sent but the receiver has no registry", t.Transforms)
		}
		ts, err := rc.Registry.Build(t.Transforms...)
		if err != nil {
			return fmt.Errorf("%s: %w", t.Dataset, err)
		}
		opts.Transforms = append(stream.Readers(ts...), opts.Transforms...)
	}
	res, err := recv.Into(ctx, rc.Client, t.Dataset, r, opts)
	if err != nil {
		return err
	}
	t.Message = strings.Join(res.Snapshots, "\n")
	return nil
}
