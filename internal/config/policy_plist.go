package config

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MacPolicyDomain is the preference domain of traycheck's machine policy; an
// MDM profile's payload for it lands in
// /Library/Managed Preferences/com.traycheck.traycheck.plist.
const MacPolicyDomain = "com.traycheck.traycheck"

// ParsePolicyPlist reads a managed-preferences plist (XML form): a dict of
// tables ("vpn", "ssh", "check", "policy"), each a dict of the config file's
// keys. A binary plist is refused with the command that converts it.
func ParsePolicyPlist(source string, data []byte, actions []string) (*Policy, error) {
	if bytes.HasPrefix(data, []byte("bplist")) {
		return nil, &Error{File: source, Msg: "a binary plist; convert it with `plutil -convert xml1` or deliver the profile as XML"}
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	top, err := plistTop(d)
	if err != nil {
		return nil, &Error{File: source, Msg: "malformed plist: " + err.Error(), Err: err}
	}
	tree := PolicyTree{}
	for table, v := range top {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, &Error{File: source + ": " + table, Msg: fmt.Sprintf("%s must be a dict of settings, not %s", table, plistType(v))}
		}
		tree[table] = m
	}
	return ParsePolicyTree(source, tree, func(t, k string) string { return source + ": " + t + "." + k }, actions)
}

func plistTop(d *xml.Decoder) (map[string]any, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				return nil, errors.New("no <dict> in the plist")
			}
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "dict" {
			v, err := plistDict(d)
			return v, err
		}
	}
}

// plistValue decodes the element se opened.
func plistValue(d *xml.Decoder, se xml.StartElement) (any, error) {
	switch se.Name.Local {
	case "dict":
		return plistDict(d)
	case "array":
		var out []any
		for {
			tok, err := d.Token()
			if err != nil {
				return nil, err
			}
			switch t := tok.(type) {
			case xml.StartElement:
				v, err := plistValue(d, t)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			case xml.EndElement:
				return plistList(out)
			}
		}
	case "string", "integer":
		var s string
		if err := d.DecodeElement(&s, &se); err != nil {
			return nil, err
		}
		if se.Name.Local == "integer" {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("<integer>%s</integer> is not an integer", s)
			}
			return n, nil
		}
		return s, nil
	case "true", "false":
		if err := d.Skip(); err != nil {
			return nil, err
		}
		return se.Name.Local == "true", nil
	}
	return nil, fmt.Errorf("unsupported plist element <%s>; want dict, array, string, integer, true or false", se.Name.Local)
}

// plistList turns a decoded array into []string or []int64, which TOML
// arrays of one type need.
func plistList(vs []any) (any, error) {
	strs, ints := []string{}, []int64{}
	for _, v := range vs {
		switch x := v.(type) {
		case string:
			strs = append(strs, x)
		case int64:
			ints = append(ints, x)
		default:
			return nil, fmt.Errorf("an array may hold only strings or only integers, not %s", plistType(v))
		}
	}
	switch {
	case len(strs) > 0 && len(ints) > 0:
		return nil, errors.New("an array mixes strings and integers")
	case len(ints) > 0:
		return ints, nil
	}
	return strs, nil
}

func plistDict(d *xml.Decoder) (map[string]any, error) {
	out := map[string]any{}
	key := ""
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "key" {
				if err := d.DecodeElement(&key, &t); err != nil {
					return nil, err
				}
				continue
			}
			if key == "" {
				return nil, fmt.Errorf("<%s> without a <key> before it", t.Name.Local)
			}
			v, err := plistValue(d, t)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
			out[key] = v
			key = ""
		case xml.EndElement:
			return out, nil
		}
	}
}

func plistType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a dict"
	case string:
		return "a string"
	case int64:
		return "an integer"
	case bool:
		return "a boolean"
	}
	return "an array"
}
