package cli

import "testing"

func TestSuggest(t *testing.T) {
	commands := []string{"check", "watch", "explain", "report", "check-now", "action", "tray", "autostart", "config", "version", "completion", "help"}
	for word, want := range map[string]string{
		"chek":       "check",
		"chcek":      "check",
		"wacth":      "watch",
		"confg":      "config",
		"check-nwo":  "check-now",
		"verison":    "version",
		"xyzzy":      "",
		"c":          "",
		"completoin": "completion",
	} {
		if got := Suggest(word, commands); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", word, got, want)
		}
	}
	flags := []string{"--json", "--config", "--interval", "--help", "--version"}
	for word, want := range map[string]string{"--jsn": "--json", "--conifg": "--config", "--intervall": "--interval", "--q": ""} {
		if got := Suggest(word, flags); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", word, got, want)
		}
	}
}

func TestAsksInfo(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"-V"}, {"-v"}, {"--json", "-h"}, {"check", "--help"}} {
		if !AsksInfo(args) {
			t.Errorf("AsksInfo(%q) = false", args)
		}
	}
	for _, args := range [][]string{{}, {"--json"}, {"explain", "--", "-v"}, {"check", "tcp/1"}} {
		if AsksInfo(args) {
			t.Errorf("AsksInfo(%q) = true", args)
		}
	}
}
