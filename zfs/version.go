package zfs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
)

// Version is an OpenZFS version, as reported by `zfs version`.
type Version struct {
	// Major, Minor and Patch are the numeric release, e.g. 2, 3, 2.
	Major, Minor, Patch int
	// Userland is the full userland version string, e.g. "zfs-2.3.2-2~bpo12+2".
	Userland string
	// Kernel is the full kernel module version string, e.g.
	// "zfs-kmod-2.3.2-2~bpo12+2"; empty when the module is not loaded.
	Kernel string
}

var versionRE = regexp.MustCompile(`^zfs-(?:kmod-)?v?(\d+)\.(\d+)(?:\.(\d+))?`)

// ParseVersion parses the output of `zfs version` (or `zfs -V`): a userland
// line "zfs-X.Y.Z…" and, when the module is loaded, "zfs-kmod-X.Y.Z…".
func ParseVersion(out string) (Version, error) {
	var v Version
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "zfs-kmod-"):
			v.Kernel = line
		case strings.HasPrefix(line, "zfs-") && v.Userland == "":
			v.Userland = line
		}
	}
	m := versionRE.FindStringSubmatch(v.Userland)
	if m == nil {
		return Version{}, errs.Newf(errors.Other, "version", "", "cannot parse zfs version output %q", firstLine(out))
	}
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		v.Patch, _ = strconv.Atoi(m[3])
	}
	return v, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// AtLeast reports whether v is major.minor or later.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || v.Major == major && v.Minor >= minor
}

// SupportsJSON reports whether zfs and zpool offer `-j` JSON output (2.3+).
func (v Version) SupportsJSON() bool { return v.AtLeast(2, 3) }

// String returns "2.3.2".
func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }
