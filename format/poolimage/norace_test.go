//go:build !race

package poolimage

const raceEnabled = false
