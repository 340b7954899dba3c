package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// The test binary doubles as a fake zfs: with GOZFS_FAKE set it behaves as the
// named mode instead of running tests.
func TestMain(m *testing.M) {
	if mode := os.Getenv("GOZFS_FAKE"); mode != "" {
		os.Exit(fakeChild(mode, os.Args[1:]))
	}
	goleak.VerifyTestMain(m)
}

func fakeChild(mode string, args []string) int {
	switch mode {
	case "echo": // print args and LC_ALL
		fmt.Printf("%s|LC_ALL=%s\n", strings.Join(args, ","), os.Getenv("LC_ALL"))
		return 0
	case "fail":
		fmt.Fprintln(os.Stderr, "cannot open 'tank/x': dataset does not exist")
		return 1
	case "cat":
		io.Copy(os.Stdout, os.Stdin)
		return 0
	case "spew": // n bytes of stderr
		n, _ := strconv.Atoi(args[0])
		fmt.Fprint(os.Stderr, "FIRST LINE\n")
		os.Stderr.Write(bytes.Repeat([]byte("x"), n))
		fmt.Fprint(os.Stderr, "\nLAST LINE\n")
		return 2
	case "big": // n MiB on stdout
		n, _ := strconv.Atoi(args[0])
		buf := bytes.Repeat([]byte("z"), 1<<20)
		for i := 0; i < n; i++ {
			if _, err := os.Stdout.Write(buf); err != nil {
				return 3
			}
		}
		return 0
	case "sleep":
		time.Sleep(time.Minute)
		return 0
	case "stubborn": // ignores SIGTERM and SIGINT
		signal.Ignore(syscall.SIGTERM, syscall.SIGINT)
		fmt.Println("ready")
		time.Sleep(time.Minute)
		return 0
	case "sigint": // reports which signal arrived
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
		fmt.Println("ready")
		s := <-ch
		fmt.Fprintln(os.Stderr, "got", s)
		if s == syscall.SIGINT {
			return 130
		}
		return 143
	}
	return 99
}

func fakeExec(mode string) *Exec {
	self, _ := os.Executable()
	return &Exec{
		Paths:       map[string]string{"zfs": self},
		Env:         []string{"GOZFS_FAKE=" + mode},
		GracePeriod: 500 * time.Millisecond,
	}
}

func TestExecRunsArgvWithCLocale(t *testing.T) {
	var out bytes.Buffer
	err := fakeExec("echo").Run(context.Background(), &Cmd{Name: "zfs", Args: []string{"list", "a b", "$HOME;x"}, Stdout: &out})
	require.NoError(t, err)
	assert.Equal(t, "list,a b,$HOME;x|LC_ALL=C\n", out.String())
}

func TestExecLocaleOverridesCaller(t *testing.T) {
	t.Setenv("LC_ALL", "de_DE.UTF-8")
	var out bytes.Buffer
	e := fakeExec("echo")
	e.Env = append(e.Env, "LC_ALL=fr_FR.UTF-8")
	require.NoError(t, e.Run(context.Background(), &Cmd{Name: "zfs", Stdout: &out}))
	assert.Equal(t, "|LC_ALL=C\n", out.String())
}

func TestExecExitError(t *testing.T) {
	err := fakeExec("fail").Run(context.Background(), &Cmd{Name: "zfs", Args: []string{"get", "tank/x"}})
	var xe *ExitError
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, 1, xe.Code)
	assert.Equal(t, "cannot open 'tank/x': dataset does not exist\n", xe.Stderr)
	assert.Equal(t, []string{"zfs", "get", "tank/x"}, xe.Argv)
	assert.Contains(t, err.Error(), "exit status 1: cannot open 'tank/x': dataset does not exist")
}

func TestExecStderrIsAlsoTeed(t *testing.T) {
	var tee bytes.Buffer
	err := fakeExec("fail").Run(context.Background(), &Cmd{Name: "zfs", Stderr: &tee})
	require.Error(t, err)
	assert.Equal(t, "cannot open 'tank/x': dataset does not exist\n", tee.String())
}

func TestExecStdinStdoutStreams(t *testing.T) {
	in := strings.Repeat("0123456789", 100000)
	var out bytes.Buffer
	err := fakeExec("cat").Run(context.Background(), &Cmd{Name: "zfs", Stdin: strings.NewReader(in), Stdout: &out})
	require.NoError(t, err)
	assert.Equal(t, in, out.String())
}

func TestExecStdoutFileHandedDirectly(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, fakeExec("big").Run(context.Background(), &Cmd{Name: "zfs", Args: []string{"3"}, Stdout: f}))
	st, err := f.Stat()
	require.NoError(t, err)
	assert.EqualValues(t, 3<<20, st.Size())
}

// A slow consumer must still get every byte after the child has exited.
type slowWriter struct{ n int }

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	w.n += len(p)
	return len(p), nil
}

