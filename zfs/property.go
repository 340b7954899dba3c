package zfs

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gozfs/gozfs/errors"
)

// SourceKind says where a property's value comes from.
type SourceKind uint8

// The kinds of property source.
const (
	// SourceUnknown: the listing did not report sources (the `-H -p` text
	// output of a sorted listing, see ListOptions.Sort).
	SourceUnknown SourceKind = iota
	// SourceNone: the property has no source: read-only statistics such as
	// used or guid, and unset user properties ("-" in zfs output).
	SourceNone
	// SourceDefault: the property has its default value.
	SourceDefault
	// SourceLocal: the value was set on this dataset.
	SourceLocal
	// SourceInherited: the value is inherited; Source.From names the dataset
	// it comes from.
	SourceInherited
	// SourceReceived: the value was set by a `zfs receive` of a stream with
	// properties.
	SourceReceived
	// SourceTemporary: the value is in effect for the current mount only
	// (`zfs mount -o`).
	SourceTemporary
)

// String returns the lowercase word zfs prints for k ("local", "default",
// "inherited", ...), "-" for SourceNone and "unknown" for SourceUnknown.
func (k SourceKind) String() string {
	switch k {
	case SourceNone:
		return "-"
	case SourceDefault:
		return "default"
	case SourceLocal:
		return "local"
	case SourceInherited:
		return "inherited"
	case SourceReceived:
		return "received"
	case SourceTemporary:
		return "temporary"
	}
	return "unknown"
}

// Source is where a property's value comes from.
type Source struct {
	// Kind is the kind of source.
	Kind SourceKind
	// From is the dataset the value is inherited from, for SourceInherited.
	From string
}

// String returns the source as `zfs get` prints it: "local", "default",
// "inherited from tank/a", "received", "temporary" or "-".
func (s Source) String() string {
	if s.Kind == SourceInherited {
		return "inherited from " + s.From
	}
	return s.Kind.String()
}

// parseSourceText parses the source column of `zfs get -H`.
func parseSourceText(s string) Source {
	switch s {
	case "-", "none", "":
		return Source{Kind: SourceNone}
	case "default":
		return Source{Kind: SourceDefault}
	case "local":
		return Source{Kind: SourceLocal}
	case "received":
		return Source{Kind: SourceReceived}
	case "temporary":
		return Source{Kind: SourceTemporary}
	}
	if from, ok := strings.CutPrefix(s, "inherited from "); ok {
		return Source{Kind: SourceInherited, From: from}
	}
	return Source{Kind: SourceUnknown, From: s}
}

// parseSourceJSON maps the source "type" of the JSON output (LOCAL, DEFAULT,
// INHERITED, RECEIVED, TEMPORARY, NONE) to a SourceKind.
func parseSourceJSON(s string) SourceKind {
	switch s {
	case "NONE":
		return SourceNone
	case "DEFAULT":
		return SourceDefault
	case "LOCAL":
		return SourceLocal
	case "INHERITED":
		return SourceInherited
	case "RECEIVED":
		return SourceReceived
	case "TEMPORARY":
		return SourceTemporary
	}
	return SourceUnknown
}

// ErrNoValue is matched (with errors.Is) by the error a typed accessor of
// Property returns when the property has no value: zfs printed "-" (an unset
// user property, a property that does not apply to the dataset's type, or one
// that was not reported).
var ErrNoValue = errors.New("zfs: property has no value")

// ValueError reports a property value that a typed accessor of Property
// cannot convert. It matches ErrNoValue when the property has no value.
type ValueError struct {
	// Property is the property's name.
	Property string
	// Value is the raw value.
	Value string
	// Want describes what the accessor expected, e.g. "an integer".
	Want string
}

// Error returns a message such as `zfs: property used: "abc" is not an integer`.
func (e *ValueError) Error() string {
	if e.noValue() {
		return fmt.Sprintf("zfs: property %s has no value", e.Property)
	}
	return fmt.Sprintf("zfs: property %s: %q is not %s", e.Property, e.Value, e.Want)
}

func (e *ValueError) noValue() bool { return e.Value == "-" || e.Value == "" }

