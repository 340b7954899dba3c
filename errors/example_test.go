package errors_test

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
)

// A failed command, as a command.Runner reports it, becomes an *Error that
// matches both this package's sentinel and the standard one.
func ExampleFromCommand() {
	runErr := &command.ExitError{
		Argv:   []string{"zfs", "destroy", "tank/home@monday"},
		Code:   1,
		Stderr: "cannot destroy snapshot tank/home@monday: dataset is busy\n",
	}
	err := errors.FromCommand("destroy", "tank/home@monday", runErr)
	fmt.Println(err)
	fmt.Println(errors.Is(err, errors.ErrBusy))
	// Output:
	// zfs destroy tank/home@monday: dataset is busy
	// true
}

func ExampleError_kind() {
	err := errors.FromCommand("list", "tank/nope", &command.ExitError{
		Argv:   []string{"zfs", "list", "-H", "tank/nope"},
		Code:   1,
		Stderr: "cannot open 'tank/nope': dataset does not exist\n",
	})
	fmt.Println(errors.Is(err, errors.ErrNotExist))
	fmt.Println(errors.Is(err, fs.ErrNotExist))

	var e *errors.Error
	if errors.As(err, &e) {
		fmt.Println(e.Kind, e.ExitCode)
	}
	// Output:
	// true
	// true
	// does not exist 1
}

// A command stopped by its context keeps the context's error in the chain.
func ExampleError_canceled() {
	err := errors.FromCommand("send", "tank/a@s", &command.ExitError{
		Argv: []string{"zfs", "send", "tank/a@s"},
		Code: -1,
		Err:  context.DeadlineExceeded,
	})
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.KindOf(err))
	// Output:
	// true canceled
}

// An interrupted resumable receive carries the token to resume it with.
func ExampleResumableError() {
	err := errors.FromCommand("receive", "tank/b", &command.ExitError{
		Argv: []string{"zfs", "receive", "-s", "tank/b"},
		Code: 1,
		Stderr: "cannot receive incremental stream: checksum mismatch or incomplete stream.\n" +
			"Partially received snapshot is saved.\n" +
			"A resuming stream can be generated on the sending system by running:\n" +
			"    zfs send -t 1-e604ea4bf-e0-789c63a2\n",
	})
	var re *errors.ResumableError
	if errors.As(err, &re) {
		fmt.Println("resume with: zfs send -t", re.Token)
	}
	// Output:
	// resume with: zfs send -t 1-e604ea4bf-e0-789c63a2
}

func ExampleClassify() {
	fmt.Println(errors.Classify("cannot rollback to 'tank/a@s1': more recent snapshots or bookmarks exist\n"))
	fmt.Println(errors.Classify("cannot receive incremental stream: destination tank/b has been modified\nsince most recent snapshot\n"))
	// Output:
	// more recent snapshots exist
	// destination modified since most recent snapshot
}

// The failures of a batch operation (DestroySnapshots, say) stay matchable
// one by one; Errors lists them.
func ExampleErrors() {
	busy := &errors.Error{Op: "destroy", Name: "tank/a@1", Kind: errors.Busy, ExitCode: 1,
		Stderr: "cannot destroy snapshot tank/a@1: dataset is busy\n"}
	missing := &errors.Error{Op: "destroy", Name: "tank/a@3", Kind: errors.NotExist, ExitCode: 1,
		Stderr: "could not find any snapshots to destroy; check snapshot names.\n"}
	err := errors.Join(busy, missing)
	for _, e := range errors.Errors(err) {
		fmt.Println(e)
	}
	fmt.Println(errors.Is(err, errors.ErrBusy), errors.Is(err, errors.ErrNotExist))
	// Output:
	// zfs destroy tank/a@1: dataset is busy
	// zfs destroy tank/a@3: could not find any snapshots to destroy; check snapshot names
	// true true
}
