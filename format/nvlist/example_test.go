package nvlist_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/gozfs/gozfs/format/nvlist"
)

func ExampleDecode() {
	// Pack a list the way a resume token carries one, then decode it.
	l := nvlist.New().
		AddUint64("object", 2).
		AddUint64("toguid", 0x94a20a5f25877859).
		AddString("toname", "tank/src@a").
		AddBoolean("rawok")
	packed, err := l.Encode(nvlist.Native, binary.LittleEndian)
	if err != nil {
		panic(err)
	}

	got, err := nvlist.Decode(packed)
	if err != nil {
		panic(err)
	}
	guid, _ := got.Uint64("toguid")
	name, _ := got.String("toname")
	fmt.Printf("%s %#x raw=%v\n", name, guid, got.Has("rawok"))
	// Output: tank/src@a 0x94a20a5f25877859 raw=true
}

func ExampleList_MarshalJSON() {
	l := nvlist.New().AddString("tosnap", "b")
	l.AddList("fss", nvlist.New().AddList("0x1234", nvlist.New().AddString("name", "tank/fs")))
	l.AddBoolean("not_recursive")
	out, err := json.Marshal(l)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output: {"tosnap":"b","fss":{"0x1234":{"name":"tank/fs"}},"not_recursive":true}
}

func ExampleList_Encode() {
	l := nvlist.New().AddUint64("a", 1)
	packed, err := l.Encode(nvlist.XDR, binary.BigEndian)
	if err != nil {
		panic(err)
	}
	enc, order, _ := nvlist.DecodeHeader(packed)
	fmt.Println(len(packed), enc, order)
	// Output: 52 xdr BigEndian
}
