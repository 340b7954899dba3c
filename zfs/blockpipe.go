package zfs

import (
	"io"
	"strings"
	"sync"
)

// Sizes of a blockPipe: the smallest buffer a block is written into (the
// lines of successive writes share it until it is full), and how many
// handed-over blocks may wait for the reader.
const (
	pipeBlock = 64 << 10
	pipeDepth = 8
)

// blockPipe connects a command's standard output to a line-oriented parser
// without a second copy: what the command writes is appended to a buffer,
// and each write's complete lines are handed to the reader as one block, a
// string
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
// so that output reaches the parser as it arrives, however it trickles in.
// When b does not fit, the block continues in a new allocation big enough
// for it, holding the unfinished last line: handed-over bytes are never
// written again. It fails with errStopped once the reader has stopped.
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
	if p.sb.Cap()-p.sb.Len() < len(b) {
		rest := p.sb.String()[p.handed:]
		p.sb = strings.Builder{}
		p.sb.Grow(max(pipeBlock, len(rest)+len(b)))
		p.sb.WriteString(rest)
		p.handed = 0
	}
	p.sb.Write(b)
	return len(b), p.handOver(false)
}

// handOver gives the reader the complete lines of the current block not
// handed over yet (with final, everything left).
func (p *blockPipe) handOver(final bool) error {
	s := p.sb.String()
	from, cut := p.handed, len(s)
	if !final {
		cut = max(from, strings.LastIndexByte(s, '\n')+1)
	}
	if cut == from {
		return nil
	}
	p.handed = cut
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
