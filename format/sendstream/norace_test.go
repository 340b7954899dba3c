//go:build !race

package sendstream_test

const raceEnabled = false
