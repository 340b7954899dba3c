//go:build race

package poolimage

// raceEnabled makes the slowest fixture tests sample their cases: the race
// detector slows reconstruction from parity down about twentyfold.
const raceEnabled = true
