package replication

import (
	"context"
	"sync"

	"github.com/gozfs/gozfs/send"
)

// Estimate fills in the Size of every step of the datasets a run would send
// (Create, Update, and Blocked ones that a forced run sends), from dry runs
// of zfs send (send.Estimate) with the stream options of opts.Send, up to
// opts.Parallel at a time: one command per step. A step whose estimate fails
// keeps Size 0 (unknown), and Estimate returns the first such error after
// trying every step. Run calls it when RunOptions.Progress is set and the
// plan has no estimates yet; call it yourself to print sizes with %+v.
func (p *Plan) Estimate(ctx context.Context, opts RunOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	var jobs []*Step
	for _, dp := range p.Datasets {
		switch dp.Action {
		case Create, Update, Blocked:
			for i := range dp.Steps {
				jobs = append(jobs, &dp.Steps[i])
			}
		}
	}
	sem := make(chan struct{}, max(opts.Parallel, 1))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, st := range jobs {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			o := stepSendOptions(opts.Send, st)
			snap := st.To
			if st.ResumeToken != "" {
				snap = ""
			}
			n, err := send.Estimate(ctx, p.Source.Client, snap, o)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if first == nil {
					first = err
				}
				return
			}
			st.Size = n
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// stepSendOptions returns the send options of a step from the template.
func stepSendOptions(t send.Options, st *Step) send.Options {
	if st.ResumeToken != "" {
		return resumeSendOptions(t, st.ResumeToken)
	}
	t.From, t.Intermediates = st.From, st.Intermediates
	return t
}

// resumeSendOptions are the options of a send resumed from token: the token
// carries the stream's identity and flags, the template adds block flags.
func resumeSendOptions(t send.Options, token string) send.Options {
	return send.Options{ResumeToken: token, Raw: t.Raw, Compressed: t.Compressed,
		LargeBlocks: t.LargeBlocks, Embedded: t.Embedded, BufferSize: t.BufferSize}
}

// estimated reports whether any step has a size.
func (p *Plan) estimated() bool {
	for _, dp := range p.Datasets {
		for _, st := range dp.Steps {
			if st.Size > 0 {
				return true
			}
		}
	}
	return false
}

// totalSize sums the sizes of the steps a run sends.
func (p *Plan) totalSize() int64 {
	var n int64
	for _, dp := range p.Datasets {
		if dp.Action == Create || dp.Action == Update {
			for _, st := range dp.Steps {
				n += st.Size
			}
		}
	}
	return n
}
