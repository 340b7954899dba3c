package zfs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/gozfs/gozfs/errors"
	"github.com/gozfs/gozfs/internal/errs"
)

// jsonListParser parses the `-j` output of `zfs list` and `zfs get`:
//
//	{"output_version": {...}, "datasets": {"<name>": {"name": ..., "type":
//	"FILESYSTEM", "createtxg": ..., "properties": {"<prop>": {"value": ...,
//	"source": {"type": "LOCAL", "data": "-"}}}}}}
//
// with a json.Decoder: the top-level object and "datasets" token by token,
// each member of "datasets" decoded whole as it is read, so that memory
// holds one dataset at a time.
type jsonListParser struct {
	s     *shape
	dec   *json.Decoder
	state uint8 // 0 before the top object, 1 in "datasets", 2 done
}

func newJSONListParser(s *shape, r io.Reader) *jsonListParser {
	return &jsonListParser{s: s, dec: json.NewDecoder(r)}
}

// jsonDataset is a member of "datasets".
type jsonDataset struct {
	Type       jsonValue     `json:"type"`
	CreateTXG  jsonValue     `json:"createtxg"`
	Properties jsonPropOrder `json:"properties"`
}

// jsonProperty is a member of "properties".
type jsonProperty struct {
	Value  jsonValue `json:"value"`
	Source struct {
		Type string    `json:"type"`
		Data jsonValue `json:"data"`
	} `json:"source"`
}

// jsonPropOrder holds the properties of a dataset in the order of the output.
type jsonPropOrder struct {
	names []string
	props map[string]jsonProperty
}

func (o *jsonPropOrder) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &o.props); err != nil {
		return err
	}
	return nil
}

// jsonValue is a scalar as text: a string's contents, a number, true or
// false as written, and null as "-", zfs's "no value".
type jsonValue string

func (v *jsonValue) UnmarshalJSON(b []byte) error {
	switch {
	case b[0] == '"':
		if bytes.IndexByte(b, '\\') < 0 {
			*v = jsonValue(b[1 : len(b)-1])
			return nil
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = jsonValue(s)
	case string(b) == "null":
		*v = "-"
	case b[0] == '{' || b[0] == '[':
		return fmt.Errorf("found %c where a value was expected", b[0])
	default:
		*v = jsonValue(b)
	}
	return nil
}

func (p *jsonListParser) syntax(err error) error {
	return errs.Newf(errors.Other, p.s.op, "", "JSON output at byte %d: %v", p.dec.InputOffset(), err)
}

func (p *jsonListParser) next() (*Dataset, error) {
	d, err := p.next1()
	if err != nil {
		p.state = 2
		if err == io.ErrUnexpectedEOF {
			err = p.syntax(fmt.Errorf("unexpected end of input"))
		} else if _, ok := err.(*json.SyntaxError); ok {
			err = p.syntax(err)
		} else if _, ok := err.(*json.UnmarshalTypeError); ok {
			err = p.syntax(err)
		}
	}
	return d, err
}

func (p *jsonListParser) delim(want json.Delim) error {
	t, err := p.dec.Token()
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	if t != want {
		return fmt.Errorf("found %v where %v was expected", t, want)
	}
	return nil
}

func (p *jsonListParser) key() (string, error) {
	t, err := p.dec.Token()
	if err == io.EOF {
		return "", io.ErrUnexpectedEOF
	}
	if err != nil {
		return "", err
	}
	k, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("found %v where a key was expected", t)
	}
	return k, nil
}

func (p *jsonListParser) skip() error {
	var v json.RawMessage
	return p.dec.Decode(&v)
}

func (p *jsonListParser) next1() (*Dataset, error) {
	switch p.state {
	case 2:
		return nil, io.EOF
	case 0:
		t, err := p.dec.Token()
		if err == io.EOF {
			p.state = 2
			return nil, io.EOF // no output at all
		}
		if err != nil {
			return nil, err
		}
		if t != json.Delim('{') {
			return nil, fmt.Errorf("found %v where { was expected", t)
		}
		for p.state == 0 && p.dec.More() {
			k, err := p.key()
			if err != nil {
				return nil, err
			}
			if k == "datasets" {
				if err := p.delim('{'); err != nil {
					return nil, err
				}
				p.state = 1
			} else if err := p.skip(); err != nil {
				return nil, err
			}
		}
		if p.state == 0 {
			if err := p.delim('}'); err != nil {
				return nil, err
			}
			p.state = 2
			return nil, io.EOF
		}
	}
	if !p.dec.More() {
		// End of "datasets": finish the top-level object.
		if err := p.delim('}'); err != nil {
			return nil, err
		}
		for p.dec.More() {
			if _, err := p.key(); err != nil {
				return nil, err
			}
			if err := p.skip(); err != nil {
				return nil, err
			}
		}
		if err := p.delim('}'); err != nil {
			return nil, err
		}
		p.state = 2
		return nil, io.EOF
	}
	name, err := p.key()
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, fmt.Errorf("empty dataset name")
	}
	var jd jsonDataset
	if err := p.dec.Decode(&jd); err != nil {
		return nil, err
	}
	d := &Dataset{dataset: dataset{c: p.s.c, name: name, typ: parseType(string(jd.Type))}}
	d.createTXG, _ = parseUint(string(jd.CreateTXG))
	for _, id := range identityProps {
		if jp, ok := jd.Properties.props[id]; ok {
			setIdentity(&d.dataset, id, string(jp.Value))
		}
	}
	if d.typ == 0 {
		d.typ = typeOfName(name)
	}
	if p.s.all {
		for k, jp := range jd.Properties.props {
			d.props = append(d.props, p.property(k, jp))
		}
	} else {
		for _, k := range p.s.props {
			if jp, ok := jd.Properties.props[k]; ok {
				d.props = append(d.props, p.property(k, jp))
			}
		}
	}
	return d, nil
}

func (p *jsonListParser) property(name string, jp jsonProperty) Property {
	prop := Property{Name: name, Value: string(jp.Value), Source: Source{Kind: parseSourceJSON(jp.Source.Type)}}
	if prop.Source.Kind == SourceInherited && jp.Source.Data != "-" {
		prop.Source.From = string(jp.Source.Data)
	}
	return prop
}
