//go:build linux

package transport_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gozfs/gozfs/stream/transport"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// netnsPair is two network namespaces created by the test, joined by a veth
// pair with 10.213.7.1 (sender side) and 10.213.7.2 (receiver side). The
// addresses exist only inside these namespaces, so all traffic stays there.
type netnsPair struct {
	sender, receiver string // namespace names
	senderIf         string
}

const netnsSenderIP = "10.213.7.1"

func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %v: %v: %s", args, err, out)
	}
	return nil
}

func newNetnsPair(t *testing.T) *netnsPair {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("ip (iproute2) not installed")
	}
	id := os.Getpid() % 100000
	p := &netnsPair{
		sender:   fmt.Sprintf("gzxfer-s-%d", id),
		receiver: fmt.Sprintf("gzxfer-r-%d", id),
		senderIf: fmt.Sprintf("gzs%d", id),
	}
	recvIf := fmt.Sprintf("gzr%d", id)
	if err := ipCmd("netns", "add", p.sender); err != nil {
		t.Skipf("cannot create network namespaces here: %v", err)
	}
	t.Cleanup(func() { ipCmd("netns", "del", p.sender) })
	require.NoError(t, ipCmd("netns", "add", p.receiver))
	t.Cleanup(func() { ipCmd("netns", "del", p.receiver) })
	steps := [][]string{
		{"link", "add", p.senderIf, "netns", p.sender, "type", "veth", "peer", "name", recvIf, "netns", p.receiver},
		{"-n", p.sender, "addr", "add", netnsSenderIP + "/30", "dev", p.senderIf},
		{"-n", p.receiver, "addr", "add", netnsServerIP + "/30", "dev", recvIf},
		{"-n", p.sender, "link", "set", p.senderIf, "up"},
		{"-n", p.receiver, "link", "set", recvIf, "up"},
		{"-n", p.sender, "link", "set", "lo", "up"},
		{"-n", p.receiver, "link", "set", "lo", "up"},
	}
	for _, s := range steps {
		require.NoError(t, ipCmd(s...))
	}
	return p
}

// inNetns runs fn on a thread switched into the named namespace. Sockets
// created by fn belong to that namespace for their whole life.
func inNetns(name string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()))
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer orig.Close()
		target, err := os.Open("/run/netns/" + name)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		err = fn()
		// Only a thread that made it back may serve other goroutines; one
		// that did not stays locked and exits with this goroutine.
		if unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

// txBytes reads an interface's transmit counter inside a namespace.
func txBytes(t *testing.T, ns, dev string) int64 {
	out, err := exec.Command("ip", "-n", ns, "-s", "-j", "link", "show", "dev", dev).Output()
	require.NoError(t, err, "ip link show")
	var links []struct {
		Stats64 struct {
			TX struct {
				Bytes int64 `json:"bytes"`
			} `json:"tx"`
		} `json:"stats64"`
	}
	require.NoError(t, json.Unmarshal(out, &links), "parsing ip output %s", out)
	require.Len(t, links, 1, "parsing ip output %s", out)
	return links[0].Stats64.TX.Bytes
}

// TestNetns delivers a stream with mutual TLS between two network
// namespaces over a veth pair, with the first connection cut mid-transfer.
func TestNetns(t *testing.T) {
	p := newNetnsPair(t)
	pki := newTestPKI(t)

	var ln net.Listener
	err := inNetns(p.receiver, func() (err error) {
		ln, err = net.Listen("tcp", net.JoinHostPort(netnsServerIP, "0"))
		return err
	})
	require.NoError(t, err)
	h := newRecordingHandler()
	addr := serveOn(t, &transport.Server{Handler: h, TLSConfig: pki.serverTLS(true)}, ln)

	// The first connection dies after about 5 MiB; later ones live.
	k := &killer{}
	k.budget.Store(5 << 20)
	var dials atomic.Int32
	dial := func(ctx context.Context, network, a string) (c net.Conn, err error) {
		if dials.Add(1) > 1 {
			k.budget.Store(1 << 62)
		}
		err = inNetns(p.sender, func() error {
			c, err = k.dial(ctx, network, a)
			return err
		})
		return c, err
	}

	before := txBytes(t, p.sender, p.senderIf)
	data := randomBytes(24<<20, 42)
	s := &transport.Sender{Addr: addr, TLSConfig: pki.clientTLS(true), DialContext: dial, ReconnectBackoff: 10 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := s.SendReader(ctx, bytes.NewReader(data), transport.Header{Dataset: "netns/test"})
	require.NoError(t, err, "SendReader")
	got := waitReceived(t, h)
	require.Equal(t, int64(len(data)), got.n, "receiver got %d bytes, not the stream sent", got.n)
	require.Equal(t, sha256.Sum256(data), got.sum, "receiver got %d bytes, not the stream sent", got.n)
	assert.GreaterOrEqual(t, res.Reconnects, 1, "no reconnect after the cut: %+v", res)
	assert.Equal(t, netnsSenderIP, got.info.RemoteAddr.(*net.TCPAddr).IP.String(), "receiver saw the sender at %v", got.info.RemoteAddr)
	sent := txBytes(t, p.sender, p.senderIf) - before
	assert.GreaterOrEqual(t, sent, int64(len(data)), "the veth carried only %d bytes of a %d-byte stream", sent, len(data))
}
