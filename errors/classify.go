package errors

import (
	"regexp"
	"strings"
)

// A rule maps OpenZFS messages to a Kind. Patterns are matched against the
// standard error with line breaks and tabs turned into spaces, because libzfs
// splits some messages over lines ("does not\nmatch incremental source").
type rule struct {
	kind Kind
	re   *regexp.Regexp
}

// r compiles a rule; it panics on a bad pattern, which the tests catch.
func r(kind Kind, pattern string) rule {
	return rule{kind: kind, re: regexp.MustCompile(pattern)}
}

// rules is the classification table, most specific first: the first rule that
// matches anywhere in the standard error decides the Kind. Each rule's comment
// quotes the OpenZFS 2.1–2.3 messages (C locale) it is meant to match and where
// they come from; libzfs prints "<action>: <description>", for example
// "cannot destroy 'tank/a': dataset is busy".
var rules = []rule{
	// libzfs_sendrecv.c recv_ecksum_set_aux, resumable receive cut short:
	// "checksum mismatch or incomplete stream.\nPartially received snapshot is
	// saved.\nA resuming stream can be generated on the sending system by
	// running:\n    zfs send -t <token>"
	r(Interrupted, `Partially received snapshot is saved|A resuming stream can be generated`),
	// libzfs_sendrecv.c zfs_receive_one, EBUSY with a resume token:
	// "destination tank/a contains partially-complete state from \"zfs receive -s\"."
	// zfs_main.c share_mount_one: "cannot mount 'tank/a': Contains
	// partially-completed state from \"zfs receive -s\", which can be resumed
	// with \"zfs send -t\""
	r(ResumableStatePresent, `(?i)contains partially-complete(d)? state from`),
	// libzfs_sendrecv.c, ETXTBSY: "destination tank/a has been modified\nsince
	// most recent snapshot"
	r(DestinationModified, `destination .* has been modified +since most recent snapshot`),
	// libzfs_sendrecv.c, ENODEV: "most recent snapshot of tank/a does
	// not\nmatch incremental source"; corrective receive: "local snapshot
	// doesn't match the snapshot in the provided stream"
	// Resuming a send (zfs send -t): "'tank/a@s' is no longer the same
	// snapshot used in the initial send"; zfs send --saved: "provided resume
	// token does not match dataset"
	r(StreamMismatch, `most recent snapshot of .* does not +match incremental source|local snapshot doesn't match the snapshot +in the provided stream|is no longer the same snapshot used in the initial send|resume token does not match dataset`),
	// libzfs_sendrecv.c: "local origin for clone tank/b@s does not exist";
	// receive -o origin: "specified origin fs (tank/a@s) does not exist";
	// send: "incremental source (tank/a@s) does not exist", "incremental source
	// (@s) does not exist", "incremental source could not be found",
	// "incremental source 0x1234 no longer exists"
	r(NoCommonBase, `local origin for clone .* does not exist|specified origin fs \(.*\) does not exist|incremental source (\(.*\) does not exist|could not be found|\S+ no longer exists)`),
	// libzfs_sendrecv.c, full stream onto an existing destination without -F:
	// "destination 'tank/a' exists\nmust specify -F to overwrite it";
	// EZFS_RESUME_EXISTS (2.2+): "Resuming recv on existing destination
	// 'tank/a'\nmust specify -F to overwrite it", "Resuming recv on existing
	// dataset without force"; "destination 'tank/a' is a clone\nmust destroy it
	// to overwrite it"; "destination has snapshots (eg. tank/a@s)\nmust destroy
	// them to overwrite it"
	r(Exist, `destination '.*' exists +must specify -F|Resuming recv on existing|destination '.*' is a clone +must destroy it|destination has snapshots \(eg\. .*\) +must destroy them`),
	// A volume cannot be a parent, nor replace what has children or the
	// root dataset (libzfs EZFS_WRONG_PARENT; pyzfs WrongParent).
	// libzfs_dataset.c check_parents (create, rename, clone): "cannot create
	// 'tank/vol/fs': parent is not a filesystem" (a rename reports the new
	// name the same way); libzfs_sendrecv.c zfs_receive_one: "cannot receive
	// new filesystem stream: parent 'tank/vol' is not a filesystem",
	// "destination tank is the root dataset\ncannot overwrite with a ZVOL",
	// "destination has children (eg. tank/a/b)\ncannot overwrite with a ZVOL"
	r(WrongParent, `parent ('.*' )?is not a filesystem|destination (.* is the root dataset|has children \(eg\. .*\)) +cannot overwrite with a ZVOL`),
	// libzfs_dataset.c zfs_destroy_snaps_nvl (zfs-2.3.3 and later, and some
	// distribution builds of 2.3.2), EBUSY with holds:
	// "cannot destroy snapshot tank/a@s: it's being held. Run 'zfs holds -r
	// tank/a@s' to see holders." Earlier releases say "dataset is busy".
	r(Held, `it's being held`),
	// zfs_main.c destroy_check_dependent: "cannot destroy 'tank/a': filesystem
	// has dependent clones\nuse '-R' to destroy the following datasets:";
	// libzfs_dataset.c zfs_destroy_snaps_nvl, EEXIST: "snapshot is cloned";
	// zfs_main.c rollback_check_dependent: "cannot rollback to 'tank/a@s':
	// clones of previous snapshots exist"
	r(HasClones, `has dependent clones|snapshot is cloned|clones of previous snapshots exist`),
	// zfs_main.c destroy_check_dependent: "cannot destroy 'tank/a': filesystem
	// has children\nuse '-r' to destroy the following datasets:"
	r(HasChildren, `(filesystem|volume|snapshot|bookmark|dataset|destination) has children`),
	// zfs_main.c rollback_check: "cannot rollback to 'tank/a@s': more recent
	// snapshots or bookmarks exist\nuse '-r' to force deletion of the following
	// snapshots and bookmarks:"; libzfs_dataset.c zfs_rollback: "there is a
	// snapshot or bookmark more recent than 'tank/a@s'"
	r(SnapshotNotLatest, `more recent snapshots or bookmarks exist|snapshot or bookmark more recent than`),
	// zfs_main.c: "cannot mount 'tank/a': encryption key not loaded";
	// libzfs_mount.c: "encryption key not loaded"; libzfs_dataset.c create:
	// "encryption root's key is not loaded or provided"; libzfs_sendrecv.c:
	// "inherited key must be loaded", "source key must be loaded", "dataset key
	// must be loaded", "key must be loaded to do a non-raw corrective recv on
	// an encrypted dataset."; libzfs_crypto.c: "Keys must be loaded for
	// encryption root of 'tank/a' (tank).", "Parent key must be loaded.", "Key
	// must be loaded."
	// libzfs_crypto.c zfs_crypto_unload_key: "Key unload error: Key
	// already unloaded for 'tank/secret'."
	r(KeyNotLoaded, `(?i)encryption key not loaded|key is not loaded|keys? must be loaded|Key already unloaded for`),
	// libzfs_util.c zfs/zpool_standard_error, EAGAIN: "pool I/O is currently
	// suspended"; EZFS_POOLUNAVAIL: "pool is unavailable"; zpool_standard_error
	// ENXIO: "one or more devices is currently unavailable"; zpool_main.c:
	// "pool 'tank' is unavailable", "cannot scan 'tank': pool is currently
	// unavailable"; libzfs_pool.c: "pool is in an unavailable state"
	r(PoolUnavailable, `pool I/O is currently suspended|pool (is|'.*' is) (currently )?unavailable|pool is in an unavailable state|one or more devices is currently unavailable`),
	// lib/libzfs/os/linux/libzfs_util_os.c libzfs_error_init, printed by zfs
	// and zpool when libzfs cannot start: "The ZFS modules are not
	// loaded.\nTry running 'modprobe zfs' as root to load them.", "The ZFS
	// modules cannot be auto-loaded.\n...", "/dev/zfs and /proc/self/mounts
	// are required.\n..."
	r(ModuleNotLoaded, `The ZFS modules (are not loaded|cannot be auto-loaded)|/dev/zfs and /proc/self/mounts are required`),
	// Existence. libzfs_util.c zfs_standard_error ENOENT: "dataset does not
	// exist"; zpool_standard_error ENOENT and EZFS_NOENT: "no such pool or
	// dataset"; libzfs_pool.c: "cannot open 'tank': no such pool";
	// libzfs_dataset.c: "no such pool 'tank'", "no such parent 'tank/a'",
	// "parent does not exist", "'tank/a@s' is not found among snapshots of
	// 'tank/a'"; zpool_main.c: "cannot import 'tank': no such pool available";
	// zfs_main.c: "could not find any snapshots to destroy; check snapshot
	// names.", "bookmark 'tank/a#b' does not exist.", "provided snapshot
	// tank/a@s does not exist"; libzfs_sendrecv.c: "destination 'tank/a' does
	// not exist", "specified fs (tank/a) does not exist", "cannot send
	// tank/a@s: snapshot tank/a@s does not exist", "dataset to be sent no
	// longer exists", "'tank/a@s' used in the initial send no longer exists";
	// EZFS_REFTAG_RELE: "no such tag on this dataset"; EZFS_NODEVICE: "no such
	// device in pool"; EZFS_NO_CHECKPOINT: "checkpoint does not exist"
	// libzfs_util.c EZFS_NO_SCRUB: "cannot pause scrubbing tank: there is no
	// active scrub" (OpenZFS 2.1 also fails pausing an idle pool this way),
	// "cannot cancel scrubbing tank: there is no active scrub"; EZFS_NO_TRIM:
	// "cannot trim 'sda': there is no active trim"; EZFS_NO_INITIALIZE: "there
	// is no active initialization"
	r(NotExist, `there is no active (scrub|trim|initialization)`),
	r(NotExist, `dataset does not exist|no such (pool|parent|tag on this dataset|device in pool)|could not find any snapshots to destroy|parent does not exist|is not found among snapshots of|no longer exists|does not exist`),
	// libzfs_util.c zfs_standard_error EEXIST: "dataset already exists";
	// zpool_standard_error EEXIST: "pool already exists"; EZFS_EXISTS: "pool or
	// dataset exists"; libzfs_sendrecv.c: "cannot restore to tank/a@s:
	// destination already exists"; EZFS_REFTAG_HOLD: "tag already exists on
	// this dataset"; EZFS_CHECKPOINT_EXISTS: "checkpoint exists"; zfs_main.c:
	// "cannot mount 'tank/a': filesystem already mounted"; libzfs_dataset.c
	// promote: "conflicting snapshot 'tank/a@s' from parent 'tank/b'"; rename:
	// "a child dataset already has a snapshot with the new name"
	// zpool_main.c import: "cannot import 'tank': a pool with that name
	// already exists"; libzfs_crypto.c zfs_crypto_load_key: "Key load error:
	// Key already loaded for 'tank/secret'."
	// libzfs_dataset.c zfs_bookmark, EEXIST: "cannot create bookmark
	// 'tank/a#b': bookmark exists"
	r(Exist, `bookmark exists`),
	r(Exist, `(dataset|pool|destination|filesystem|tag) already (exists|mounted)|pool or dataset exists|checkpoint exists|conflicting snapshot '.*' from parent|already has a snapshot with the new name|already exists|Key already loaded for`),
	// libzfs_util.c zfs_standard_error EBUSY: "dataset is busy";
	// zpool_standard_error EBUSY: "pool is busy"; EZFS_BUSY: "pool or dataset
	// is busy"; libzfs_sendrecv.c send: "target is busy; if a filesystem, it
	// must not be mounted"; umount(8) via libzfs_mount.c: "umount: /tank/a:
	// target is busy."
	// EZFS_ACTIVE_POOL (multihost): "pool is imported on a different host"
	// libzfs_crypto.c zfs_crypto_unload_key, EBUSY: "Key unload error:
	// 'tank/secret' is busy."
	// zpool_vdev.c, a device of a new vdev belongs to an imported pool:
	// "invalid vdev specification\nuse '-f' to override the following
	// errors:\n/dev/sda is part of active pool 'tank'"
	r(Busy, `is part of active pool`),
	r(Busy, `(dataset|pool|pool or dataset) is busy|target is busy|pool is imported on a different host|Key unload error: '.*' is busy`),
	// zfs_main.c: "cannot unmount 'tank/a': not currently mounted", "cannot
	// share 'tank/a': not currently mounted"
	r(NotMounted, `not currently mounted`),
	// EZFS_PERM: "permission denied"; strerror(EPERM/EACCES): "Permission
	// denied", "Operation not permitted"; EZFS_NODELEGATION: "delegated
	// administration is disabled on pool"; libzfs_util.c libzfs_error_init:
	// "Permission denied the ZFS utilities must be run as root."
	// libzfs_crypto.c zfs_crypto_load_key, EACCES (a wrong passphrase or
	// key): "Key load error: Incorrect key provided for 'tank/secret'."
	r(Permission, `(?i)permission denied|operation not permitted|delegated administration is disabled|must be run as root|Incorrect key provided`),
	// EZFS_NOSPC: "out of space"; libzfs_sendrecv.c EDQUOT: "destination tank/a
	// space quota exceeded."; strerror(ENOSPC/EDQUOT): "No space left on
	// device", "Disk quota exceeded"
	r(NoSpace, `(?i)out of space|space quota exceeded|no space left on device|disk quota exceeded`),
	// EZFS_DSREADONLY: "dataset is read-only"; EZFS_POOLREADONLY: "pool is
	// read-only"; strerror(EROFS): "Read-only file system"
	r(ReadOnly, `(?i)(dataset|pool) is read-only|read-only file system`),
	// libzfs_dataset.c zfs_validate_name: "name is too long", "leading slash in
	// name", "empty component or misplaced '@' or '#' delimiter in name",
	// "trailing slash in name", "invalid character 'x' in name", "invalid
	// character % in name", "multiple '@' and/or '#' delimiters in name", "pool
	// doesn't begin with a letter", "name is reserved", "reserved disk name",
	// "self reference, '.' is found in name", "parent reference, '..' is found
	// in name", "snapshot delimiter '@' is not expected here", "missing '@'
	// delimiter in snapshot name", "bookmark delimiter '#' is not expected
	// here", "missing '#' delimiter in bookmark name", "maximum name nesting
	// depth exceeded"; libzfs_pool.c zpool_name_valid: "invalid character 'x'
	// in pool name", "name must begin with a letter", "pool name is reserved",
	// "empty component in name"; EZFS_INVALIDNAME: "invalid name";
	// EZFS_NAMETOOLONG: "dataset name is too long"; libzfs_sendrecv.c:
	// "invalid bookmark name"
	r(InvalidName, `name is too long|(leading|trailing) slash in name|empty component|invalid character .* in (pool )?name|multiple '@' and/or '#' delimiters|doesn't begin with a letter|must begin with a letter|name is reserved|reserved disk name|(self|parent) reference, '\.+' is found in name|delimiter '[@#]' is not expected here|missing '[@#]' delimiter|maximum name nesting depth exceeded|invalid (bookmark )?name`),
	// Stream problems. EZFS_BADSTREAM: "invalid backup stream";
	// libzfs_sendrecv.c: "invalid stream (bad magic number)", "invalid stream
	// (malformed nvlist)", "invalid stream (bad snapshot name)", "checksum
	// mismatch", "incomplete stream", "failed to read from stream", "incorrect
	// header checksum", "invalid record type", "IV set guid missing", "IV set
	// guid mismatch", "Spill block flag missing for raw send.", "incompatible
	// embedded data stream feature with encrypted receive.", "incremental send
	// stream requires -L (--large-block), to match previous receive.", "zero-
	// length incremental source"
	r(InvalidStream, `invalid backup stream|invalid stream|checksum mismatch|incomplete stream|failed to read from stream|incorrect header checksum|invalid record type|IV set guid (missing|mismatch)|Spill block flag missing|incompatible embedded data stream|stream requires -L|zero-length incremental source`),
	// Unsupported features and versions. EZFS_BADVERSION: "unsupported version
	// or feature"; EZFS_NOTSUP/EZFS_POOL_NOTSUP/EZFS_VDEV_NOTSUP: "operation not
	// supported on this type of pool", "operation not supported on this
	// dataset", "operation not supported by zfs kernel module";
	// libzfs_util.c: "the loaded zfs module does not support this operation. A
	// reboot may be required to enable this operation.", "... does not support
	// an option for this operation. ..."; libzfs_sendrecv.c: "pool must be
	// upgraded to receive this stream.", "kernel modules must be upgraded to
	// receive this stream.", "stream has unsupported feature, feature flags =
	// ...", "stream has deprecated feature: dedup, ...", "stream uses crypto
	// parameters not compatible with this pool", "stream is not compatible with
	// the data in the pool."; libzfs_dataset.c: "pool must be upgraded to set
	// this property or value", "pool must be upgraded", "mlslabels are
	// unsupported"; strerror(ENOTSUP): "Operation not supported"
	r(NotSupported, `(?i)operation not supported|unsupported version or feature|loaded zfs module does not support|must be upgraded|stream has (unsupported|deprecated) feature|crypto parameters not compatible|stream is not compatible|are unsupported|trim operations are not supported|vdev specification is not supported`),
	// EZFS_IO: "I/O error"; EZFS_CKSUM: "insufficient replicas"
	r(IO, `(?i)I/O error|insufficient replicas`),
	// Arguments and properties. EZFS_BADPROP: "invalid property value";
	// EZFS_PROPREADONLY: "read-only property"; EZFS_PROPTYPE: "property doesn't
	// apply to datasets of this type"; EZFS_PROPNONINHERIT: "property cannot be
	// inherited"; EZFS_PROPSPACE: "invalid quota or reservation";
	// EZFS_BADTYPE: "operation not applicable to datasets of this type";
	// EZFS_POOL_INVALARG: "invalid argument for this pool operation";
	// libzfs_dataset.c zfs_valid_proplist: "invalid property 'x'", "'used' is
	// readonly", "'x' must be a number", "'x' does not apply to datasets of
	// this type"; create: "missing volume size", "volume size must be a
	// multiple of volume block size"; libzfs_sendrecv.c: "invalid argument -
	// snapshot not allowed with -e", "cannot specify snapshot name for
	// multi-snapshot stream", "not an earlier snapshot from the same fs";
	// zfs_main.c/zpool_main.c usage errors (exit status 2): "invalid option
	// 'x'", "missing dataset argument", "too many arguments", "usage:"
	// libzfs_sendrecv.c zfs_send_resume_token_to_nvlist and friends: "resume
	// token is corrupt (invalid format)", "resume token is corrupt", "provided
	// resume token is corrupt", "dataset's resume token is corrupt"
	r(InvalidArgument, `resume token is corrupt`),
	// Requests zfs refuses whatever the state, which the zfs package also
	// checks before running. libzfs_dataset.c zfs_valid_proplist:
	// "cannot create snapshots : this property can not be modified for
	// snapshots", "cannot set property for 'tank/a': property name 'x:...'
	// is too long"; zfs_prop_set_list E2BIG: "property value too long";
	// zfs_snapshot_nvl, EXDEV (two snapshots of one dataset, or snapshots in
	// two pools): "cannot create snapshots : multiple snapshots of same fs
	// not allowed"; zfs_clone, EXDEV: "cannot create 'other/c': source and
	// target pools differ"; zfs_rename: "cannot rename to 'other/a':
	// datasets must be within same pool"; zfs_main.c zfs_do_send: "Error:
	// Unsupported flag with filesystem or bookmark."
	r(InvalidArgument, `can not be modified for snapshots|property name '.*' is too long|property value too long|multiple snapshots of same fs not allowed|source and target pools differ|datasets must be within same pool|Unsupported flag with filesystem or bookmark`),
	// zfs_main.c zfs_do_channel_program, EINVAL: "Channel program execution
	// failed:\nInvalid instruction or memory limit."; a Lua syntax error:
	// "Channel program execution failed:\n[string \"channel program\"]:1:
	// syntax error near '+'". Runtime errors of a script ("...:1: assertion
	// failed!") and its limits ("Memory limit exhausted.", "Channel program
	// timed out.") keep Kind Other; the message quotes the Lua error.
	r(InvalidArgument, `Channel program execution failed: +(Invalid instruction or memory limit|\[string "[^"]*"\]:[0-9]+: syntax error)`),
	// libzfs_dataset.c zfs_bookmark, EINVAL/EXDEV (a bookmark of a snapshot
	// of another dataset): "cannot create bookmark 'tank/b#x': source is not
	// an ancestor of the new bookmark's dataset"
	r(InvalidArgument, `source is not an ancestor of the new bookmark`),
	// libzfs_pool.c zpool_vdev_detach, EZFS_BADTARGET: "cannot detach sda:
	// only applicable to mirror and replacing vdevs"; zpool_create, EOVERFLOW:
	// "cannot create 'tank': one or more devices is less than the minimum
	// size (64M)"
	r(InvalidArgument, `only applicable to mirror and replacing vdevs|is less than the minimum size`),
	// zfs_prop.c / libzfs_dataset.c zfs_valid_proplist for index properties:
	// "'atime' must be one of 'on | off'"; libzfs_dataset.c zfs_promote: "not
	// a cloned filesystem"
	r(InvalidArgument, `' must be one of '|not a cloned filesystem`),
	r(InvalidArgument, `invalid property|read-only property|property doesn't apply|property cannot be inherited|invalid quota or reservation|operation not applicable to datasets|invalid argument|' is readonly|' must be (a|an|set|power|zero)|does not apply to datasets of this type|missing volume|volume size|cannot specify snapshot name|not an earlier snapshot from the same fs|invalid option|(^| )missing [a-z<]|too many arguments|(^| )usage:`),
}

