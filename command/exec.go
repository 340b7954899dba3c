package command

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/gozfs/gozfs/internal/pipe"
)

// Default settings of an Exec runner.
const (
	// DefaultGracePeriod is how long a cancelled command has between the polite
	// signal (SIGTERM or SIGINT) and SIGKILL.
	DefaultGracePeriod = 10 * time.Second
	// DefaultStderrLimit bounds the stderr kept for errors: the first and last
	// half of this many bytes are kept, the middle is elided.
	DefaultStderrLimit = 32 << 10
)

// Exec is the Runner that starts real processes with os/exec. The zero value is
// ready to use: it finds zfs and zpool on $PATH, gives cancelled commands
// DefaultGracePeriod, keeps DefaultStderrLimit bytes of stderr and logs nothing.
// An Exec must not be modified once in use; it is safe for concurrent use.
//
// Every child runs with LC_ALL=C (so messages can be classified), in its own
// process group (so a cancelled command takes its helpers with it), and, on
// Linux, with a parent-death signal so it does not outlive a crashed caller.
type Exec struct {
	// Paths maps a program name ("zfs", "zpool") to the binary to run. Names
	// not present are looked up on $PATH.
	Paths map[string]string
	// GracePeriod is the time between the stop signal and SIGKILL after the
	// context ends. Zero means DefaultGracePeriod.
	GracePeriod time.Duration
	// StderrLimit bounds the captured stderr. Zero means DefaultStderrLimit.
	StderrLimit int
	// Env is added to the child's environment (after the parent's, before
	// LC_ALL=C, which always wins).
	Env []string
	// Logger, if set, receives one record per command at Debug level (Warn for
	// failures) with the argv, the duration and the exit status.
	Logger *slog.Logger
}

var _ Runner = (*Exec)(nil)

func (e *Exec) grace() time.Duration {
	if e.GracePeriod > 0 {
		return e.GracePeriod
	}
	return DefaultGracePeriod
}

func (e *Exec) path(name string) string {
	if p, ok := e.Paths[name]; ok && p != "" {
		return p
	}
	return name
}

// Run runs c as described by Runner.
//
// Standard output that is not an *os.File is delivered through a pipe that Run
// drains completely before it returns, however slow the writer is; if the
// writer fails, the read end is closed so the child gets EPIPE and stops.
// Standard input that is not an *os.File is copied by os/exec; once the child
// has exited, Run waits at most the grace period for that copy.
func (e *Exec) Run(ctx context.Context, c *Cmd) (err error) {
	if ctx == nil {
		panic("command: nil Context")
	}
	start := time.Now()
	argv := c.Argv()
	stderr := newBoundedBuffer(e.stderrLimit())
	defer func() { e.log(ctx, argv, start, err) }()

	if err := ctx.Err(); err != nil {
		return &ExitError{Argv: argv, Code: -1, Err: err}
	}

	cmd := exec.CommandContext(ctx, e.path(c.Name), c.Args...)
	cmd.Env = append(append(os.Environ(), e.Env...), "LC_ALL=C")
	cmd.Stdin = c.Stdin
	if c.Stderr != nil {
		cmd.Stderr = io.MultiWriter(stderr, c.Stderr)
	} else {
		cmd.Stderr = stderr
	}
	setProcAttr(cmd)
	sig := stopSignal(c.Interrupt)
	var killTimer *time.Timer
	var mu sync.Mutex
	cmd.Cancel = func() error {
		mu.Lock()
		defer mu.Unlock()
		signalGroup(cmd.Process, sig)
		p := cmd.Process
		killTimer = time.AfterFunc(e.grace(), func() { signalGroup(p, killSignal) })
		return nil
	}
	cmd.WaitDelay = e.grace() + time.Second

	// Standard output: files go straight to the child; anything else through a
	// pipe we drain ourselves (see the doc comment).
	var copyDone chan error
	var pr *os.File
	switch w := c.Stdout.(type) {
	case nil:
	case *os.File:
		cmd.Stdout = w
	default:
		var pw *os.File
		pr, pw, err = pipe.New()
		if err != nil {
			return &ExitError{Argv: argv, Code: -1, Err: err}
		}
		cmd.Stdout = pw
		defer pw.Close() // closed early below after Start
		copyDone = make(chan error, 1)
		defer func() {
			if pr != nil {
				pr.Close()
			}
		}()
	}

	if err := cmd.Start(); err != nil {
		var ee *exec.Error
		if errors.As(err, &ee) {
			return err
		}
		return &ExitError{Argv: argv, Code: -1, Err: err}
	}
	if copyDone != nil {
		cmd.Stdout.(*os.File).Close() // the child holds its own copy
		go func() {
			_, err := io.Copy(c.Stdout, pr)
			if err != nil {
				// Stop the child from writing into a pipe nobody reads.
				pr.Close()
			}
			copyDone <- err
		}()
	}

	waitErr := cmd.Wait()
	var copyErr error
	if copyDone != nil {
		copyErr = <-copyDone
	}
	mu.Lock()
	if killTimer != nil {
		killTimer.Stop()
	}
	mu.Unlock()
	if ctx.Err() != nil {
		// Make sure nothing of the group survives a cancelled command.
		signalGroup(cmd.Process, killSignal)
	}

	if waitErr == nil && copyErr == nil {
		return nil
	}
	xe := &ExitError{Argv: argv, Code: -1, Stderr: stderr.String()}
	if cmd.ProcessState != nil {
		xe.Code = cmd.ProcessState.ExitCode()
	}
	switch {
	case ctx.Err() != nil:
		xe.Err = ctx.Err()
	case copyErr != nil:
		// The caller did not get all the output; that is the cause even when the
		// child then died of the broken pipe we left it.
		xe.Err = copyErr
		if xe.Code == 0 {
			xe.Code = -1
		}
	case waitErr != nil && !errors.Is(waitErr, exec.ErrWaitDelay):
		xe.Err = waitErr
		if xe.Code == 0 {
			xe.Code = -1
		}
	default:
		if waitErr == nil || xe.Code != 0 {
			xe.Err = waitErr
		} else {
			return nil // exited 0; only a stray stdin copy outlived it
		}
	}
	return xe
}

func (e *Exec) stderrLimit() int {
	if e.StderrLimit > 0 {
		return e.StderrLimit
	}
	return DefaultStderrLimit
}

func (e *Exec) log(ctx context.Context, argv []string, start time.Time, err error) {
	if e.Logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.Any("argv", argv),
		slog.Duration("duration", time.Since(start)),
	}
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
		var xe *ExitError
		if errors.As(err, &xe) {
			attrs = append(attrs, slog.Int("exit", xe.Code))
		}
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, slog.Int("exit", 0))
	}
	e.Logger.LogAttrs(ctx, level, "command", attrs...)
}
