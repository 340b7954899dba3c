package zfs

import (
	"strings"

	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// Limits on what the SDK hands to zfs, in bytes unless said otherwise. They
// are OpenZFS's own (2.1 to 2.3), and every method checks them before it
// runs anything, with an error of Kind errors.InvalidName or
// errors.InvalidArgument: OpenZFS's userland and kernel trust callers with
// some of them, and one of them, a hold tag of 256 bytes, makes the kernel
// fail an assertion and hang the zfs command and every later change to the
// pool (see MaxHoldTagLen).
const (
	// MaxNameLen is the longest full name of a dataset, snapshot or bookmark,
	// pool included: ZFS_MAX_DATASET_NAME_LEN (256) less the terminating
	// NUL. Each component (a path element, or the part after '@' or '#') is
	// bounded by it too. Descendants count: `zfs snapshot -r tank/a@s` fails
	// if one of the names it makes would be longer.
	MaxNameLen = names.MaxLen
	// MaxPoolNameLen is the longest pool name: zpool keeps room for
	// "<pool>/$ORIGIN@$ORIGIN" within a name.
	MaxPoolNameLen = names.MaxPoolLen
	// MaxUserPropertyNameLen is the longest name of a user property
	// ("module:name"): ZAP_MAXNAMELEN (256) less the terminating NUL.
	MaxUserPropertyNameLen = 255
	// MaxPropertyValueLen is the longest value of a property set by the SDK,
	// user properties included: ZAP_MAXVALUELEN (8192) less the terminating
	// NUL (libzfs's ZFS_MAXPROPLEN).
	MaxPropertyValueLen = 8191
	// MaxHoldTagLen is the longest hold tag. The kernel checks tags against
	// 256 bytes but stores them in a ZAP whose names are at most 255 bytes,
	// so OpenZFS 2.3.2 accepts a 256-byte tag and then panics in syncing
	// context (dsl_userhold.c: VERIFY0(zap_add(...)) fails with
	// ENAMETOOLONG): the zfs hold never returns and the pool accepts no
	// more changes until the machine restarts. Hold and Release reject
	// longer tags.
	MaxHoldTagLen = 255
	// MaxProgramInstructionLimit and MaxProgramMemoryLimit are the largest
	// limits zfs program accepts (ZCP_MAX_INSTRLIMIT, ZCP_MAX_MEMLIMIT;
	// the kernel module's zfs_lua_max_instrlimit and zfs_lua_max_memlimit
	// default to them). ProgramOptions above them are rejected.
	MaxProgramInstructionLimit = 100_000_000
	MaxProgramMemoryLimit      = 100 << 20
)

// validPropChar reports whether c may appear in a user property name, as
// OpenZFS's zprop_valid_char: lower-case ASCII letters, digits, '-', '_',
// '.' and ':'.
func validPropChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':'
}

// isUserPropName reports whether p is meant as a user property: it holds a
// ':' and is not a per-user or per-snapshot property such as
// "userquota@bob" or "written@snap".
func isUserPropName(p string) bool {
	return strings.IndexByte(p, ':') >= 0 && !strings.ContainsAny(p, "@#")
}

// checkPropName rejects property names zfs would misread or refuse: empty,
// beginning with '-', holding '=', ',' or white space, and user properties
// ("module:name") that are longer than MaxUserPropertyNameLen or hold
// characters other than lower-case letters, digits and "-_.:".
func checkPropName(p string) error {
	if p == "" || p[0] == '-' || strings.ContainsAny(p, "=, \t\n\x00") {
		return errs.InvalidArgumentf("", p, "invalid property name %q", p)
	}
	if isUserPropName(p) {
		if len(p) > MaxUserPropertyNameLen {
			return errs.InvalidArgumentf("", truncate(p, 40), "user property name is %d bytes, longer than %d", len(p), MaxUserPropertyNameLen)
		}
		for i := 0; i < len(p); i++ {
			if !validPropChar(p[i]) {
				return errs.InvalidArgumentf("", p, "invalid user property name %q: only lower-case letters, digits and \"-_.:\" are allowed", p)
			}
		}
	}
	return nil
}

// checkProp checks a property to be set: its name (checkPropName) and its
// value, which must hold no NUL byte (no argument can) and be at most
// MaxPropertyValueLen bytes.
func checkProp(name, value string) error {
	if err := checkPropName(name); err != nil {
		return err
	}
	if strings.IndexByte(value, 0) >= 0 {
		return errs.InvalidArgumentf("", name, "the value of property %s holds a NUL byte", name)
	}
	if len(value) > MaxPropertyValueLen {
		return errs.InvalidArgumentf("", name, "the value of property %s is %d bytes, longer than %d", name, len(value), MaxPropertyValueLen)
	}
	return nil
}

// checkSnapshotProp checks a property to be set on a snapshot: zfs lets only
// user properties be set on snapshots ("this property can not be modified
// for snapshots").
func checkSnapshotProp(name, value string) error {
	if err := checkProp(name, value); err != nil {
		return err
	}
	if !isUserPropName(name) {
		return errs.InvalidArgumentf("", name, "property %s cannot be set on a snapshot: only user properties (module:name) can", name)
	}
	return nil
}

// checkHoldTag checks a hold tag: non-empty, at most MaxHoldTagLen bytes,
// not beginning with '-' (it would be taken for an option), without NUL or
// newline, and, for a new hold, not beginning with '.' (libzfs reserves
// those for its temporary holds; zfs hold refuses them).
func checkHoldTag(op, tag string) error {
	switch {
	case tag == "":
		return errs.InvalidArgumentf(op, "", "empty hold tag")
	case len(tag) > MaxHoldTagLen:
		return errs.InvalidArgumentf(op, "", "hold tag is %d bytes, longer than %d (OpenZFS hangs on 256-byte tags)", len(tag), MaxHoldTagLen)
	case tag[0] == '-', strings.ContainsAny(tag, "\x00\n"):
		return errs.InvalidArgumentf(op, "", "invalid hold tag %q", tag)
	case op == "hold" && tag[0] == '.':
		return errs.InvalidArgumentf(op, "", "hold tag %q begins with '.', which zfs reserves for temporary holds", tag)
	}
	return nil
}

// checkNewDataset checks the name of a filesystem or volume to be created
// (or the new name of a rename or clone): a well-formed name below a pool's
// root dataset, which zpool create makes and zfs create cannot.
func checkNewDataset(name string) error {
	if err := names.Dataset(name); err != nil {
		return err
	}
	if !strings.Contains(name, "/") {
		return errs.InvalidNamef("", name, "%q is a pool's root dataset, which comes with the pool (zpool create): a new dataset is named pool/name", name)
	}
	return nil
}

// samePool checks that two names are in one pool, as clones, renames and
// atomic snapshots must be.
func samePool(op, a, b string) error {
	if pa, pb := names.PoolOf(a), names.PoolOf(b); pa != pb {
		return errs.InvalidArgumentf(op, a, "%s and %s are in different pools (%s, %s)", a, b, pa, pb)
	}
	return nil
}
