package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"path"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// Default settings of an SSH runner.
const (
	// DefaultSSHPort is the port dialled when SSHOptions.Host names none.
	DefaultSSHPort = "22"
	// DefaultKeepAliveInterval is how often an idle or busy connection is
	// probed with a keepalive request.
	DefaultKeepAliveInterval = 15 * time.Second
	// DefaultKeepAliveCountMax is how many keepalive intervals a probe may go
	// unanswered before the connection is declared dead and closed.
	DefaultKeepAliveCountMax = 3
	// DefaultConnectTimeout bounds dialling and the SSH handshake.
	DefaultConnectTimeout = 30 * time.Second
	// DefaultMaxSessions is how many sessions the runner opens at once on its
	// connection: OpenSSH's sshd allows 10 per connection by default (its
	// MaxSessions setting).
	DefaultMaxSessions = 10
)

// ErrDisconnected is matched (errors.Is) by the error of a command whose SSH
// connection was lost while it ran, or whose session the server ended without
// an exit status: whether and how the remote command finished is unknown.
// The next command reconnects.
var ErrDisconnected = errors.New("ssh connection lost")

// errClosed is returned by Run after Close.
var errClosed = fmt.Errorf("command: ssh runner is closed: %w", net.ErrClosed)

// SSHOptions configure an [SSH] runner: where to connect, how to
// authenticate and check the host, and how to run the commands there. The
// zero value of every field but Host is a default.
type SSHOptions struct {
	// Host is the server, "host" or "host:port" ("[::1]:2222" for an IPv6
	// address); the port defaults to 22. Required.
	Host string
	// User is the remote user name; empty means the current local user.
	User string

	// KeyFiles are private key files (OpenSSH or PEM format) to offer. They
	// must not be passphrase-protected: load such keys into ssh-agent. When
	// KeyFiles and Signers are both empty, ~/.ssh/id_ed25519, ~/.ssh/id_ecdsa
	// and ~/.ssh/id_rsa are offered, those that exist and need no passphrase.
	KeyFiles []string
	// Signers are further keys to offer, for keys held in memory.
	Signers []ssh.Signer
	// AgentSocket is the path of an ssh-agent socket whose keys are offered
	// after KeyFiles and Signers. Empty means $SSH_AUTH_SOCK (if set and
	// reachable); "none" uses no agent.
	AgentSocket string

	// KnownHostsFiles are the OpenSSH known_hosts files that vouch for host
	// keys. Empty means ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts, those
	// that exist. A host that is not in them, or whose key differs, is refused
	// with a *[HostKeyError].
	KnownHostsFiles []string
	// InsecureIgnoreHostKey turns host key checking off, which lets anyone
	// between this host and the server read and change everything. For tests
	// and throwaway machines only.
	InsecureIgnoreHostKey bool

	// Jump, if set, is a jump host (as ssh -J): the connection to Host is
	// tunnelled through an SSH connection to Jump.Host, which is set up from
	// Jump's own connection and authentication fields (Host to
	// InsecureIgnoreHostKey, ConnectTimeout and Jump, for a chain). The other
	// fields of Jump are not used.
	Jump *SSHOptions

	// ConnectTimeout bounds the TCP dial and the SSH handshake, and how long
	// a session the server refuses is asked for again. Zero means
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// KeepAliveInterval is how often the connection is probed; a probe that
	// stays unanswered for KeepAliveCountMax intervals closes the connection
	// (the running commands fail with ErrDisconnected, the next one
	// reconnects). Zero means DefaultKeepAliveInterval; negative turns
	// keepalives off.
	KeepAliveInterval time.Duration
	// KeepAliveCountMax: see KeepAliveInterval. Zero means
	// DefaultKeepAliveCountMax.
	KeepAliveCountMax int
	// MaxSessions is how many sessions the runner opens at once on its
	// connection: all but one run commands (further commands wait for a free
	// one), the last is kept for stopping cancelled commands. Zero means
	// DefaultMaxSessions; keep it at or below the server's MaxSessions.
	MaxSessions int

	// Sudo runs every command through "sudo" or "doas" (a name or a path to
	// either) as `sudo -n -- program args...`: -n so that a password prompt
	// fails at once rather than hangs. Empty runs commands directly. sudo
	// passes LC_ALL and the stop signals on; doas does neither (it execs the
	// program as root, which a non-root login cannot signal), so with doas a
	// cancelled command is stopped only by the closing of its session, which
	// ends zfs send and receive (their pipes close) but not every command.
	Sudo string
	// Paths maps a program name ("zfs", "zpool") to the binary to run on the
	// remote host. Names not present are looked up on the remote $PATH (on
	// Debian a non-root user's $PATH lacks /usr/sbin, where zfs lives).
	Paths map[string]string
	// Env are NAME=value pairs exported to the remote command (before LC_ALL=C,
	// which always wins). sudo and doas may drop them.
	Env []string
	// GracePeriod is the time between the stop signal and SIGKILL (then the
	// session is closed) after the context ends. Zero means
	// DefaultGracePeriod.
	GracePeriod time.Duration
	// StderrLimit bounds the captured stderr. Zero means DefaultStderrLimit.
	StderrLimit int
	// Logger, if set, receives one record per command at Debug level (Warn for
	// failures) with the host, the argv, the duration and the exit status.
	Logger *slog.Logger
}

