package zfs

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/gozfs/gozfs/command"
	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
	"github.com/gozfs/gozfs/internal/names"
)

// ProgramOptions are the options of Program.
type ProgramOptions struct {
	// NoSync (-n) runs a read-only program, which is faster; it cannot call
	// the zfs.sync functions.
	NoSync bool
	// InstructionLimit (-t) bounds the Lua instructions executed; zero keeps
	// zfs's default (10 million; the maximum is 100 million).
	InstructionLimit uint64
	// MemoryLimit (-m) bounds the program's memory in bytes; zero keeps
	// zfs's default (10 MiB; the maximum is 100 MiB).
	MemoryLimit uint64
	// Args are passed to the script, which sees them as ...["argv"].
	Args []string
	// ExtraArgs are more arguments for `zfs program`, for flags this
	// package does not model; see [ExtraArgs].
	ExtraArgs ExtraArgs
}

// Program runs a ZFS channel program (a Lua script executed atomically in
// the kernel) on pool, with one `zfs program`, passing the script on
// standard input. It returns the script's return value decoded into Go
// values: a Lua table becomes a map[string]any (numeric keys as decimal
// strings), a number an int64, a string a string, a boolean a bool; nil
// means the script returned nothing. The value comes from the JSON output
// (`zfs program -j`, which OpenZFS has had since 0.8, long before JSON output
// for other commands); with WithTextOutput, from the text output, where a
// string holding a newline or "'" followed by a newline is ambiguous.
//
// A script that fails, exceeds a limit or returns too large a value gives
// an error whose Stderr holds zfs's explanation (Lua error and stack
// trace).
func (c *Client) Program(ctx context.Context, pool string, script io.Reader, opts ProgramOptions) (any, error) {
	const op = "program"
	if err := names.Pool(pool); err != nil {
		return nil, errs.WithOp(err, op)
	}
	if script == nil {
		return nil, errs.InvalidArgumentf(op, pool, "no script")
	}
	if err := checkExtra(op, pool, opts.ExtraArgs); err != nil {
		return nil, err
	}
	v, err := c.Version(ctx)
	if err != nil {
		return nil, errs.WithOp(err, op)
	}
	useJSON := !c.opts.TextOutput && v.AtLeast(0, 8)
	args := []string{"program"}
	if useJSON {
		args = append(args, "-j")
	}
	if opts.NoSync {
		args = append(args, "-n")
	}
	if opts.InstructionLimit > 0 {
		args = append(args, "-t", strconv.FormatUint(opts.InstructionLimit, 10))
	}
	if opts.MemoryLimit > 0 {
		args = append(args, "-m", strconv.FormatUint(opts.MemoryLimit, 10))
	}
	args = append(args, opts.ExtraArgs...)
	args = append(args, pool, "-")
	args = append(args, opts.Args...)
	var out bytes.Buffer
	if err := c.runCmd(ctx, op, pool, &command.Cmd{Name: "zfs", Args: args, Stdin: script, Stdout: &out}); err != nil {
		return nil, err
	}
	if useJSON {
		return parseProgramJSON(out.Bytes())
	}
	return parseProgramText(out.String())
}

// parseProgramJSON decodes `zfs program -j` output: {"return": value} or {}.
func parseProgramJSON(b []byte) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, errs.Newf(errors.Other, "program", "", "cannot decode JSON output: %w", err)
	}
	return convertNumbers(top["return"]), nil
}

// convertNumbers turns json.Numbers into int64 (Lua numbers are 64-bit
// integers), or float64 if one does not fit.
func convertNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = convertNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = convertNumbers(e)
		}
	}
	return v
}

// parseProgramText decodes the text output of `zfs program`:
//
//	Channel program fully executed and produced output:
//	    return:
//	        n: 5
//	        first: 'pool/fs@s'
//
// (or "...did not produce output."), a dump of the result nvlist with four
// spaces of indentation per level.
func parseProgramText(out string) (any, error) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "Channel program fully executed") {
		return nil, errs.Newf(errors.Other, "program", "", "unexpected output %q", truncate(out, 80))
	}
	if len(lines) == 1 {
		return nil, nil
	}
	m, _, err := parseNVText(lines[1:], 4)
	if err != nil {
		return nil, err
	}
	return m["return"], nil
}

// parseNVText parses lines at the given indentation into a map, returning
// the number of lines consumed.
func parseNVText(lines []string, indent int) (map[string]any, int, error) {
	m := map[string]any{}
	prefix := strings.Repeat(" ", indent)
	i := 0
	for i < len(lines) {
		line := lines[i]
		if !strings.HasPrefix(line, prefix) || (len(line) > indent && line[indent] == ' ') {
			break
		}
		body := line[indent:]
		key, val, hasVal := strings.Cut(body, ": ")
		switch {
		case !hasVal && strings.HasSuffix(body, ":"):
			// A nested table, unless nothing deeper follows.
			key = strings.TrimSuffix(body, ":")
			sub, n, err := parseNVText(lines[i+1:], indent+4)
			if err != nil {
				return nil, 0, err
			}
			m[key] = sub
			i += 1 + n
			continue
		case !hasVal:
			m[body] = nil // a value-less boolean (Lua nil)
		case strings.HasPrefix(val, "'"):
			// A string: it may span lines if it holds newlines.
			s := val[1:]
			for !strings.HasSuffix(s, "'") && i+1 < len(lines) {
				i++
				s += "\n" + lines[i]
			}
			m[key] = strings.TrimSuffix(s, "'")
		case val == "true" || val == "false":
			m[key] = val == "true"
		default:
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				m[key] = val
			} else {
				m[key] = n
			}
		}
		i++
	}
	return m, i, nil
}
