package zfs

import (
	"io"
	"strings"
	"sync"
)

// Sizes of a blockPipe: how much output one block gathers before it is handed
// to the reader, and how many handed-over blocks may wait for it.
const (
	pipeBlock = 64 << 10
	pipeDepth = 16
)

// blockPipe connects a command's standard output to a line-oriented parser
// without a second copy: what the command writes is appended to a block, and
// each block's complete lines are handed to the reader whole, as a string
// that is never written again, so the parser's lines and fields can be
// substrings of it. Up to pipeDepth blocks wait for the reader, so the writer
// (the goroutine copying the command's output) keeps going while the reader
// parses; memory stays bounded because the writer then waits.
//
// The zero value is not usable; see newBlockPipe.
type blockPipe struct {
	blocks chan block
	done   chan struct{} // closed when the reader stops
	stop   sync.Once

	mu     sync.Mutex // serializes writers
	hook   func(string) any
	sb     strings.Builder // the current block
	handed int             // bytes of sb handed over
	closed bool
	err    error // the writer's close error, read after blocks is closed

	cur string // the block Read is copying from
}

func newBlockPipe() *blockPipe {
	return &blockPipe{blocks: make(chan block, pipeDepth), done: make(chan struct{})}
}

// block is one handed-over block, with what the hook made of it.
type block struct {
	s   string
	aux any
}

// setHook makes the writer call hook on every block before handing it over,
// passing the result along with it. It must be set before the first write.
func (p *blockPipe) setHook(hook func(blk string) any) {
	p.mu.Lock()
	p.hook = hook
	p.mu.Unlock()
}

// Write appends b to the current block and hands its complete lines over,
// when the block fills and at the end of the write, so that output reaches
// the parser as it arrives, however it trickles in. (Writers write what they
// have in large pieces: a command's output arrives through io.Copy.) It
// fails with errStopped once the reader has stopped.
func (p *blockPipe) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, io.ErrClosedPipe
	}
	select {
	case <-p.done:
		return 0, errStopped
	default:
	}
	n := len(b)
	for len(b) > 0 {
		if p.sb.Cap() == 0 {
			p.sb.Grow(pipeBlock)
		}
		if room := p.sb.Cap() - p.sb.Len(); room > 0 {
			k := min(room, len(b))
			p.sb.Write(b[:k])
			b = b[k:]
		}
		if p.sb.Len() == p.sb.Cap() {
			if err := p.handOver(false); err != nil {
				return n - len(b), err
			}
		}
	}
	if err := p.handOver(false); err != nil {
		return n, err
	}
	return n, nil
}

// handOver gives the reader the complete lines of the current block not
// handed over yet (with final, everything left). Handed-over bytes are never
// written again: later writes go after them, and a full block continues in a
// new allocation holding only its unfinished last line (bigger, if that line
// fills the block).
func (p *blockPipe) handOver(final bool) error {
	s := p.sb.String()
	from, cut := p.handed, len(s)
	if !final {
		cut = max(from, strings.LastIndexByte(s, '\n')+1)
	}
	if !final && p.sb.Len() == p.sb.Cap() {
		rest := s[cut:]
		p.sb = strings.Builder{}
		p.sb.Grow(max(pipeBlock, 2*len(rest)))
		p.sb.WriteString(rest)
		p.handed = 0
	} else {
		p.handed = cut
	}
	if cut == from {
		return nil
	}
	b := block{s: s[from:cut]}
	if p.hook != nil {
		b.aux = p.hook(b.s)
	}
	select {
	case p.blocks <- b:
		return nil
	case <-p.done:
		return errStopped
	}
}

// CloseWithError hands over what is left, even without a final newline, and
// ends the reader's input: with io.EOF when err is nil, else with err.
func (p *blockPipe) CloseWithError(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	if p.sb.Len() > 0 {
		_ = p.handOver(true) // fails only when the reader has stopped
	}
	p.err = err
	close(p.blocks)
}

// queued returns how many handed-over blocks wait for the reader.
func (p *blockPipe) queued() int { return len(p.blocks) }

// nextBlock returns the next block of complete lines (the last one may lack
// its newline), or the writer's close error, io.EOF when there was none.
func (p *blockPipe) nextBlock() (block, error) {
	b, ok := <-p.blocks
	if !ok {
		if p.err != nil {
			return block{}, p.err
		}
		return block{}, io.EOF
	}
	return b, nil
}

// Read copies from the blocks, for readers that want bytes.
func (p *blockPipe) Read(b []byte) (int, error) {
	for p.cur == "" {
		b, err := p.nextBlock()
		if err != nil {
			return 0, err
		}
		p.cur = b.s
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// stopReading tells the writer the reader is gone: its writes fail from now
// on, including one waiting to hand over a block.
func (p *blockPipe) stopReading() {
	p.stop.Do(func() { close(p.done) })
}

// drain discards the rest of the input, so the writer can finish.
func (p *blockPipe) drain() {
	for range p.blocks {
	}
}
