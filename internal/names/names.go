package names

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gozfs/gozfs/internal/errs"
)

// Limits on name lengths, in bytes.
const (
	// MaxLen is the longest dataset, snapshot or bookmark name: OpenZFS's
	// ZFS_MAX_DATASET_NAME_LEN (256) less the terminating NUL.
	MaxLen = 255
	// MaxPoolLen is the longest pool name. OpenZFS's pool_namecheck keeps
	// room for "<pool>/$ORIGIN@$ORIGIN" within ZFS_MAX_DATASET_NAME_LEN, so a
	// pool name is shorter than 256 - 2 - 2*len("$ORIGIN") = 240 bytes.
	MaxPoolLen = 239
)

// kind is a set of acceptable name types.
type kind uint8

const (
	kDataset kind = 1 << iota
	kSnapshot
	kBookmark
)

// Dataset checks that name is a well-formed filesystem or volume name:
// "pool" or "pool/a/b", with no '@' or '#'.
func Dataset(name string) error { return check(name, kDataset) }

// Snapshot checks that name is a well-formed snapshot name, "pool/a@snap".
func Snapshot(name string) error { return check(name, kSnapshot) }

// Bookmark checks that name is a well-formed bookmark name, "pool/a#mark".
func Bookmark(name string) error { return check(name, kBookmark) }

// SnapshotOrBookmark checks that name is a well-formed snapshot or bookmark
// name, as accepted for the incremental source of a send.
func SnapshotOrBookmark(name string) error { return check(name, kSnapshot|kBookmark) }

// Any checks that name is a well-formed dataset, snapshot or bookmark name.
func Any(name string) error { return check(name, kDataset|kSnapshot|kBookmark) }

// Component checks that s is a well-formed single name component: the short
// name of a snapshot or bookmark (the part after '@' or '#') or one element of
// a dataset path. It must be non-empty, at most MaxLen bytes, made of ASCII
// letters, digits and the characters "_-.: " (space included), and not "." or
// "..". A component may begin with '-'; it is never passed to zfs on its own.
func Component(s string) error {
	if reason := component(s); reason != "" {
		return errs.InvalidNamef("", s, "%s", reason)
	}
	return nil
}

// Pool checks that name is a well-formed name of an existing pool: at most
// MaxPoolLen bytes of the characters Component allows, beginning with a
// letter, and not one of the names "mirror", "raidz" and "draid".
func Pool(name string) error {
	if reason := pool(name); reason != "" {
		return errs.InvalidNamef("", name, "%s", reason)
	}
	return nil
}

// NewPool checks that name is acceptable for a pool to be created or imported:
// it must pass Pool, and zpool also reserves "log" and every name that begins
// with "mirror", "raidz", "draid" or "spare".
func NewPool(name string) error {
	if err := Pool(name); err != nil {
		return err
	}
	for _, p := range []string{"mirror", "raidz", "draid", "spare"} {
		if strings.HasPrefix(name, p) {
			return errs.InvalidNamef("", name, "name is reserved (begins with %q)", p)
		}
	}
	if name == "log" {
		return errs.InvalidNamef("", name, "name is reserved")
	}
	return nil
}

// Split splits a name into its dataset, snapshot and bookmark parts without
// validating it: "tank/a@s" gives ("tank/a", "s", ""), "tank/a#b" gives
// ("tank/a", "", "b") and "tank/a" gives ("tank/a", "", ""). The name is cut at
// its first '@' or '#'.
func Split(name string) (dataset, snapshot, bookmark string) {
	i := strings.IndexAny(name, "@#")
	if i < 0 {
		return name, "", ""
	}
	if name[i] == '@' {
		return name[:i], name[i+1:], ""
	}
	return name[:i], "", name[i+1:]
}

// PoolOf returns the pool part of a name: everything before the first '/', '@'
// or '#'. It does not validate the name.
func PoolOf(name string) string {
	if i := strings.IndexAny(name, "/@#"); i >= 0 {
		return name[:i]
	}
	return name
}

// Parent returns the parent dataset of a dataset, or the dataset of a snapshot
// or bookmark, and false for a pool's root dataset (which has no parent). It
// does not validate the name.
func Parent(name string) (string, bool) {
	if i := strings.IndexAny(name, "@#"); i >= 0 {
		return name[:i], i > 0
	}
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return "", false
	}
	return name[:i], true
}

