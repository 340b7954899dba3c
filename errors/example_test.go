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

// Batch operations collect every failure; each stays matchable.
func ExampleAppend() {
	var err error
	for _, snap := range []string{"tank/a@1", "tank/a@2", "tank/a@3"} {
		err = errors.Append(err, destroy(snap))
	}
	fmt.Println(len(errors.Errors(err)), errors.Is(err, errors.ErrBusy), errors.Is(err, errors.ErrNotExist))
	// Output:
	// 2 true true
}

// destroy stands in for a real destroy: tank/a@2 succeeds.
func destroy(snap string) error {
	switch snap {
	case "tank/a@1":
		return errors.Newf(errors.Busy, "destroy", snap, "dataset is busy")
	case "tank/a@3":
		return errors.Newf(errors.NotExist, "destroy", snap, "dataset does not exist")
	}
	return nil
}

// Validation errors are rejected before anything runs.
func ExampleInvalidNamef() {
	err := errors.InvalidNamef("snapshot", "tank/a@b@c", "multiple '@' and/or '#' delimiters in name")
	fmt.Println(err)
	fmt.Println(errors.Is(err, errors.ErrInvalidName))
	// Output:
	// zfs snapshot tank/a@b@c: invalid name: multiple '@' and/or '#' delimiters in name
	// true
}