// normalize turns line breaks and tabs into spaces, byte for byte, so offsets
// into the result are offsets into s.
func normalize(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' || c == '\t' {
			b[i] = ' '
		}
	}
	return string(b)
}

// Classify returns the Kind that the standard error of a failed zfs or zpool
// command indicates, or Other if no rule matches. It expects messages in the C
// locale (the exec runner sets LC_ALL=C) as printed by OpenZFS 2.1 to 2.3.
func Classify(stderr string) Kind {
	k, _, _ := classify(stderr)
	return k
}

// classify returns the Kind and the byte span of the match in stderr.
func classify(stderr string) (Kind, int, int) {
	if strings.TrimSpace(stderr) == "" {
		return Other, -1, -1
	}
	n := normalize(stderr)
	for _, ru := range rules {
		if loc := ru.re.FindStringIndex(n); loc != nil {
			return ru.kind, loc[0], loc[1]
		}
	}
	return Other, -1, -1
}

// summarize returns the meaningful part of stderr for an error message: the
// line (or lines) holding the message that decided the Kind, or else the first
// line that reports a failure, or else the first non-empty line, without the
// "cannot <action> '<name>': " prefix when it repeats name. It returns "" for
// empty stderr.
func summarize(stderr, name string) string {
	_, start, end := classify(stderr)
	var text string
	if start >= 0 {
		ls := strings.LastIndexByte(stderr[:start], '\n') + 1
		le := len(stderr)
		if i := strings.IndexByte(stderr[end:], '\n'); i >= 0 {
			le = end + i
		}
		text = stderr[ls:le]
		// A description continued from a "cannot ..." line just above (libzfs
		// breaks some descriptions over lines): keep that line too.
		if !strings.HasPrefix(text, "cannot ") {
			prev := stderr[:ls]
			for n := 0; n < 3 && prev != ""; n++ {
				prev = prev[:len(prev)-1]
				pl := prev[strings.LastIndexByte(prev, '\n')+1:]
				if strings.TrimSpace(pl) == "" {
					break
				}
				if strings.HasPrefix(pl, "cannot ") {
					text = stderr[len(prev)-len(pl) : le]
					break
				}
				prev = prev[:len(prev)-len(pl)]
			}
		}
	} else {
		var first string
		for _, l := range strings.Split(stderr, "\n") {
			l = strings.TrimSpace(l)
			if l == "" {
				continue
			}
			if first == "" {
				first = l
			}
			if strings.HasPrefix(l, "cannot ") || strings.HasPrefix(l, "internal error") {
				first = l
				break
			}
		}
		text = first
		if strings.HasSuffix(first, ":") {
			// A heading such as "Channel program execution failed:" whose
			// explanation (the Lua error) is on the next line.
			text += " " + nextLine(stderr, first)
		}
	}
	text = strings.Join(strings.Fields(text), " ")
	return strings.TrimSuffix(stripAction(text, name), ".")
}

