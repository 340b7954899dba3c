package recv_test

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/gozfs/gozfs/zfs"
	"github.com/stretchr/testify/require"
)

// sendStream builds a valid single-substream send stream of toname with
// blocks WRITE records of blockSize random bytes each.
func sendStream(t testing.TB, toname string, blocks, blockSize int) []byte {
	t.Helper()
	le := binary.LittleEndian
	var out bytes.Buffer
	f := sendstream.NewFletcher4(le)
	record := func(typ uint32, fill func(h []byte), payload []byte) {
		h := make([]byte, sendstream.HeaderSize)
		le.PutUint32(h[0:], typ)
		fill(h)
		f.Update(h[:280])
		if typ != uint32(sendstream.TypeBegin) {
			sum := f.Sum()
			for i, w := range sum {
				le.PutUint64(h[280+8*i:], w)
			}
		}
		f.Update(h[280:])
		f.Update(payload)
		out.Write(h)
		out.Write(payload)
	}
	const guid = 0x1234abcd
	record(uint32(sendstream.TypeBegin), func(h []byte) {
		le.PutUint64(h[8:], sendstream.Magic)
		le.PutUint64(h[16:], sendstream.VersionInfo(sendstream.Substream, 0))
		le.PutUint64(h[24:], 1700000000)
		le.PutUint32(h[32:], sendstream.ObjsetZFS)
		le.PutUint64(h[40:], guid)
		copy(h[56:], toname)
	}, nil)
	for i := range blocks {
		data := make([]byte, blockSize)
		rand.Read(data)
		record(uint32(sendstream.TypeWrite), func(h []byte) {
			le.PutUint64(h[8:], 128)                  // object
			le.PutUint32(h[16:], 19)                  // type: plain file contents
			le.PutUint64(h[24:], uint64(i*blockSize)) // offset
			le.PutUint64(h[32:], uint64(blockSize))   // logical size
			le.PutUint64(h[40:], guid)                // toguid
			h[48] = 7                                 // checksum type
		}, data)
	}
	end := f.Sum()
	record(uint32(sendstream.TypeEnd), func(h []byte) {
		for i, w := range end {
			le.PutUint64(h[8+8*i:], w)
		}
		le.PutUint64(h[40:], guid)
	}, nil)
	b := out.Bytes()
	_, err := sendstream.Scan(bytes.NewReader(b), sendstream.Options{})
	require.NoError(t, err, "test stream does not verify")
	return b
}

// fakeZFS returns a client whose zfs is a shell script run by the real exec
// runner, and the directory it runs in ($DIR). The script sees the zfs
// arguments as "$@".
func fakeZFS(t testing.TB, script string) (*zfs.Client, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "zfs")
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\nDIR="+dir+"\n"+script+"\n"), 0o755))
	r := &command.Exec{Paths: map[string]string{"zfs": path}, GracePeriod: 2 * time.Second}
	return zfs.New(zfs.ClientOptions{Runner: r}), dir
}

// readPid waits for the fake to write its pid to dir/name.
func readPid(t *testing.T, dir, name string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if s := strings.TrimSpace(string(b)); err == nil && s != "" {
			pid, err := strconv.Atoi(s)
			require.NoError(t, err)
			return pid
		}
		require.False(t, time.Now().After(deadline), "fake zfs did not write %s", name)
		time.Sleep(10 * time.Millisecond)
	}
}

func gone(pid int) bool { return syscall.Kill(pid, 0) == syscall.ESRCH }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