// Is reports whether target is ErrNoValue and the property has no value.
func (e *ValueError) Is(target error) bool { return target == ErrNoValue && e.noValue() }

// Property is the value of one property of a dataset (or, from the zpool
// package, of a pool) at the time it was read:
// the raw string zfs printed in its parsable form (exact numbers, seconds
// since the epoch, "-" for no value) and where it comes from. The typed
// accessors convert the raw value; they return a *ValueError if it does not
// convert, one matching ErrNoValue if there is no value.
type Property struct {
	// Name is the property's name, e.g. "used", "com.example:note" or
	// "written@snap".
	Name string
	// Value is the raw value as zfs prints it with -p: exact integers,
	// "on"/"off", "-" for no value. A user property's value is any string; on
	// the `-H` text path (OpenZFS before 2.3, or WithTextOutput) a value holding
	// a tab or newline cannot be read back faithfully, see ListOptions.
	Value string
	// Source is where the value comes from. SourceUnknown when the listing did
	// not report sources.
	Source Source
}

// String returns the raw value.
func (p Property) String() string { return p.Value }

// IsSet reports whether the property has a value: zfs did not print "-".
func (p Property) IsSet() bool { return p.Value != "-" && p.Value != "" }

func (p Property) err(want string) error {
	return &ValueError{Property: p.Name, Value: p.Value, Want: want}
}

// Uint returns the value as an unsigned integer: counts, GUIDs, TXGs. The
// value "none" (a quota or limit that is not set, as some versions print it)
// is 0; so is 18446744073709551615, which OpenZFS before 2.2 prints for an
// unset filesystem_limit or snapshot_limit and an untracked
// filesystem_count or snapshot_count where later versions print "none".
func (p Property) Uint() (uint64, error) {
	if p.Value == "none" {
		return 0, nil
	}
	v, ok := parseUint(p.Value)
	if !ok {
		return 0, p.err("an unsigned integer")
	}
	if v == 1<<64-1 {
		switch p.Name {
		case "filesystem_limit", "snapshot_limit", "filesystem_count", "snapshot_count":
			return 0, nil
		}
	}
	return v, nil
}

// Int returns the value as a signed integer.
func (p Property) Int() (int64, error) {
	if p.Value == "none" {
		return 0, nil
	}
	v, err := strconv.ParseInt(p.Value, 10, 64)
	if err != nil {
		return 0, p.err("an integer")
	}
	return v, nil
}

// Bytes returns a size in bytes (used, available, quota, volsize, written@s,
// ...). Values are exact because listings use parsable output. "none" is 0.
func (p Property) Bytes() (uint64, error) {
	v, err := p.Uint()
	if err != nil {
		return 0, p.err("a byte count")
	}
	return v, nil
}

// Bool returns the value of an on/off or yes/no property (mounted, readonly,
// atime, ...): true for "on", "yes", "true" and "1", false for "off", "no",
// "false" and "0".
func (p Property) Bool() (bool, error) {
	switch p.Value {
	case "on", "yes", "true", "1":
		return true, nil
	case "off", "no", "false", "0":
		return false, nil
	}
	return false, p.err("a boolean (on/off, yes/no)")
}

// Ratio returns a ratio such as compressratio or refcompressratio: "1.52" or
// "1.52x" give 1.52.
func (p Property) Ratio() (float64, error) {
	s := strings.TrimSuffix(p.Value, "x")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || s == "" || s[0] == '+' || s[0] == '-' || strings.ContainsAny(s, "eEnNiIpP_") {
		return 0, p.err("a ratio")
	}
	return v, nil
}

// Time returns a time stored as seconds since the epoch, such as creation.
func (p Property) Time() (time.Time, error) {
	v, err := strconv.ParseInt(p.Value, 10, 64)
	if err != nil {
		return time.Time{}, p.err("a time in seconds since the epoch")
	}
	return time.Unix(v, 0), nil
}

// Enum returns the value if it is one of values (e.g. "on", "off", "noauto"
// for canmount), and a *ValueError otherwise.
func (p Property) Enum(values ...string) (string, error) {
	if slices.Contains(values, p.Value) {
		return p.Value, nil
	}
	return "", p.err("one of " + strings.Join(values, ", "))
}
