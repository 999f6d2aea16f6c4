package main

import (
	"errors"
	"fmt"
	"strings"
)

// help is what `traycheck help` says, in parts.
type help struct {
	synopsis    []string // "traycheck [COMMAND] [FLAGS]"
	description []string // paragraphs
	commands    []helpCommand
	exits       []exitCode
}

type helpCommand struct {
	name, summary string
	usage         string // from COMMAND -h; "" when it has none
}

type exitCode struct{ code, meaning string }

// parseHelp reads the top-level help: "usage:" lines, description
// paragraphs, a "commands:" block of indented "name  summary" lines and an
// "exit codes: 0 text, 1 text" line. Anything it does not find is an error:
// a page missing a section must fail the build, not ship.
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
		case trimmed == "commands:":
			flush()
			section = "commands"
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
		case section == "commands" && strings.HasPrefix(line, "  "):
			name, summary, ok := strings.Cut(trimmed, " ")
			if !ok {
				return nil, fmt.Errorf("command line %q has no summary", trimmed)
			}
			h.commands = append(h.commands, helpCommand{name: name, summary: strings.TrimSpace(summary)})
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
