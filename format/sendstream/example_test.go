package sendstream_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gozfs/gozfs/format/sendstream"
)

func ExampleScan() {
	f, err := os.Open("testdata/synthetic-compound.zsend")
	if err != nil {
		panic(err)
	}
	defer f.Close()

	sum, err := sendstream.Scan(f, sendstream.Options{})
	if err != nil {
		panic(err)
	}
	tosnap, _ := sum.Compound.NVList.String("tosnap")
	fmt.Println("compound stream of", sum.Compound.ToName, "tosnap", tosnap)
	for _, ss := range sum.Substreams {
		fmt.Printf("%s toguid=%#x fromguid=%#x features=%v writes=%d\n",
			ss.Begin.ToName, ss.Begin.ToGUID, ss.Begin.FromGUID, ss.Begin.Features, ss.Records[sendstream.TypeWrite])
	}
	fmt.Println(sum.TotalRecords, "records,", sum.StreamBytes, "bytes, complete:", sum.Complete)
	// Output:
	// compound stream of tank/fs@snap tosnap snap
	// tank/fs@snapa toguid=0x2001 fromguid=0x0 features=SA_SPILL|EMBED_DATA|LZ4 writes=5
	// tank/fs@snapb toguid=0x2002 fromguid=0x1001 features=SA_SPILL|EMBED_DATA|LZ4 writes=5
	// 35 records, 17290 bytes, complete: true
}

func ExampleReader() {
	f, err := os.Open("testdata/synthetic-compound.zsend")
	if err != nil {
		panic(err)
	}
	defer f.Close()

	r := sendstream.NewReader(f, sendstream.Options{})
	for rec, err := range r.All() {
		if err != nil {
			panic(err)
		}
		switch rec.Type {
		case sendstream.TypeBegin:
			fmt.Println("BEGIN", rec.Begin.HeaderType, rec.Begin.ToName)
		case sendstream.TypeWrite:
			if rec.Write.Object == 128 && rec.Write.Offset == 0 && rec.Write.CompressionType == 0 {
				fmt.Println("  WRITE object 128 offset 0,", len(rec.Payload), "bytes")
			}
		case sendstream.TypeEnd:
			fmt.Println("END", rec.End.Checksum.IsZero())
		}
	}
	// Output:
	// BEGIN compound tank/fs@snap
	// END false
	// BEGIN substream tank/fs@snapa
	//   WRITE object 128 offset 0, 512 bytes
	// END false
	// BEGIN substream tank/fs@snapb
	//   WRITE object 128 offset 0, 512 bytes
	// END false
	// END true
}

func ExampleNewVerifyingReader() {
	stream, err := os.ReadFile("testdata/synthetic-compound.zsend")
	if err != nil {
		panic(err)
	}
	// Corrupt one payload byte in the last substream.
	stream[len(stream)-1000] ^= 1

	// In real use the destination is zfs receive's standard input.
	var received bytes.Buffer
	_, err = io.Copy(&received, sendstream.NewVerifyingReader(bytes.NewReader(stream), sendstream.Options{}))
	var ce *sendstream.ChecksumError
	if errors.As(err, &ce) {
		fmt.Printf("checksum error in record %d (%v); passed on %d of %d bytes\n",
			ce.Index, ce.Type, received.Len(), len(stream))
	}
	// Output: checksum error in record 31 (REDACT); passed on 16042 of 17290 bytes
}
