package names

// MaxArgLen bounds one command-line argument the SDK builds: Linux rejects
// any argument longer than MAX_ARG_STRLEN (128 KiB).
const MaxArgLen = 100 << 10

// CommaBatches splits the short names of a dataset's snapshots into comma
// lists that keep each "ds@a,b,c" argument within MaxArgLen, in order, for
// zfs destroy (and its -nvp dry run).
func CommaBatches(ds string, shorts []string) [][]string {
	var out [][]string
	var cur []string
	n := len(ds) + 1
	for _, s := range shorts {
		if len(cur) > 0 && n+len(s)+1 > MaxArgLen {
			out = append(out, cur)
			cur, n = nil, len(ds)+1
		}
		cur = append(cur, s)
		n += len(s) + 1
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
