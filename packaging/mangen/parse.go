package main

import (
	"errors"
	"fmt"
	"strings"
)

// help is what `traycheck help` says, in parts.
type help struct {
	synopsis    []string // "traycheck [--json] [--config FILE]"
	description []string // paragraphs
	commands    []helpCommand
	flags       []string // the bare command's flag lines, as printed
	exits       []exitCode
	causes      []glossaryEntry // `traycheck help causes`
	actions     []glossaryEntry // `traycheck help actions`
}

type helpCommand struct {
	name, summary string
	usage         string // `traycheck help COMMAND`; "" when it has none
}

type exitCode struct{ code, meaning string }

type glossaryEntry struct{ id, meaning string }

// parseHelp reads the top-level help: "usage:" lines (and the indented
// synopsis lines after them), description paragraphs, a "commands:" block
// of indented "name  summary" lines, a "flags:" block and an "exit codes: 0
// text, 1 text" line. Anything it does not find is an error: a page missing
// a section must fail the build, not ship.
func parseHelp(text string) (*help, error) {
	h := &help{}
	section := "top"
	var para []string
	flush := func() {
		if len(para) > 0 {
			h.description = append(h.description, strings.Join(para, " "))
			para = nil
		}
	}
	for _, line := range splitLines(text) {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "usage:"):
			h.synopsis = append(h.synopsis, strings.TrimSpace(strings.TrimPrefix(trimmed, "usage:")))
			section = "usage"
		case section == "usage" && strings.HasPrefix(line, " ") && strings.HasPrefix(trimmed, "traycheck"):
			h.synopsis = append(h.synopsis, trimmed)
		case trimmed == "commands:":
			flush()
			section = "commands"
		case trimmed == "flags:":
			flush()
			section = "flags"
		case strings.HasPrefix(trimmed, "exit codes:"):
			flush()
			section = "exits"
			for _, part := range strings.Split(strings.TrimPrefix(trimmed, "exit codes:"), ",") {
				code, meaning, ok := strings.Cut(strings.TrimSpace(part), " ")
				if !ok || code == "" || strings.Trim(code, "0123456789") != "" {
					return nil, fmt.Errorf("exit codes line: %q is not \"CODE meaning\"", part)
				}
				h.exits = append(h.exits, exitCode{code, strings.TrimSpace(meaning)})
			}
		case trimmed == "":
			flush()
			if section == "usage" {
				section = "top"
			}
		case section == "commands" && strings.HasPrefix(line, "  "):
			name, summary, ok := strings.Cut(trimmed, " ")
			if !ok {
				return nil, fmt.Errorf("command line %q has no summary", trimmed)
			}
			h.commands = append(h.commands, helpCommand{name: name, summary: strings.TrimSpace(summary)})
		case section == "flags" && strings.HasPrefix(line, "  "):
			h.flags = append(h.flags, line)
		case section == "top":
			para = append(para, trimmed)
		default:
			return nil, fmt.Errorf("unexpected line %q in the %s section", line, section)
		}
	}
	flush()
	switch {
	case len(h.synopsis) == 0:
		return nil, errors.New(`no "usage:" line`)
	case len(h.commands) == 0:
		return nil, errors.New(`no "commands:" block`)
	case len(h.exits) == 0:
		return nil, errors.New(`no "exit codes:" line`)
	}
	return h, nil
}

// parseGlossary reads `traycheck help causes` (or actions): a title line,
// then "  id   meaning" lines.
func parseGlossary(text string) ([]glossaryEntry, error) {
	var out []glossaryEntry
	for i, line := range splitLines(text) {
		if i == 0 {
			continue
		}
		id, meaning, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !strings.HasPrefix(line, "  ") || !ok {
			return nil, fmt.Errorf("glossary line %q is not \"  id  meaning\"", line)
		}
		out = append(out, glossaryEntry{id, strings.TrimSpace(meaning)})
	}
	if len(out) == 0 {
		return nil, errors.New("empty glossary")
	}
	return out, nil
}

// flagRow splits a flag line of the help ("  -V, --version  print ...")
// into its names and its meaning (two or more spaces apart).
func flagRow(line string) (names, meaning string) {
	t := strings.TrimSpace(line)
	if i := strings.Index(t, "  "); i >= 0 {
		return t[:i], strings.TrimSpace(t[i:])
	}
	return t, ""
}

// readmeExamples are the README's terminal examples: each "$ traycheck
// ..." line (with the lines that close its quote) and its comment.
func readmeExamples(readme string) []example {
	var out []example
	lines := splitLines(readme)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !strings.HasPrefix(l, "$ traycheck") {
			continue
		}
		cmd, comment := strings.TrimPrefix(l, "$ "), ""
		if c, note, ok := strings.Cut(cmd, "  # "); ok {
			cmd, comment = strings.TrimSpace(c), strings.TrimSpace(note)
		}
		for strings.Count(cmd, "'")%2 == 1 && i+1 < len(lines) {
			i++
			cmd += "\n" + lines[i]
		}
		out = append(out, example{cmd, comment})
	}
	return out
}

type example struct{ command, comment string }

func splitLines(s string) []string {
	return strings.Split(strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n"), "\n")
}

// roff escapes one line of text for roff: backslashes, minus signs (so
// flags print as ASCII hyphen-minus and can be searched for), and a leading
// '.' or '\” that would make the line a request.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
