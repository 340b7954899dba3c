package resumetoken_test

import (
	"errors"
	"fmt"

	"github.com/gozfs/gozfs/format/resumetoken"
)

// A token left by an interrupted `zfs send gozfsfx/fs@a | zfs receive -s`.
const token = "1-b9bfc1891-b8-789c636064000310a500c4ec50360710e72765a52697303034409460caa7a515a79630c001489e0d493ea9b224b51848671c66c2aabf243fbd34338581e13dd3b5da8e9fad9d1a48f29c60f9bcc4dc540686f4fcaab4e2b40afdb4628744985d0083621860"

func ExampleDecode() {
	tok, err := resumetoken.Decode(token)
	if err != nil {
		panic(err)
	}
	fmt.Printf("resume %s (toguid %#x) at object %d offset %d after %d bytes; incremental: %v\n",
		tok.ToName, tok.ToGUID, tok.Object, tok.Offset, tok.Bytes, tok.Incremental())
	// Output: resume gozfsfx/fs@a (toguid 0x8985f9887dd602ef) at object 128 offset 0 after 181096 bytes; incremental: false
}

func ExampleToken_Validate() {
	tok, err := resumetoken.Decode(token)
	if err != nil {
		panic(err)
	}
	// The snapshot was destroyed and re-created under the same name.
	err = tok.Validate("gozfsfx/fs@a", 0x1234)
	var me *resumetoken.MismatchError
	if errors.As(err, &me) {
		fmt.Println(me.Field, "differs:", err)
	}
	// Output: toguid differs: resumetoken: token has toguid 0x8985f9887dd602ef, snapshot has 0x1234
}

func ExampleToken_Encode() {
	tok := &resumetoken.Token{ToGUID: 0x1234, ToName: "tank/fs@snap", Object: 2, Bytes: 4096, CompressOK: true}
	s, err := tok.Encode()
	if err != nil {
		panic(err)
	}
	back, err := resumetoken.Decode(s)
	if err != nil {
		panic(err)
	}
	fmt.Println(back.ToName, back.Bytes, back.CompressOK, back.RawOK)
	// Output: tank/fs@snap 4096 true false
}
