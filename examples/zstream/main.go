// Command zstream inspects ZFS send streams and resume tokens without ZFS,
// in the spirit of OpenZFS's zstream(8):
//
//	zstream dump [-v] [-vv] [-json] [FILE]   summarize a stream (-v: every record)
//	zstream verify [-strict] [FILE]          check every checksum and the structure
//	zstream token [-json] [-snapshot NAME -guid GUID] TOKEN
//	                                         decode (and check) a receive_resume_token
//	zstream ls [-l=false] [-p PATH] [-d DATASET] [-base FULL] [FILE]
//	                                         list the files of a full stream, or what an
//	                                         incremental stream changes
//	zstream extract [-C DIR] [-owner] [-overwrite] [-v] [-d DATASET] FILE [PATH...]
//	                                         restore files (default: everything) from a
//	                                         full stream into DIR
//
// ls prints one line per file, like tar tv: mode, uid/gid, size,
// modification time (UTC), path relative to the file system's root, and
// " -> TARGET" for symbolic links:
//
//	-rw-r--r-- 0/0 1260 2026-12-03 09:12:05 dir/small.txt
//
// For an incremental stream it prints zfs diff's markers instead, one
// "KIND<TAB>PATH" line per object the stream changes (M modified, + added,
// - removed, and "R<TAB>OLD<TAB>NEW" for a rename; paths best effort,
// "<object N>" where unknown); -base names a
// full stream of the snapshot the increment applies to, which gives new and
// removed names and leaves out what did not change. Neither needs ZFS, and
// both hold only the stream's metadata in memory (data blocks go to a
// temporary file).
//
// extract recreates each PATH (a file, or a directory with everything
// below it) under DIR: files, directories and symbolic links, with their
// modes and modification times; -owner also restores owners. It prints
// nothing unless -v, which prints each path as it is written, and refuses
// to replace an existing file unless -overwrite. A raw stream of an
// encrypted dataset fails with a message saying it is encrypted.
//
// FILE defaults to standard input ("-" also means standard input). Exit
// status is 0 on success, 1 for an invalid stream or token, 2 for usage
// errors.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/gozfs/gozfs/format/nvlist"
	"github.com/gozfs/gozfs/format/resumetoken"
	"github.com/gozfs/gozfs/format/sendstream"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage:
	zstream dump [-v] [-vv] [-json] [FILE]
	zstream verify [-strict] [FILE]
	zstream token [-json] [-snapshot NAME -guid GUID] TOKEN
	zstream ls [-l=false] [-p PATH] [-d DATASET] [-base FULL] [FILE]
	zstream extract [-C DIR] [-owner] [-overwrite] [-v] [-d DATASET] FILE [PATH...]
