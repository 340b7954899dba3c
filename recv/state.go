package recv

import (
	"bytes"
	"context"
	"strings"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/zfs"
)

// ResumeToken returns the receive_resume_token of the named filesystem or
// volume: the token that `zfs send -t` (send.Options.ResumeToken) takes to
// resume an interrupted resumable receive into it, or "" if it holds no
// partially received state.
func ResumeToken(ctx context.Context, c *zfs.Client, name string) (string, error) {
	if c == nil {
		return "", errs.InvalidArgumentf("get", name, "nil client")
	}
	if err := names.Dataset(name); err != nil {
		return "", errs.WithOp(err, "get")
	}
	return resumeToken(ctx, c, name)
}

func resumeToken(ctx context.Context, c *zfs.Client, name string) (string, error) {
	var out bytes.Buffer
	cmd := &command.Cmd{Name: "zfs", Args: []string{"get", "-H", "-p", "-o", "value", "receive_resume_token", name}, Stdout: &out}
	if err := errors.FromCommand("get", name, c.Options().Runner.Run(ctx, cmd)); err != nil {
		return "", err
	}
	tok := strings.TrimSpace(out.String())
	if tok == "-" || tok == "" {
		return "", nil
	}
	if _, err := resumetoken.Decode(tok); err != nil {
		return "", errs.Newf(errors.Other, "get", name, "unexpected receive_resume_token value %q: %w", tok, err)
	}
	return tok, nil
}

// Abort discards the partially received state that an interrupted resumable
// receive left in the named filesystem or volume (`zfs receive -A`). For an
// interrupted full receive that destroys the dataset itself, which only ever
// held the partial state. Abort is idempotent: if the dataset holds no such
// state, or does not exist, it returns nil.
func Abort(ctx context.Context, c *zfs.Client, name string) error {
	if c == nil {
		return invalid(name, "nil client")
	}
	if err := names.Dataset(name); err != nil {
		return errs.WithOp(err, op)
	}
	cmd := &command.Cmd{Name: "zfs", Args: []string{"receive", "-A", name}}
	err := errors.FromCommand(op, name, c.Options().Runner.Run(ctx, cmd))
	var e *errors.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &e) && strings.Contains(e.Stderr, "does not have any resumable receive state"):
		return nil
	case errors.Is(err, errors.ErrNotExist):
		return nil
	}
	return err
}

// cutSnapshot splits "fs@snap" into its dataset and snapshot parts.
func cutSnapshot(name string) (ds, snap string, ok bool) {
	return strings.Cut(name, "@")
}
