package command

import (
	"errors"
	"fmt"
	"strings"
)

// shellQuote quotes s for a POSIX shell: the result is one word whose value is
// exactly s, whatever s holds. Inside single quotes every byte stands for
// itself except the single quote, which cannot appear at all: each one is
// written as a closing quote, a backslash-escaped quote and an opening quote.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// remoteCommand returns the command line that a remote POSIX shell runs for
// argv: the shell reports its pid on stderr (see pidMarker), exports the
// environment assignments (LC_ALL=C last, so that it wins), then the program
// replaces the shell, so that signals and the exit status are the program's
// own. Every word is quoted; nothing in argv or env is ever interpreted by
// the remote shell.
func remoteCommand(env []string, argv []string) (string, error) {
	var b strings.Builder
	b.WriteString(`echo "` + pidMarker + `$$" >&2; export`)
	for _, kv := range env {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || !isShellName(name) {
			return "", fmt.Errorf("command: environment entry %q is not NAME=value with a shell variable name", kv)
		}
		if strings.IndexByte(kv, 0) >= 0 {
			return "", fmt.Errorf("command: environment entry %q contains a NUL byte", name)
		}
		b.WriteByte(' ')
		b.WriteString(shellQuote(kv))
	}
	b.WriteString(" LC_ALL=C; exec")
	for i, a := range argv {
		if strings.IndexByte(a, 0) >= 0 {
			// The SSH exec request carries a C string on the server side: a
			// NUL would cut the command line short.
			return "", fmt.Errorf("command: argument %d (%q) contains a NUL byte", i, a)
		}
		b.WriteByte(' ')
		b.WriteString(shellQuote(a))
	}
	return b.String(), nil
}

// isShellName reports whether s is a POSIX shell variable name.
func isShellName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case '0' <= r && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// errNoProgram reports a Cmd without a program name.
var errNoProgram = errors.New("command: empty program name")
