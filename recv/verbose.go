package recv

import (
	"bytes"
	"strings"
	"sync"

	"github.com/gozfs/gozfs/internal/names"
)

// maxReported bounds the snapshot names kept from zfs receive -v output.
const maxReported = 100000

// verboseLog collects what zfs receive -v reports on standard output, one
// line per substream begun, and one when it has been received (committed):
//
//	receiving full stream of tank/a@s1 into pool/b@s1
//	received 4.05M stream in 1.91 seconds (2.13M/sec)
//	receiving incremental stream of tank/a@s2 into pool/b@s2
//	snap pool/b@s2 already exists; ignoring
//	received 0B stream in 0.01 seconds (0B/sec)
//	would receive full stream of tank/a@s1 into pool/b@s1     (with -n)
//	receiving corrective full stream of tank/a@s1 into pool/b@s1
//
// It is written to by the runner's output copier and read after the command
// has exited; the mutex covers runners that write from other goroutines.
type verboseLog struct {
	target string

	mu      sync.Mutex
	partial []byte
	subs    []substream
}

// substream is one "receiving ... into name" line and what followed it.
type substream struct {
	name     string
	received bool // a "received ... stream" line followed
	skipped  bool // zfs said the snapshot already exists and ignored it
}

func (v *verboseLog) Write(p []byte) (int, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if len(v.partial) < 4096 {
				v.partial = append(v.partial, p[:min(len(p), 4096-len(v.partial))]...)
			}
			break
		}
		line := string(append(v.partial, p[:i]...))
		v.partial = v.partial[:0]
		p = p[i+1:]
		v.line(line)
	}
	return n, nil
}

// line takes one line of output.
func (v *verboseLog) line(line string) {
	if s, ok := parseReceiving(line, v.target); ok {
		// zfs begins a substream only once the one before it succeeded.
		if len(v.subs) > 0 {
			v.subs[len(v.subs)-1].received = true
		}
		if len(v.subs) < maxReported {
			v.subs = append(v.subs, substream{name: s})
		}
		return
	}
	if len(v.subs) == 0 {
		return
	}
	last := &v.subs[len(v.subs)-1]
	switch {
	case strings.HasPrefix(line, "received ") && strings.Contains(line, " stream in "):
		last.received = true
	case strings.HasPrefix(line, "snap ") && strings.HasSuffix(strings.TrimRight(line, "\r"), " already exists; ignoring"):
		last.skipped = true
	}
}

// result sums up the substreams reported so far. ok says whether zfs
// receive succeeded: then every substream begun was received, even if its
// "received" line went missing.
func (v *verboseLog) result(ok, dryRun bool) *Result {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.partial) > 0 {
		v.line(string(v.partial))
		v.partial = v.partial[:0]
	}
	res := &Result{}
	for i, s := range v.subs {
		switch {
		case dryRun:
			res.Snapshots = append(res.Snapshots, s.name)
		case s.skipped:
			res.Skipped = append(res.Skipped, s.name)
		case s.received || ok:
			res.Snapshots = append(res.Snapshots, s.name)
		case i == len(v.subs)-1:
			res.Incomplete = s.name
		}
	}
	return res
}

// parseReceiving extracts the destination snapshot from a "receiving ...
// stream of <sent> into <dest>" line. Names may contain spaces, so " into "
// may occur inside them; the split chosen is the first whose right side is a
// valid snapshot name in the target's pool (or, failing that, any valid
// snapshot name).
func parseReceiving(line, target string) (string, bool) {
	line = strings.TrimRight(line, "\r")
	rest, ok := strings.CutPrefix(line, "receiving ")
	if !ok {
		if rest, ok = strings.CutPrefix(line, "would receive "); !ok {
			return "", false
		}
	}
	i := strings.Index(rest, " stream of ")
	if i < 0 {
		return "", false
	}
	rest = rest[i+len(" stream of "):]
	pool := names.PoolOf(target)
	fallback := ""
	for off := 0; ; {
		j := strings.Index(rest[off:], " into ")
		if j < 0 {
			break
		}
		dest := rest[off+j+len(" into "):]
		off += j + 1
		if names.Snapshot(dest) != nil {
			continue
		}
		if names.PoolOf(dest) == pool {
			return dest, true
		}
		if fallback == "" {
			fallback = dest
		}
	}
	return fallback, fallback != ""
}
