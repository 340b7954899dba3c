package zfs

import (
	"context"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// bookmarkName returns the full name of a bookmark of dataset ds: name may be
// a short name or a full name.
func bookmarkName(ds, name string) (string, error) {
	full := name
	if !strings.Contains(name, "#") {
		full = ds + "#" + name
	}
	if err := names.Bookmark(full); err != nil {
		return "", errs.WithOp(err, "bookmark")
	}
	if bds, _, _ := names.Split(full); bds != ds {
		return "", errs.InvalidArgumentf("bookmark", full, "a bookmark of %s must be in the same dataset", ds)
	}
	return full, nil
}

// CreateBookmark creates a bookmark of the snapshot, in the snapshot's
// dataset; name is the short name (after '#') or the full name. The bookmark
// has the snapshot's GUID and creation TXG. If a bookmark of that name already
// exists with the same GUID, CreateBookmark returns it (creation is
// idempotent); if its GUID differs, it fails with an error of Kind Exist.
func (s *Snapshot) CreateBookmark(ctx context.Context, name string) (*Bookmark, error) {
	full, err := bookmarkName(s.Dataset(), name)
	if err != nil {
		return nil, err
	}
	return s.c.bookmark(ctx, s.name, full, s.dataset)
}

// CreateBookmark creates a copy of the bookmark under another name, in the
// same dataset (OpenZFS 2.0 and later), with the same GUID and creation TXG.
// It is idempotent like [Snapshot.CreateBookmark].
func (b *Bookmark) CreateBookmark(ctx context.Context, name string) (*Bookmark, error) {
	full, err := bookmarkName(b.Dataset(), name)
	if err != nil {
		return nil, err
	}
	if v, err := b.c.Version(ctx); err == nil && !v.AtLeast(2, 0) {
		return nil, errs.Newf(errors.NotSupported, "bookmark", full, "bookmarks from bookmarks need OpenZFS 2.0 (have %s)", v)
	}
	return b.c.bookmark(ctx, b.name, full, b.dataset)
}

func (c *Client) bookmark(ctx context.Context, source, full string, src dataset) (*Bookmark, error) {
	err := c.run(ctx, "bookmark", full, nil, "bookmark", source, full)
	if err == nil {
		bm := newBookmark(src)
		bm.name, bm.typ = full, TypeBookmark
		if bm.guid == 0 {
			return c.Bookmark(ctx, full)
		}
		return bm, nil
	}
	if !bookmarkExists(err) {
		return nil, err
	}
	existing, lerr := c.Bookmark(ctx, full)
	if lerr != nil {
		return nil, err
	}
	if src.guid == 0 {
		sd, serr := c.identity(ctx, "bookmark", source, names.SnapshotOrBookmark, 0)
		if serr != nil {
			return nil, err
		}
		src = sd
	}
	if existing.guid == src.guid {
		return existing, nil
	}
	return nil, errs.Newf(errors.Exist, "bookmark", full, "bookmark %s exists with GUID %d, not %d of %s", full, existing.guid, src.guid, source)
}

// bookmarkExists reports whether err says the bookmark already exists
// (zfs prints "bookmark exists", which the error classifier may not know).
func bookmarkExists(err error) bool {
	if errors.Is(err, errors.ErrExist) {
		return true
	}
	var e *errors.Error
	return errors.As(err, &e) && strings.Contains(e.Stderr, "bookmark exists")
}
