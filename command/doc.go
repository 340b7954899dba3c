// Package command is the one seam through which gozfs runs the zfs and zpool
// programs: every command of the zfs, zpool, send and recv packages is a [Cmd]
// (a program name and its argv, never a shell string, with optional standard
// streams) handed to a [Runner]. Plug in your own Runner to run the commands
// somewhere else or differently — through sudo, in a container, on another
// host — or to record and script them in tests. A runner that runs every
// command through sudo:
//
//	next := &command.Exec{} // the default runner
//	sudo := command.RunnerFunc(func(ctx context.Context, c *command.Cmd) error {
//		wrapped := *c
//		wrapped.Name = "sudo"
//		wrapped.Args = append([]string{"-n", "--", c.Name}, c.Args...)
//		return next.Run(ctx, &wrapped)
//	})
//	client := zfs.New(zfs.ClientOptions{Runner: sudo})
//
// # The default runner
//
// [Exec] starts real processes with os/exec. Its zero value is ready to use
// and is what a client gets when it is given no Runner. Every child runs with
// LC_ALL=C, so that zfs's messages can be classified into error kinds, in a
// process group of its own, and on Linux with a parent-death signal. When the
// context ends, the child gets SIGTERM (SIGINT for [Cmd.Interrupt], which
// zfs receive -s needs to save resumable state) and SIGKILL after
// [Exec.GracePeriod]; Run returns only once it has been reaped and its output
// delivered. Standard error is captured, bounded, for errors; Exec.Logger logs
// every command with log/slog; Exec.Paths and Exec.Env choose the binaries and
// their environment.
//
// # Remote hosts
//
// [SSH] runs the commands on another host over one SSH connection
// (golang.org/x/crypto/ssh), with a session per command: make one with
// [NewSSH] and [SSHOptions] and give it to a client. The host key is checked
// against known_hosts by default; a mismatch or an unknown host is a
// [*HostKeyError] naming the host and the key's SHA256 fingerprint. Keys come
// from files, [SSHOptions.Signers] or ssh-agent; a jump host is optional.
// Keepalives detect a dead connection; a command whose connection dropped
// fails with an error matching [ErrDisconnected], and the next command
// reconnects. Arguments are quoted for the remote POSIX shell, so no name or
// value can inject a command; the remote command runs with LC_ALL=C, through
// sudo or doas if asked, and a cancelled context signals it (SIGINT for
// [Cmd.Interrupt]) and kills it after the grace period. Failures are the same
// [*ExitError] as locally, so errors are classified the same way.
//
//	r, err := command.NewSSH(ctx, command.SSHOptions{Host: "backup.example.net", User: "zfs", Sudo: "sudo"})
//	remote := zfs.New(zfs.ClientOptions{Runner: r})
//
// # Writing a runner
//
// A Runner must be safe for concurrent use, run the command to completion
// before returning, honour the context, and report a command that ran and
// failed as an [*ExitError] with its exit code and standard error: the client
// turns that into a classified *errors.Error (errors.Is(err,
// errors.ErrNotExist) and so on), whatever the runner. Most runners wrap
// another one and rewrite the Cmd — the program name and arguments — before
// passing it on, as the examples show; [RunnerFunc] makes a function a
// Runner. Arguments must stay argv: never join them into a shell string on
// this host.
//
// Standard input and output of send and receive commands are streams of any
// size; a runner passes Cmd.Stdin and Cmd.Stdout through rather than
// buffering them.
package command