// nextLine returns the first non-empty line of stderr after the line line,
// or "".
func nextLine(stderr, line string) string {
	found := false
	for _, l := range strings.Split(stderr, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
		case found:
			return l
		case l == line:
			found = true
		}
	}
	return ""
}

// stripAction removes a libzfs "[warning: ]cannot <action> <object>: " prefix from line,
// keeping the object when it is not name.
func stripAction(line, name string) string {
	// zfs send prints its failures as warnings: "warning: cannot send
	// 'tank/a@s': ...".
	line = strings.TrimPrefix(line, "warning: ")
	if !strings.HasPrefix(line, "cannot ") {
		return line
	}
	rest := line[len("cannot "):]
	var object, desc string
	if q := strings.Index(rest, " '"); q >= 0 && q < strings.Index(rest+": ", ": ") {
		// cannot destroy 'tank/a': dataset is busy
		end := strings.Index(rest[q+2:], "': ")
		if end < 0 {
			return line
		}
		object = rest[q+2 : q+2+end]
		desc = rest[q+2+end+3:]
	} else {
		// cannot destroy snapshot tank/a@s: dataset is busy
		// cannot receive incremental stream: ...
		c := strings.Index(rest, ": ")
		if c < 0 {
			return line
		}
		head := rest[:c]
		desc = rest[c+2:]
		if f := strings.Fields(head); len(f) > 1 && strings.ContainsAny(f[len(f)-1], "/@#") {
			object = f[len(f)-1]
		}
	}
	if desc == "" {
		return line
	}
	if object != "" && object != name {
		return object + ": " + desc
	}
	return desc
}

