package ondisk_test

import (
	"encoding/binary"
	"fmt"

	"github.com/gozfs/gozfs/format/ondisk"
)

// Checksum a block as ZFS does.
func ExampleFletcher4() {
	data := []byte("sixteen bytes!!!")
	fmt.Println(ondisk.Fletcher4(data, binary.LittleEndian))
	// Output:
	// 11b7c69ad:31f36ea32:6a0c90c75:c14ab39e9
}

// Decompress a block ZFS compressed with zle (zero-length encoding).
func ExampleDecompressor() {
	var d ondisk.Decompressor
	defer d.Close()
	out := make([]byte, 8)
	err := d.Decompress(ondisk.CompressZLE, []byte{1, 'h', 'i', 64 + 5}, out)
	fmt.Printf("%q %v\n", out, err)
	// Output:
	// "hi\x00\x00\x00\x00\x00\x00" <nil>
}
