//go:build race

package sendstream_test

// raceEnabled makes the exhaustive tests sample their inputs: the race
// detector slows them down about tenfold.
const raceEnabled = true