// Operand checks that s can be passed to zfs or zpool as a positional argument
// without being taken for an option: it must be non-empty and must not begin
// with '-'. Names that pass Any or Pool always pass Operand.
func Operand(s string) error {
	switch {
	case s == "":
		return errs.InvalidArgumentf("", s, "empty argument")
	case s[0] == '-':
		return errs.InvalidArgumentf("", s, "argument begins with '-'")
	}
	return nil
}

// ExtraArgs checks the extra arguments of an options struct (zfs.ExtraArgs)
// before they are passed verbatim to zfs or zpool: the first must begin with
// '-', so that it is not taken for an operand, and none may be empty or hold
// a NUL byte, which no argv can carry. The error names name, the dataset or
// pool of the command.
func ExtraArgs(name string, args []string) error {
	for i, a := range args {
		switch {
		case a == "":
			return errs.InvalidArgumentf("", name, "extra argument %d is empty", i)
		case strings.IndexByte(a, 0) >= 0:
			return errs.InvalidArgumentf("", name, "extra argument %d (%q) holds a NUL byte", i, a)
		case i == 0 && a[0] != '-':
			return errs.InvalidArgumentf("", name, "extra arguments must begin with a flag, not %q", a)
		}
	}
	return nil
}

// check validates name as one of the types in want.
func check(name string, want kind) error {
	if reason := entity(name, want); reason != "" {
		return errs.InvalidNamef("", name, "%s", reason)
	}
	return nil
}

// entity returns why name is not a well-formed name of a type in want, or "".
func entity(name string, want kind) string {
	if name == "" {
		return "empty name"
	}
	if len(name) > MaxLen {
		return "name is too long"
	}
	ds, short, delim := name, "", byte(0)
	if i := strings.IndexAny(name, "@#"); i >= 0 {
		ds, short, delim = name[:i], name[i+1:], name[i]
		if strings.ContainsAny(short, "@#") {
			return "multiple '@' and/or '#' delimiters in name"
		}
	}
	switch {
	case delim == '@' && want&kSnapshot == 0:
		return "snapshot delimiter '@' is not expected here"
	case delim == '#' && want&kBookmark == 0:
		return "bookmark delimiter '#' is not expected here"
	case delim == 0 && want&kDataset == 0:
		switch want {
		case kSnapshot:
			return "missing '@' delimiter in snapshot name"
		case kBookmark:
			return "missing '#' delimiter in bookmark name"
		}
		return "missing '@' or '#' delimiter in name"
	}
	if strings.HasPrefix(ds, "/") {
		return "leading slash in name"
	}
	if strings.HasSuffix(ds, "/") && delim == 0 {
		return "trailing slash in name"
	}
	for i, c := range strings.Split(ds, "/") {
		if c == "" {
			return "empty component or misplaced '@' or '#' delimiter in name"
		}
		if reason := component(c); reason != "" {
			return reason
		}
		if i == 0 {
			if reason := pool(c); reason != "" {
				return reason
			}
		}
	}
	if delim != 0 {
		if short == "" {
			return "empty component or misplaced '@' or '#' delimiter in name"
		}
		if reason := component(short); reason != "" {
			return reason
		}
	}
	return ""
}

// component returns why s is not a well-formed component, or "".
func component(s string) string {
	switch {
	case s == "":
		return "empty component"
	case len(s) > MaxLen:
		return "name is too long"
	case s == ".":
		return "self reference, '.' is found in name"
	case s == "..":
		return "parent reference, '..' is found in name"
	}
	for i := 0; i < len(s); i++ {
		if !validChar(s[i]) {
			return "invalid character " + quoteChar(s[i:]) + " in name"
		}
	}
	return ""
}

// pool returns why s is not a well-formed pool name, or "".
func pool(s string) string {
	if s == "" {
		return "empty pool name"
	}
	if len(s) > MaxPoolLen {
		return "pool name is too long"
	}
	for i := 0; i < len(s); i++ {
		if !validChar(s[i]) {
			return "invalid character " + quoteChar(s[i:]) + " in pool name"
		}
	}
	if c := s[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return "pool doesn't begin with a letter"
	}
	switch s {
	case "mirror", "raidz", "draid":
		return "name is reserved"
	}
	return ""
}

// validChar reports whether c may appear in a name component, as OpenZFS's
// zfs_namecheck.c valid_char: ASCII letters and digits, '-', '_', '.', ':' and
// space.
func validChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == ':' || c == ' '
}

// quoteChar quotes the character s begins with for a message, in Go syntax
// with non-ASCII and control characters escaped.
func quoteChar(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size <= 1 {
		return fmt.Sprintf("'\\x%02x'", s[0])
	}
	return strconv.QuoteRuneToASCII(r)
}
