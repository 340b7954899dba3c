package command_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"slices"
	"strings"
	"sync"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/zfs"
)

// A runner that runs every command through sudo: it rewrites the command and
// passes it on to the default runner. Here the next runner only prints what it
// would run.
func ExampleRunnerFunc_sudo() {
	next := command.RunnerFunc(func(ctx context.Context, c *command.Cmd) error {
		fmt.Println(strings.Join(c.Argv(), " "))
		return nil
	})
	sudo := command.RunnerFunc(func(ctx context.Context, c *command.Cmd) error {
		wrapped := *c
		wrapped.Name = "sudo"
		wrapped.Args = append([]string{"-n", "--", c.Name}, c.Args...)
		return next.Run(ctx, &wrapped)
	})
	c := zfs.New(zfs.ClientOptions{Runner: sudo, Version: zfs.Version{Major: 2, Minor: 3, Patch: 2}})
	if err := c.Destroy(context.Background(), "tank/scratch", zfs.DestroyOptions{Recursive: true}); err != nil {
		log.Fatal(err)
	}
	// Output:
	// sudo -n -- zfs destroy -r tank/scratch
}

// A runner that runs the commands inside a container (or any other
// namespace): the same rewrite, with the container's exec command in front.
// With command.Exec as the next runner this really runs docker.
func ExampleRunnerFunc_container() {
	inContainer := func(name string, next command.Runner) command.Runner {
		return command.RunnerFunc(func(ctx context.Context, c *command.Cmd) error {
			wrapped := *c
			wrapped.Name = "docker"
			wrapped.Args = append([]string{"exec", "-i", name, c.Name}, c.Args...)
			return next.Run(ctx, &wrapped)
		})
	}
	show := command.RunnerFunc(func(ctx context.Context, c *command.Cmd) error {
		fmt.Println(strings.Join(c.Argv(), " "))
		return nil
	})
	c := zfs.New(zfs.ClientOptions{Runner: inContainer("storage", show), Version: zfs.Version{Major: 2, Minor: 3, Patch: 2}})
	_ = c.Rename(context.Background(), "tank/a", "tank/b", zfs.RenameOptions{})
	// Output:
	// docker exec -i storage zfs rename tank/a tank/b
}

// recorder is a runner for tests: it records every command and answers from a
// script of canned outputs, keyed by the command line.
type recorder struct {
	mu      sync.Mutex
	calls   [][]string
	outputs map[string]string
}

func (r *recorder) Run(ctx context.Context, c *command.Cmd) error {
	r.mu.Lock()
	r.calls = append(r.calls, slices.Clone(c.Argv()))
	out, ok := r.outputs[strings.Join(c.Argv(), " ")]
	r.mu.Unlock()
	if !ok {
		return &command.ExitError{Argv: c.Argv(), Code: 1, Stderr: "cannot open '" + c.Args[len(c.Args)-1] + "': dataset does not exist\n"}
	}
	if c.Stdout != nil {
		_, err := c.Stdout.Write([]byte(out))
		return err
	}
	return nil
}

// A recording runner lets a test check what a program runs, and feed it the
// output real zfs printed, without ZFS. A failure is reported as an
// *ExitError, which the client classifies like any other.
func ExampleRunner_recording() {
	rec := &recorder{outputs: map[string]string{
		"zfs list -H -p -t all -o name,type,guid,createtxg,creation tank/home": "tank/home\tfilesystem\t8811309453520941434\t17\t1764748800\n",
	}}
	c := zfs.New(zfs.ClientOptions{Runner: rec, Version: zfs.Version{Major: 2, Minor: 3, Patch: 2}})
	ctx := context.Background()

	fs, err := c.Filesystem(ctx, "tank/home")
	fmt.Println(fs.Name(), fs.GUID(), err)
	_, err = c.Filesystem(ctx, "tank/gone")
	fmt.Println(err)
	fmt.Println(len(rec.calls), "commands")
	// Output:
	// tank/home 8811309453520941434 <nil>
	// zfs list tank/gone: dataset does not exist
	// 2 commands
}

// The default runner runs real programs. Paths chooses the binary for each
// program name; here "zfs" is echo, which shows the argv it was given.
func ExampleExec() {
	r := &command.Exec{Paths: map[string]string{"zfs": "echo"}}
	var out bytes.Buffer
	err := r.Run(context.Background(), &command.Cmd{Name: "zfs", Args: []string{"list", "-H", "tank/a b"}, Stdout: &out})
	fmt.Printf("%q %v\n", out.String(), err)
	// Output:
	// "list -H tank/a b\n" <nil>
}