// SSH is a Runner that runs commands on another host over SSH (with
// golang.org/x/crypto/ssh; no ssh binary is needed). Create one with
// [NewSSH]; it is safe for concurrent use. Close it when done.
//
// One connection carries every command, each in a session of its own (at
// most MaxSessions-1 at once). A connection that dropped is replaced by a new
// one when the next command starts; commands that were running on it fail
// with an error matching [ErrDisconnected]. Keepalive probes notice a
// connection that went silent.
//
// The host key is checked against known_hosts files by default: an unknown
// host or a changed key is refused with a *[HostKeyError] that names the host
// and the key's SHA256 fingerprint. Authentication is by public key, from key
// files, in-memory signers and ssh-agent.
//
// A command runs as `LC_ALL=C exec program args...` in the remote user's
// login shell, which must be a POSIX shell (sh, bash, dash, ksh, zsh). Every
// argument reaches the remote program exactly as given: each is quoted for
// the shell, so no dataset name or property value can inject a command, and
// an argument with a NUL byte, which SSH cannot carry, is refused. With
// SSHOptions.Sudo the program runs through `sudo -n --` (or doas).
//
// Standard input and output are streamed over the session with no buffering
// beyond SSH's flow-control window: Run drains the remote output into
// Cmd.Stdout however slow it is, and if writing to Cmd.Stdout fails the
// session is closed so that the remote command stops. Standard error is
// captured bounded, like [Exec]'s. A command that exits non-zero is an
// *[ExitError] with its exit code and stderr, so errors classify as for local
// commands; a command killed by a signal has Code -1.
//
// When the context ends, the remote command gets SIGTERM (SIGINT for
// [Cmd.Interrupt]) and after GracePeriod SIGKILL, then the session is
// closed. The signals are sent through the session, which OpenSSH's sshd
// (since 7.9) passes on to the command's process group; it refuses for root
// logins (which have no privilege separation), so when a signal is refused,
// Run sends it with kill(1) to that process group, in a second session. A
// server that does not answer within another GracePeriod gets its
// connection closed.
type SSH struct {
	hops     []*sshHop // jump hosts first, the target last
	sudo     string
	paths    map[string]string
	env      []string
	grace    time.Duration
	errLimit int
	logger   *slog.Logger
	alive    time.Duration
	aliveMax int

	sessions chan struct{} // a token per running command
	control  chan struct{} // a token for the session that stops a command
	dialing  chan struct{} // held while (re)connecting

	mu     sync.Mutex
	conn   *sshConn
	closed bool
}

var _ Runner = (*SSH)(nil)