`

// run executes one command and returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "dump":
		err = dump(args[1:], stdin, stdout, stderr)
	case "verify":
		err = verify(args[1:], stdin, stdout, stderr)
	case "token":
		err = token(args[1:], stdin, stdout, stderr)
	case "ls":
		err = ls(args[1:], stdin, stdout, stderr)
	case "extract":
		err = extract(args[1:], stdin, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usageError("unknown command " + strconv.Quote(args[0]))
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		if ue != "" {
			fmt.Fprintln(stderr, "zstream:", string(ue))
		}
		fmt.Fprint(stderr, usage)
		return 2
	default:
		fmt.Fprintln(stderr, "zstream:", err)
		return 1
	}
}

// usageError is a command-line mistake; run prints the usage for it.
type usageError string

func (e usageError) Error() string { return string(e) }

func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageError("")
		}
		return usageError(err.Error())
	}
	return nil
}

// openInput opens the single optional FILE argument, or returns stdin.
func openInput(args []string, stdin io.Reader) (io.Reader, func(), error) {
	switch {
	case len(args) > 1:
		return nil, nil, usageError("more than one file")
	case len(args) == 0 || args[0] == "-":
		return stdin, func() {}, nil
	}
	f, err := os.Open(args[0])
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func dump(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dump", flag.ContinueOnError)
	verbose := fs.Bool("v", false, "print every record")
	veryVerbose := fs.Bool("vv", false, "print every record with its checksum")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	in, done, err := openInput(fs.Args(), stdin)
	if err != nil {
		return err
	}
	defer done()

	p := &printer{w: stdout, verbose: *verbose || *veryVerbose, checksums: *veryVerbose}
	r := sendstream.NewReader(in, sendstream.Options{AllowConcatenated: true})
	var readErr error
	for rec, err := range r.All() {
		if err != nil {
			readErr = err
			break
		}
		if p.verbose && !*asJSON {
			p.record(rec)
		}
	}
	s := r.Summary()
	if *asJSON {
		if err := writeJSON(stdout, summaryJSON(s, readErr)); err != nil {
			return err
		}
	} else {
		p.summary(s)
	}
	return readErr
}

func verify(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	strict := fs.Bool("strict", false, "also fail on feature flags that zfs receive does not support, and on trailing data")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	in, done, err := openInput(fs.Args(), stdin)
	if err != nil {
		return err
	}
	defer done()
	s, err := sendstream.Scan(in, sendstream.Options{RejectUnsupported: *strict, AllowConcatenated: !*strict})
	if err != nil {
		return err
	}
	kind := "stream"
	if s.Compound != nil {
		kind = "compound stream"
	}
	fmt.Fprintf(stdout, "ok: %s, %d substreams, %d records, %d bytes\n", kind, len(s.Substreams), s.TotalRecords, s.StreamBytes)
	for _, ss := range s.Substreams {
		fmt.Fprintf(stdout, "  %s\n", substreamLine(ss))
	}
	return nil
}

func token(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the token as JSON")
	snapshot := fs.String("snapshot", "", "check that the token resumes this snapshot (needs -guid)")
	guidFlag := fs.String("guid", "", "the snapshot's GUID, decimal or 0x-prefixed hex")
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("token takes exactly one TOKEN argument (\"-\" reads it from standard input)")
	}
	if (*snapshot == "") != (*guidFlag == "") {
		return usageError("-snapshot and -guid go together")
	}
	var guid uint64
	if *guidFlag != "" {
		var err error
		if guid, err = strconv.ParseUint(*guidFlag, 0, 64); err != nil {
			return usageError("bad -guid: " + err.Error())
		}
	}
	s := fs.Arg(0)
	if s == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 4*resumetoken.MaxPackedSize))
		if err != nil {
			return err
		}
		s = string(b)
	}
	tok, err := resumetoken.Decode(s)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := writeJSON(stdout, tok.NVList); err != nil {
			return err
		}
	} else {
		printList(stdout, tok.NVList, "     ")
	}
	if *snapshot == "" {
		return nil
	}
	if err := tok.Validate(*snapshot, guid); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "token matches %s (guid %#x)\n", *snapshot, guid)
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printList prints a list like zstream token: one "name: value" line per
// pair, decimal integers, quoted strings, bare names for boolean flags.
func printList(w io.Writer, l *nvlist.List, indent string) {
	for _, p := range l.Pairs {
		switch v := p.Value.(type) {
		case nil:
			fmt.Fprintf(w, "%s%s\n", indent, p.Name)
		case string:
			fmt.Fprintf(w, "%s%s: '%s'\n", indent, p.Name, v)
		case *nvlist.List:
			fmt.Fprintf(w, "%s%s:\n", indent, p.Name)
			printList(w, v, indent+"    ")
		default:
			fmt.Fprintf(w, "%s%s: %v\n", indent, p.Name, v)
		}
	}
}

func substreamLine(ss *sendstream.SubstreamInfo) string {
	b := ss.Begin
	from := "full"
	if b.FromGUID != 0 {
		from = fmt.Sprintf("from %#x", b.FromGUID)
	}
	state := "complete"
	if !ss.Complete {
		state = "incomplete"
	}
	return fmt.Sprintf("%s toguid=%#x %s features=%v records=%d bytes=%d %s",
		b.ToName, b.ToGUID, from, b.Features, sum(ss.Records[:]), ss.Bytes, state)
}

func sum(a []int64) int64 {
	var n int64
	for _, v := range a {
		n += v
	}
	return n
}

// jsonSummary is the -json form of a Summary.
type jsonSummary struct {
	Complete     bool             `json:"complete"`
	Error        string           `json:"error,omitempty"`
	Records      map[string]int64 `json:"records"`
	PayloadBytes map[string]int64 `json:"payload_bytes"`
	TotalRecords int64            `json:"total_records"`
	TotalPayload int64            `json:"total_payload"`
	HeaderBytes  int64            `json:"header_bytes"`
	StreamBytes  int64            `json:"stream_bytes"`
	Compound     *jsonBegin       `json:"compound,omitempty"`
	Substreams   []jsonSubstream  `json:"substreams"`
}

type jsonBegin struct {
	ToName       string       `json:"toname"`
	ToGUID       uint64       `json:"toguid"`
	FromGUID     uint64       `json:"fromguid"`
	Features     []string     `json:"features"`
	CreationTime uint64       `json:"creation_time"`
	Flags        uint32       `json:"flags"`
	BigEndian    bool         `json:"big_endian"`
	NVList       *nvlist.List `json:"nvlist,omitempty"`
}

type jsonSubstream struct {
	jsonBegin
	Records  map[string]int64 `json:"records"`
	Bytes    int64            `json:"bytes"`
	Complete bool             `json:"complete"`
}

func byType(a []int64) map[string]int64 {
	m := map[string]int64{}
	for t, n := range a {
		if n != 0 {
			m[sendstream.RecordType(t).String()] = n
		}
	}
	return m
}

func beginJSON(b *sendstream.Begin) jsonBegin {
	features := b.Features.Names()
	if features == nil {
		features = []string{}
	}
	return jsonBegin{ToName: b.ToName, ToGUID: b.ToGUID, FromGUID: b.FromGUID, Features: features,
		CreationTime: b.CreationTime, Flags: b.Flags, BigEndian: b.BigEndian, NVList: b.NVList}
}

func summaryJSON(s sendstream.Summary, err error) jsonSummary {
	j := jsonSummary{
		Complete: s.Complete, Records: byType(s.Records[:]), PayloadBytes: byType(s.PayloadBytes[:]),
		TotalRecords: s.TotalRecords, TotalPayload: s.TotalPayload, HeaderBytes: s.HeaderBytes, StreamBytes: s.StreamBytes,
		Substreams: []jsonSubstream{},
	}
	if err != nil {
		j.Error = err.Error()
	}
	if s.Compound != nil {
		c := beginJSON(s.Compound)
		j.Compound = &c
	}
	for _, ss := range s.Substreams {
		j.Substreams = append(j.Substreams, jsonSubstream{jsonBegin: beginJSON(&ss.Begin),
			Records: byType(ss.Records[:]), Bytes: ss.Bytes, Complete: ss.Complete})
	}
	return j
}

// printer writes dump's text output. Per-record lines follow zstream dump
// -v's format so that the two can be compared.
type printer struct {
	w         io.Writer
	verbose   bool
	checksums bool
}

func hexBytes(b []byte) string { return fmt.Sprintf("%x", b) }

func (p *printer) record(rec *sendstream.Record) {
	w := p.w
	switch rec.Type {
	case sendstream.TypeBegin:
		b := rec.Begin
		fmt.Fprintf(w, "BEGIN record\n\thdrtype = %d\n\tfeatures = %x\n\tmagic = %x\n\tcreation_time = %x\n\ttype = %d\n\tflags = 0x%x\n\ttoguid = %x\n\tfromguid = %x\n\ttoname = %s\n\tpayloadlen = %d\n\n",
			b.HeaderType, uint64(b.Features), b.Magic, b.CreationTime, b.ObjsetType, b.Flags, b.ToGUID, b.FromGUID, b.ToName, b.PayloadLen)
		if b.NVList != nil {
			enc, _, _ := nvlist.DecodeHeader(rec.Payload)
			fmt.Fprintf(w, "\tpayload (%v nvlist):\n", enc)
			j, err := json.MarshalIndent(b.NVList, "\t", "  ")
			if err == nil {
				fmt.Fprintf(w, "\t%s\n", j)
			}
		}
	case sendstream.TypeEnd:
		fmt.Fprintf(w, "END checksum = %v\n", rec.End.Checksum)
	case sendstream.TypeObject:
		o := rec.Object
		fmt.Fprintf(w, "OBJECT object = %d type = %d bonustype = %d blksz = %d bonuslen = %d dn_slots = %d raw_bonuslen = %d flags = %d maxblkid = %d indblkshift = %d nlevels = %d nblkptr = %d\n",
			o.Object, o.Type, o.BonusType, o.BlockSize, o.BonusLen, o.DnodeSlots, o.RawBonusLen, o.Flags, o.MaxBlkID, o.IndBlkShift, o.NLevels, o.NBlkPtr)
	case sendstream.TypeFreeObjects:
		fmt.Fprintf(w, "FREEOBJECTS firstobj = %d numobjs = %d\n", rec.FreeObjects.FirstObj, rec.FreeObjects.NumObjs)
	case sendstream.TypeWrite:
		x := rec.Write
		fmt.Fprintf(w, "WRITE object = %d type = %d checksum type = %d compression type = %d flags = %d offset = %d logical_size = %d compressed_size = %d payload_size = %d props = %x salt = %s iv = %s mac = %s\n",
			x.Object, x.Type, x.ChecksumType, x.CompressionType, x.Flags, x.Offset, x.LogicalSize, x.CompressedSize, rec.PayloadLen, x.Key.Prop,
			hexBytes(x.Salt[:]), hexBytes(x.IV[:]), hexBytes(x.MAC[:]))
	case sendstream.TypeWriteByRef:
		x := rec.WriteByRef
		fmt.Fprintf(w, "WRITE_BYREF object = %d checksum type = %d props = %x offset = %d length = %d toguid = %x refguid = %x refobject = %d refoffset = %d\n",
			x.Object, x.ChecksumType, x.Key.Prop, x.Offset, x.Length, x.ToGUID, x.RefGUID, x.RefObject, x.RefOffset)
	case sendstream.TypeFree:
		x := rec.Free
		fmt.Fprintf(w, "FREE object = %d offset = %d length = %d\n", x.Object, x.Offset, int64(x.Length))
	case sendstream.TypeSpill:
		x := rec.Spill
		fmt.Fprintf(w, "SPILL block for object = %d length = %d flags = %d compression type = %d compressed_size = %d payload_size = %d salt = %s iv = %s mac = %s\n",
			x.Object, x.Length, x.Flags, x.CompressionType, x.CompressedSize, rec.PayloadLen, hexBytes(x.Salt[:]), hexBytes(x.IV[:]), hexBytes(x.MAC[:]))
	case sendstream.TypeWriteEmbedded:
		x := rec.WriteEmbedded
		fmt.Fprintf(w, "WRITE_EMBEDDED object = %d offset = %d length = %d toguid = %x comp = %d etype = %d lsize = %d psize = %d\n",
			x.Object, x.Offset, x.Length, x.ToGUID, x.Compression, x.EType, x.LSize, x.PSize)
	case sendstream.TypeObjectRange:
		x := rec.ObjectRange
		fmt.Fprintf(w, "OBJECT_RANGE firstobj = %d numslots = %d flags = %d salt = %s iv = %s mac = %s\n",
			x.FirstObj, x.NumSlots, x.Flags, hexBytes(x.Salt[:]), hexBytes(x.IV[:]), hexBytes(x.MAC[:]))
	case sendstream.TypeRedact:
		x := rec.Redact
		fmt.Fprintf(w, "REDACT object = %d offset = %d length = %d\n", x.Object, x.Offset, x.Length)
	}
	if p.checksums && rec.Type != sendstream.TypeBegin {
		fmt.Fprintf(w, "    checksum = %v\n", rec.Checksum)
	}
}

// summaryOrder is the order of zstream dump's SUMMARY lines.
var summaryOrder = []sendstream.RecordType{
	sendstream.TypeBegin, sendstream.TypeEnd, sendstream.TypeObject, sendstream.TypeFreeObjects,
	sendstream.TypeWrite, sendstream.TypeWriteByRef, sendstream.TypeWriteEmbedded, sendstream.TypeFree,
	sendstream.TypeSpill, sendstream.TypeObjectRange, sendstream.TypeRedact,
}

func (p *printer) summary(s sendstream.Summary) {
	w := p.w
	if !p.verbose {
		if c := s.Compound; c != nil {
			fmt.Fprintf(w, "COMPOUND STREAM %s features=%v payload=%d\n", c.ToName, c.Features, c.PayloadLen)
			if c.NVList != nil {
				if fss, ok := c.NVList.List("fss"); ok {
					for _, pr := range fss.Pairs {
						if fs, ok := pr.Value.(*nvlist.List); ok {
							name, _ := fs.String("name")
							fmt.Fprintf(w, "\tdataset %s guid=%s\n", name, pr.Name)
						}
					}
				}
			}
		}
		for _, ss := range s.Substreams {
			fmt.Fprintf(w, "SUBSTREAM %d %s\n", ss.Index, substreamLine(ss))
		}
	}
	fmt.Fprintln(w, "SUMMARY:")
	for _, t := range summaryOrder {
		fmt.Fprintf(w, "\tTotal DRR_%v records = %d (%d bytes)\n", t, s.Records[t], s.PayloadBytes[t])
	}
	fmt.Fprintf(w, "\tTotal records = %d\n", s.TotalRecords)
	fmt.Fprintf(w, "\tTotal payload size = %d (0x%x)\n", s.TotalPayload, s.TotalPayload)
	fmt.Fprintf(w, "\tTotal header overhead = %d (0x%x)\n", s.HeaderBytes, s.HeaderBytes)
	fmt.Fprintf(w, "\tTotal stream length = %d (0x%x)\n", s.StreamBytes, s.StreamBytes)
	if !s.Complete {
		fmt.Fprintln(w, "\tStream is incomplete")
	}
}
