package recv

import (
	"io"

	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/gozfs/gozfs/stream"
)

// holdBack is how many bytes at the end of the stream are kept from zfs
// receive until the source has ended cleanly: two record headers, which
// cover the END record of the (last) substream and the final END record of
// a compound stream. zfs receive commits a substream when it reads its END
// record, so a stream whose source or transforms fail, even after the last
// byte of the send stream (a bad authentication tag or checksum trailer, a
// truncated encrypted stream), never reaches zfs receive complete.
const holdBack = 2 * sendstream.HeaderSize

// copyBufferSize is the size of the reads from the source.
const copyBufferSize = 256 << 10

// copyResult is the outcome of feeding zfs receive.
type copyResult struct {
	// readErr is the failure of the source or a transform (including
	// closing the transforms), never io.EOF.
	readErr error
	// writeErr is the failure to write to zfs receive, usually EPIPE
	// because it exited.
	writeErr error
	// cause is set when readErr happened while zfs receive was still
	// running, so that it is why the receive failed.
	cause bool
}

// feed copies src into dst, holding the last hold bytes back until src has
// returned io.EOF and closeSrc has succeeded. On a read error the held bytes
// are never written. closeSrc is always called once. Bytes written are
// counted into progress, if set.
func feed(dst io.Writer, src io.Reader, closeSrc func() error, hold int, progress *stream.Progress) (res copyResult) {
	closed := false
	defer func() {
		if !closed {
			_ = closeSrc()
		}
	}()
	buf := make([]byte, copyBufferSize+hold)
	held := 0
	write := func(b []byte) bool {
		m, err := dst.Write(b)
		if progress != nil && m > 0 {
			progress.Add(int64(m))
		}
		if err == nil && m < len(b) {
			err = io.ErrShortWrite
		}
		res.writeErr = err
		return err == nil
	}
	for {
		n, err := src.Read(buf[held:])
		held += n
		if held > hold {
			m := held - hold
			if !write(buf[:m]) {
				return res
			}
			held = copy(buf, buf[m:held])
		}
		switch {
		case err == io.EOF:
			closed = true
			if cerr := closeSrc(); cerr != nil {
				res.readErr = cerr
				return res
			}
			write(buf[:held])
			return res
		case err != nil:
			res.readErr = err
			return res
		}
	}
}
