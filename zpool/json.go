package zpool

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// member is one member of a JSON object.
type member struct {
	Key   string
	Value json.RawMessage
}

// orderedObject is a JSON object decoded with its members in document order
// (zpool lists vdevs and pools in a meaningful order that a Go map loses).
type orderedObject []member

// UnmarshalJSON implements json.Unmarshaler. A JSON null gives an empty
// object.
func (o *orderedObject) UnmarshalJSON(b []byte) error {
	*o = nil
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("want a JSON object, got %v", tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("want an object key, got %v", tok)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		*o = append(*o, member{Key: key, Value: v})
	}
	_, err = dec.Token()
	return err
}

// jsonUint is an unsigned number that zpool prints as a JSON number (with
// --json-int) or as a string of digits (without); "-" and "" are 0.
type jsonUint uint64

// UnmarshalJSON implements json.Unmarshaler.
func (u *jsonUint) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*u = 0
		return nil
	}
	if len(s) > 0 && s[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" || s == "-" {
			*u = 0
			return nil
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		// Some counters may be printed as floats; take the integral part.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f < 0 {
			return fmt.Errorf("bad number %q", s)
		}
		n = uint64(f)
	}
	*u = jsonUint(n)
	return nil
}

// jsonString is a property value that zpool prints as a JSON string, or as
// a JSON number with --json-int; either way it is kept as text.
type jsonString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *jsonString) UnmarshalJSON(b []byte) error {
	t := strings.TrimSpace(string(b))
	if t == "null" {
		*s = ""
		return nil
	}
	if len(t) > 0 && t[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = jsonString(v)
		return nil
	}
	*s = jsonString(t)
	return nil
}
