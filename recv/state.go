package recv

import (
	"bytes"
	"context"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
	"github.com/gozfs/gozfs/zfs"
)

// ResumeToken returns the receive_resume_token of fs: the token that `zfs
// send -t` (send.Options.ResumeToken) takes to resume an interrupted
// resumable receive into fs, or "" if fs holds no partially received state.
func ResumeToken(ctx context.Context, c *zfs.Client, fs Dataset) (string, error) {
	if c == nil || fs == nil {
		return "", errs.InvalidArgumentf("get", "", "nil client or dataset")
	}
	name := fs.Name()
	if err := names.Dataset(name); err != nil {
		return "", errs.WithOp(err, "get")
	}
	return resumeToken(ctx, c, name)
}

func resumeToken(ctx context.Context, c *zfs.Client, name string) (string, error) {
	var out bytes.Buffer
	cmd := &zfs.Cmd{Name: "zfs", Args: []string{"get", "-H", "-p", "-o", "value", "receive_resume_token", name}, Stdout: &out}
	if err := c.Run(ctx, "get", name, cmd); err != nil {
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
// receive left in fs (`zfs receive -A`). For an interrupted full receive that
// destroys fs itself, which only ever held the partial state. Abort is
// idempotent: if fs holds no such state, or does not exist, it returns nil.
func Abort(ctx context.Context, c *zfs.Client, fs Dataset) error {
	if c == nil || fs == nil {
		return invalid("", "nil client or dataset")
	}
	name := fs.Name()
	if err := names.Dataset(name); err != nil {
		return errs.WithOp(err, op)
	}
	cmd := &zfs.Cmd{Name: "zfs", Args: []string{"receive", "-A", name}}
	err := c.Run(ctx, op, name, cmd)
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
