// Package readme checks that the Go code in the repository's README.md
// compiles against the current API.
package readme

import (
	"bufio"
	"bytes"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sample is a ```go block of the README.
type sample struct {
	line int // of its first line of code
	code string
}

func samples(t *testing.T, path string) []sample {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var (
		out []sample
		cur *sample
		n   int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur = &sample{line: n + 1}
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.code += line + "\n"
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// The packages a sample may use without importing them, and the variables
// it may use without declaring them: the README's samples are fragments of
// a function that has these at hand and returns an error.
var (
	imports = []string{
		"context", "fmt", "io", "log", "log/slog", "os", "time",
		"github.com/gozfs/gozfs/autosnap",
		"github.com/gozfs/gozfs/command",
		"github.com/gozfs/gozfs/errors",
		"github.com/gozfs/gozfs/recv",
		"github.com/gozfs/gozfs/replication",
		"github.com/gozfs/gozfs/retention",
		"github.com/gozfs/gozfs/send",
		"github.com/gozfs/gozfs/stream",
		"github.com/gozfs/gozfs/stream/compress",
		"github.com/gozfs/gozfs/stream/encrypt",
		"github.com/gozfs/gozfs/zfs",
		"github.com/gozfs/gozfs/zpool",
	}
	params = "ctx context.Context, c *zfs.Client, file *os.File, r io.Reader, pass []byte, lastSentGUID uint64"
)

// TestREADMECompiles type-checks every ```go block of README.md: an import
// block as it is, any other as the body of a function (see params).
func TestREADMECompiles(t *testing.T) {
	all := samples(t, "../../README.md")
	require.NotEmpty(t, all, "no ```go block in README.md")
	imp := exportImporter(t)
	for _, s := range all {
		t.Run(fmt.Sprintf("line%d", s.line), func(t *testing.T) {
			var src strings.Builder
			src.WriteString("package readme\n\n")
			if strings.HasPrefix(strings.TrimSpace(s.code), "import") {
				fmt.Fprintf(&src, "//line README.md:%d\n%s", s.line, s.code)
			} else {
				src.WriteString("import (\n")
				for _, p := range imports {
					fmt.Fprintf(&src, "\t%q\n", p)
				}
				fmt.Fprintf(&src, ")\n\nfunc _(%s) error {\n\tvar err error\n\t_ = err\n\t{\n", params)
				fmt.Fprintf(&src, "//line README.md:%d\n%s", s.line, s.code)
				src.WriteString("\t}\n\treturn nil\n}\n")
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "sample.go", src.String(), parser.SkipObjectResolution)
			require.NoError(t, err, s.code)
			var errs []string
			conf := types.Config{
				Importer: imp,
				Error: func(err error) {
					// Unused variables and imports are not mistakes in a
					// fragment.
					if te, ok := err.(types.Error); ok && te.Soft {
						return
					}
					errs = append(errs, err.Error())
				},
			}
			conf.Check("readme", fset, []*ast.File{f}, nil)
			assert.Empty(t, errs, "README.md sample does not compile")
		})
	}
}

// exportImporter imports packages from the export data of the go command's
// build cache, as go vet does.
func exportImporter(t *testing.T) types.Importer {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, imports...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list: %s", stderr.Bytes())
	files := map[string]string{}
	for line := range strings.Lines(string(out)) {
		path, file, _ := strings.Cut(strings.TrimSpace(line), "\t")
		files[path] = file
	}
	return importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		file, ok := files[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %s", strconv.Quote(path))
		}
		return os.Open(file)
	})
}
