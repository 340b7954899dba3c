package names_test

import (
	"fmt"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/names"
)

func ExampleSnapshot() {
	fmt.Println(names.Snapshot("tank/home@monday"))
	err := names.Snapshot("tank/home")
	fmt.Println(err)
	fmt.Println(errors.Is(err, errors.ErrInvalidName))
	// Output:
	// <nil>
	// zfs tank/home: invalid name: missing '@' delimiter in snapshot name
	// true
}

func ExampleSplit() {
	ds, snap, mark := names.Split("tank/home@monday")
	fmt.Printf("%q %q %q\n", ds, snap, mark)
	ds, snap, mark = names.Split("tank/home#last-sent")
	fmt.Printf("%q %q %q\n", ds, snap, mark)
	// Output:
	// "tank/home" "monday" ""
	// "tank/home" "" "last-sent"
}

func ExampleNewPool() {
	fmt.Println(names.Pool("mirror1"))
	fmt.Println(names.NewPool("mirror1"))
	// Output:
	// <nil>
	// zfs mirror1: invalid name: name is reserved (begins with "mirror")
}
