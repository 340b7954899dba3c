package zfs_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/zfs"
)

// exchange is one command of a transcript and what zfs printed for it.
type exchange struct {
	cmd    string // the command line, as command.Cmd.String prints it
	stdin  string // if not empty, the standard input the command must get
	stdout string
	stderr string
	exit   int
}

// replay returns a command.Runner that plays zfs from a transcript: it
// answers each command with the first exchange of the transcript for that
// command line that has not been used yet. A program given a client on a
// replay runs, and can be tested, without ZFS. A command the transcript does
// not hold fails, and so does one whose standard input is not the one
// expected.
//
// The transcripts of this package's examples were recorded on OpenZFS 2.1.11
// (whose text output is shorter to read than the JSON of 2.3 and later) by
// running the examples against real zfs.
func replay(transcript []exchange) command.Runner {
	return &replayer{todo: transcript}
}

type replayer struct {
	mu   sync.Mutex
	todo []exchange
}

func (r *replayer) Run(ctx context.Context, c *command.Cmd) error {
	if err := ctx.Err(); err != nil {
		return &command.ExitError{Argv: c.Argv(), Code: -1, Err: err}
	}
	r.mu.Lock()
	i := slices.IndexFunc(r.todo, func(e exchange) bool { return e.cmd == c.String() })
	if i < 0 {
		r.mu.Unlock()
		return fmt.Errorf("replay: no answer for %s", c)
	}
	e := r.todo[i]
	r.todo = slices.Delete(r.todo, i, i+1)
	r.mu.Unlock()

	if c.Stdin != nil {
		in, err := io.ReadAll(c.Stdin)
		if err != nil {
			return err
		}
		if e.stdin != "" && string(in) != e.stdin {
			return fmt.Errorf("replay: %s got %q on standard input", c, in)
		}
	}
	if c.Stdout != nil {
		if _, err := io.WriteString(c.Stdout, e.stdout); err != nil {
			return err
		}
	}
	if c.Stderr != nil {
		io.WriteString(c.Stderr, e.stderr)
	}
	if e.exit != 0 {
		// What every runner returns for a command that ran and failed: the
		// client turns it into an *errors.Error classified by its stderr.
		return &command.ExitError{Argv: c.Argv(), Code: e.exit, Stderr: e.stderr}
	}
	return nil
}

// A client runs every command through the Runner of its ClientOptions. Here
// it is a replay of what zfs printed, which is how a program using this
// package can be tested without ZFS; the other examples use one too.
func ExampleClientOptions() {
	zfsOut := replay(recordedClientOptions)
	ctx := context.Background()
	c := zfs.New(zfs.ClientOptions{Runner: zfsOut})

	v, err := c.Version(ctx) // runs `zfs version` once; ClientOptions.Version skips it
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("OpenZFS", v, "JSON output:", v.SupportsJSON())

	fs, err := c.Filesystem(ctx, "tank/home")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fs.Name(), fs.GUID(), fs.CreateTXG(), fs.Creation().UTC().Format(time.DateTime))

	_, err = c.Filesystem(ctx, "tank/nope")
	fmt.Println(errors.Is(err, errors.ErrNotExist), err)
	// Output:
	// OpenZFS 2.1.11 JSON output: false
	// tank/home 360536956212053757 9 2026-12-03 12:28:40
	// true zfs list tank/nope: dataset does not exist
}