// NewSSH checks opts, reads the keys and connects. Errors in opts are
// reported before anything is dialled; a host key that known_hosts does not
// vouch for is a *[HostKeyError].
func NewSSH(ctx context.Context, opts SSHOptions) (*SSH, error) {
	if ctx == nil {
		panic("command: nil Context")
	}
	r, err := newSSH(opts)
	if err != nil {
		return nil, err
	}
	if _, err := r.connection(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func newSSH(opts SSHOptions) (*SSH, error) {
	var hops []*sshHop
	for o, depth := &opts, 0; o != nil; o, depth = o.Jump, depth+1 {
		if depth > 8 {
			return nil, errors.New("command: ssh: more than 8 jump hosts (a loop in SSHOptions.Jump?)")
		}
		h, err := newHop(*o)
		if err != nil {
			return nil, err
		}
		hops = append([]*sshHop{h}, hops...)
	}
	r := &SSH{
		hops:     hops,
		paths:    opts.Paths,
		env:      opts.Env,
		grace:    opts.GracePeriod,
		errLimit: opts.StderrLimit,
		logger:   opts.Logger,
		alive:    opts.KeepAliveInterval,
		aliveMax: opts.KeepAliveCountMax,
		dialing:  make(chan struct{}, 1),
	}
	if r.grace <= 0 {
		r.grace = DefaultGracePeriod
	}
	if r.errLimit <= 0 {
		r.errLimit = DefaultStderrLimit
	}
	if r.alive == 0 {
		r.alive = DefaultKeepAliveInterval
	}
	if r.aliveMax <= 0 {
		r.aliveMax = DefaultKeepAliveCountMax
	}
	n := opts.MaxSessions
	if n <= 0 {
		n = DefaultMaxSessions
	}
	r.sessions = make(chan struct{}, max(1, n-1))
	r.control = make(chan struct{}, 1)
	if opts.Sudo != "" {
		switch path.Base(opts.Sudo) {
		case "sudo", "doas":
			r.sudo = opts.Sudo
		default:
			return nil, fmt.Errorf("command: ssh: Sudo is %q, want sudo or doas", opts.Sudo)
		}
	}
	// Check the environment and the paths now rather than at the first command.
	if _, err := remoteCommand(opts.Env, nil); err != nil {
		return nil, err
	}
	for name, p := range opts.Paths {
		if _, err := remoteCommand(nil, []string{name, p}); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Close closes the connection. Commands still running fail; Run returns an
// error afterwards.
func (r *SSH) Close() error {
	r.mu.Lock()
	r.closed = true
	c := r.conn
	r.conn = nil
	r.mu.Unlock()
	if c != nil {
		c.close()
		c.wait()
	}
	return nil
}

// target returns the address of the host the commands run on.
func (r *SSH) target() *sshHop { return r.hops[len(r.hops)-1] }

// Run runs c on the remote host as described by Runner and [SSH].
func (r *SSH) Run(ctx context.Context, c *Cmd) (err error) {
	if ctx == nil {
		panic("command: nil Context")
	}
	start := time.Now()
	argv := c.Argv()
	defer func() { r.log(ctx, argv, start, err) }()
	if err := ctx.Err(); err != nil {
		return &ExitError{Argv: argv, Code: -1, Err: err}
	}
	if c.Name == "" {
		return &ExitError{Argv: argv, Code: -1, Err: errNoProgram}
	}
	line, err := r.commandLine(c)
	if err != nil {
		return &ExitError{Argv: argv, Code: -1, Err: err}
	}

	select {
	case r.sessions <- struct{}{}:
	case <-ctx.Done():
		return &ExitError{Argv: argv, Code: -1, Err: ctx.Err()}
	}
	defer func() { <-r.sessions }()

	sess, conn, err := r.session(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return &ExitError{Argv: argv, Code: -1, Err: ctx.Err()}
		}
		return err
	}
	defer sess.Close()
	return r.run(ctx, c, argv, line, sess, conn)
}

// commandLine is the remote shell's command line for c.
func (r *SSH) commandLine(c *Cmd) (string, error) {
	prog := r.program(c.Name)
	words := make([]string, 0, len(c.Args)+4)
	if r.sudo != "" {
		words = append(words, r.sudo, "-n", "--")
	}
	words = append(words, prog)
	words = append(words, c.Args...)
	return remoteCommand(r.env, words)
}

// program is the remote binary for a program name.
func (r *SSH) program(name string) string {
	if p, ok := r.paths[name]; ok && p != "" {
		return p
	}
	return name
}

// run runs the command line in sess and maps the outcome as Exec does.
func (r *SSH) run(ctx context.Context, c *Cmd, argv []string, line string, sess *ssh.Session, conn *sshConn) error {
	stderr := newBoundedBuffer(r.errLimit)
	tee := newStderrTee(stderr, c.Stderr)
	sess.Stderr = tee
	stdout, err := sess.StdoutPipe()
	if err != nil {
		return &ExitError{Argv: argv, Code: -1, Err: err}
	}
	var stdin io.WriteCloser
	if c.Stdin != nil {
		if stdin, err = sess.StdinPipe(); err != nil {
			return &ExitError{Argv: argv, Code: -1, Err: err}
		}
	}
	if err := sess.Start(line); err != nil {
		xe := &ExitError{Argv: argv, Code: -1, Stderr: stderr.String(), Err: err}
		if ctx.Err() != nil {
			xe.Err = ctx.Err()
		} else if conn.dead() || errors.Is(err, io.EOF) {
			xe.Err = fmt.Errorf("%w: %w", ErrDisconnected, err)
		}
		return xe
	}

	// Standard output: the session's channel, copied straight into the
	// caller's writer. If that fails, closing the session stops the remote
	// command (its output pipe closes) instead of leaving it blocked on a full
	// flow-control window.
	outDone := make(chan error, 1)
	go func() {
		var w io.Writer = io.Discard
		if c.Stdout != nil {
			w = c.Stdout
		}
		_, err := io.Copy(w, stdout)
		if err != nil {
			_ = sess.Close()
		}
		outDone <- err
	}()

	// Standard input: copied into the channel, then end-of-file. Errors
	// writing mean the remote command stopped reading (it exited); errors
	// reading are the caller's and reported.
	var inDone chan error
	if stdin != nil {
		inDone = make(chan error, 1)
		go func() {
			src := &readErrs{r: c.Stdin}
			_, _ = io.Copy(stdin, src)
			_ = stdin.Close()
			inDone <- src.err
		}()
	}

	// Cancellation: see stopper.
	st := newStopper(r, conn, sess, tee, c.Interrupt)
	started := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(started)
		st.start()
	})

	waitErr := sess.Wait()
	if !stop() {
		<-started
	}
	st.finish()
	tee.endScan()
	copyErr := <-outDone
	var inErr error
	if inDone != nil {
		t := time.NewTimer(r.grace)
		select {
		case inErr = <-inDone:
		case <-t.C: // a reader that blocks: as Exec, wait no longer
		}
		t.Stop()
	}

	if waitErr == nil && copyErr == nil && inErr == nil {
		return nil
	}
	xe := &ExitError{Argv: argv, Code: -1, Stderr: stderr.String()}
	var ee *ssh.ExitError
	remoteExit := errors.As(waitErr, &ee)
	switch {
	case waitErr == nil:
		xe.Code = 0
	case remoteExit && ee.Signal() == "":
		xe.Code = ee.ExitStatus()
	}
	switch {
	case ctx.Err() != nil:
		xe.Err = ctx.Err()
	case copyErr != nil:
		// The caller did not get all the output; that is the cause even when
		// the remote command then died of the closed session.
		xe.Err = copyErr
		xe.Code = -1
	case remoteExit:
		xe.Err = waitErr
		if xe.Code == 127 {
			// POSIX shells exit 127 for a command they cannot find.
			xe.Err = fmt.Errorf("%w (remote %w)", &exec.Error{Name: r.program(c.Name), Err: exec.ErrNotFound}, waitErr)
		}
	case waitErr != nil:
		xe.Err = fmt.Errorf("%w: %s: %w", ErrDisconnected, r.target().addr, waitErr)
	default: // the input failed; the command may have taken it as complete
		xe.Err = inErr
		xe.Code = -1
	}
	return xe
}

func (r *SSH) log(ctx context.Context, argv []string, start time.Time, err error) {
	if r.logger == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("host", r.target().addr),
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
	r.logger.LogAttrs(ctx, level, "command", attrs...)
}

// readErrs remembers the error of a reader other than io.EOF.
type readErrs struct {
	r   io.Reader
	err error
}

func (r *readErrs) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}