func TestExecSlowStdoutIsDrained(t *testing.T) {
	w := &slowWriter{}
	e := fakeExec("big")
	e.GracePeriod = 10 * time.Millisecond // far shorter than the drain takes
	require.NoError(t, e.Run(context.Background(), &Cmd{Name: "zfs", Args: []string{"4"}, Stdout: w}))
	assert.Equal(t, 4<<20, w.n)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestExecStdoutWriterErrorStopsChild(t *testing.T) {
	err := fakeExec("big").Run(context.Background(), &Cmd{Name: "zfs", Args: []string{"1000"}, Stdout: failingWriter{}})
	var xe *ExitError
	require.ErrorAs(t, err, &xe)
	assert.ErrorContains(t, err, "disk full")
}

func TestExecStderrBounded(t *testing.T) {
	e := fakeExec("spew")
	e.StderrLimit = 1024
	err := e.Run(context.Background(), &Cmd{Name: "zfs", Args: []string{"1000000"}})
	var xe *ExitError
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, 2, xe.Code)
	assert.Less(t, len(xe.Stderr), 1200)
	assert.True(t, strings.HasPrefix(xe.Stderr, "FIRST LINE\n"), "head kept")
	assert.True(t, strings.HasSuffix(xe.Stderr, "\nLAST LINE\n"), "tail kept")
	assert.Contains(t, xe.Stderr, "bytes of stderr omitted")
}

func TestExecCancelTerminates(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := fakeExec("sleep").Run(ctx, &Cmd{Name: "zfs"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var xe *ExitError
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, -1, xe.Code, "killed by signal")
	assert.Less(t, time.Since(start), 30*time.Second)
}

// readyWriter signals when the child has printed its first line.
type readyWriter struct {
	ready chan struct{}
	once  bool
	buf   bytes.Buffer
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	if !w.once && bytes.Contains(w.buf.Bytes(), []byte("ready\n")) {
		w.once = true
		close(w.ready)
	}
	return len(p), nil
}

func TestExecKillsStubbornChildAfterGrace(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &readyWriter{ready: make(chan struct{})}
	done := make(chan error, 1)
	e := fakeExec("stubborn")
	go func() { done <- e.Run(ctx, &Cmd{Name: "zfs", Stdout: w}) }()
	<-w.ready
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		var xe *ExitError
		require.ErrorAs(t, err, &xe)
		assert.Equal(t, -1, xe.Code)
	case <-time.After(30 * time.Second):
		require.Fail(t, "stubborn child was not killed after the grace period")
	}
}

func TestExecInterruptSendsSIGINT(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	w := &readyWriter{ready: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- fakeExec("sigint").Run(ctx, &Cmd{Name: "zfs", Stdout: w, Interrupt: true}) }()
	<-w.ready
	cancel()
	err := <-done
	var xe *ExitError
	require.ErrorAs(t, err, &xe)
	assert.Equal(t, 130, xe.Code)
	assert.Contains(t, xe.Stderr, "interrupt")
	require.ErrorIs(t, err, context.Canceled)
}

func TestExecAlreadyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := fakeExec("echo").Run(ctx, &Cmd{Name: "zfs"})
	require.ErrorIs(t, err, context.Canceled)
}

func TestExecNotFound(t *testing.T) {
	e := &Exec{Paths: map[string]string{"zfs": "gozfs-no-such-binary"}}
	err := e.Run(context.Background(), &Cmd{Name: "zfs"})
	require.Error(t, err)
	var xe *ExitError
	assert.False(t, errors.As(err, &xe), "start failure is not an exit")
}

func TestExecLogs(t *testing.T) {
	var buf bytes.Buffer
	e := fakeExec("fail")
	e.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	_ = e.Run(context.Background(), &Cmd{Name: "zfs", Args: []string{"get"}})
	assert.Contains(t, buf.String(), "msg=command")
	assert.Contains(t, buf.String(), "exit=1")
	assert.Contains(t, buf.String(), "duration=")
}

func TestBoundedBuffer(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []string
		limit  int
		want   string
	}{
		{"small", []string{"abc"}, 10, "abc"},
		{"exact", []string{"abcdefghij"}, 10, "abcdefghij"},
		{"over", []string{"abcdefghijkl"}, 10, "abcde\n... [2 bytes of stderr omitted] ...\nhijkl"},
		{"many small", []string{"ab", "cd", "ef", "gh", "ij", "kl", "mn"}, 10, "abcde\n... [4 bytes of stderr omitted] ...\njklmn"},
		{"one big", []string{"a", strings.Repeat("x", 100) + "END"}, 6, "ax" + "x\n... [98 bytes of stderr omitted] ...\nEND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBoundedBuffer(tc.limit)
			for _, w := range tc.writes {
				b.Write([]byte(w))
			}
			assert.Equal(t, tc.want, b.String())
		})
	}
}

func TestCmdString(t *testing.T) {
	c := &Cmd{Name: "zfs", Args: []string{"set", "org:note=a b", "tank/x"}}
	assert.Equal(t, `zfs set "org:note=a b" tank/x`, c.String())
}