// tokenRE matches a receive resume token: "<version>-<checksum>-<length>-<hex
// payload>", all numbers but the version in hexadecimal.
var tokenRE = regexp.MustCompile(`\b[0-9]+-[0-9a-fA-F]+-[0-9a-fA-F]+-[0-9a-fA-F]+\b`)

// resumeToken extracts a receive resume token from the standard error of an
// interrupted "zfs receive -s", which ends with "A resuming stream can be
// generated on the sending system by running:\n    zfs send -t <token>". It
// reports whether a token was found.
func resumeToken(stderr string) (string, bool) {
	const marker = "zfs send -t "
	i := strings.LastIndex(stderr, marker)
	if i < 0 {
		return "", false
	}
	f := strings.Fields(stderr[i+len(marker):])
	if len(f) == 0 || !validResumeToken(f[0]) {
		return "", false
	}
	return f[0], true
}

// validResumeToken reports whether token has the form of a receive resume token,
// as printed by zfs get receive_resume_token and accepted by zfs send -t:
// "<version>-<checksum>-<length>-<payload>" with hexadecimal fields. It checks
// the form only, not the checksum or payload.
func validResumeToken(token string) bool {
	loc := tokenRE.FindStringIndex(token)
	return loc != nil && loc[0] == 0 && loc[1] == len(token)
}
