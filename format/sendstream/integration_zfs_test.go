//go:build zfs

package sendstream_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/gozfs/gozfs/format/sendstream"
	"github.com/gozfs/gozfs/internal/ztest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// receive runs `zfs receive args...` with stdin as its input and returns
// its error.
func receive(t *testing.T, stdin *sendstream.VerifyingReader, args ...string) error {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "zfs", append([]string{"receive"}, args...)...)
	cmd.Stdin = stdin
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if err != nil {
		t.Logf("zfs receive %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return err
}

func exists(name string) bool {
	_, err := ztest.Try("zfs", "list", "-H", "-o", "name", name)
	return err == nil
}

// TestIntegrationVerifyingReaderIntoReceive sends real streams through a
// VerifyingReader into zfs receive: valid streams are received, damaged
// and truncated ones are not, and an interrupted resumable receive leaves a
// token that matches the snapshot.
func TestIntegrationVerifyingReaderIntoReceive(t *testing.T) {
	pool := ztest.NewPool(t, ztest.PoolOptions{})
	fs := pool.Name + "/src"
	ztest.Run(t, "zfs", "create", fs)
	mnt := filepath.Join(pool.AltRoot, pool.Name, "src")
	var text bytes.Buffer
	for i := 0; i < 20000; i++ {
		text.WriteString("line " + strconv.Itoa(i) + " of a file that compresses well\n")
	}
	require.NoError(t, os.WriteFile(filepath.Join(mnt, "data.txt"), text.Bytes(), 0o644))
	ztest.Run(t, "zfs", "snapshot", fs+"@s")
	guid, err := strconv.ParseUint(strings.TrimSpace(ztest.Run(t, "zfs", "get", "-Hp", "-o", "value", "guid", fs+"@s")), 10, 64)
	require.NoError(t, err)
	stream := []byte(ztest.Run(t, "zfs", "send", fs+"@s"))

	sum, err := sendstream.Scan(bytes.NewReader(stream), sendstream.Options{})
	require.NoError(t, err, "Scan = %+v", sum)
	require.Len(t, sum.Substreams, 1, "Scan = %+v", sum)
	require.Equal(t, guid, sum.Substreams[0].Begin.ToGUID, "Scan = %+v", sum)
	var mid int64 = -1
	for rec, err := range sendstream.NewReader(bytes.NewReader(stream), sendstream.Options{}).All() {
		require.NoError(t, err)
		if rec.Type == sendstream.TypeWrite && rec.Offset > int64(len(stream))/2 && mid < 0 {
			mid = rec.Offset + sendstream.HeaderSize + rec.PayloadLen/2
		}
	}
	require.GreaterOrEqual(t, mid, int64(0), "no WRITE record in the second half of the stream")

	require.NoError(t, receive(t, sendstream.NewVerifyingReader(bytes.NewReader(stream), sendstream.Options{}), pool.Name+"/ok"), "valid stream not received")
	require.True(t, exists(pool.Name+"/ok@s"), "received snapshot missing")

	bad := bytes.Clone(stream)
	bad[mid] ^= 0x20
	assert.Error(t, receive(t, sendstream.NewVerifyingReader(bytes.NewReader(bad), sendstream.Options{}), pool.Name+"/bad"), "damaged stream received without error")
	assert.False(t, exists(pool.Name+"/bad@s"), "damaged stream created a snapshot")

	cut := stream[:mid]
	assert.Error(t, receive(t, sendstream.NewVerifyingReader(bytes.NewReader(cut), sendstream.Options{}), "-s", pool.Name+"/part"), "truncated stream received without error")
	assert.False(t, exists(pool.Name+"/part@s"), "truncated stream created a snapshot")
	tokStr := strings.TrimSpace(ztest.Run(t, "zfs", "get", "-H", "-o", "value", "receive_resume_token", pool.Name+"/part"))
	tok, err := resumetoken.Decode(tokStr)
	require.NoError(t, err, "resume token %q", tokStr)
	assert.NoError(t, tok.Validate(fs+"@s", guid), "token does not match the snapshot")
	assert.NotZero(t, tok.Bytes, "token bytes = %d, stream cut at %d", tok.Bytes, mid)
	assert.LessOrEqual(t, tok.Bytes, uint64(mid), "token bytes = %d, stream cut at %d", tok.Bytes, mid)

	// Resume with zfs send -t; the resumed stream verifies and completes
	// the receive.
	resumed := []byte(ztest.Run(t, "zfs", "send", "-t", tokStr))
	rs, err := sendstream.Scan(bytes.NewReader(resumed), sendstream.Options{})
	require.NoError(t, err, "resumed stream: %+v", rs)
	require.True(t, rs.Substreams[0].Begin.Features.Has(sendstream.FeatureResuming), "resumed stream: %+v", rs)
	require.NoError(t, receive(t, sendstream.NewVerifyingReader(bytes.NewReader(resumed), sendstream.Options{}), "-s", pool.Name+"/part"), "resumed stream not received")
	assert.True(t, exists(pool.Name+"/part@s"), "resumed receive did not create the snapshot")
}
