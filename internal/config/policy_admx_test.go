package config

import (
	"encoding/xml"
	"os"
	"slices"
	"strings"
	"testing"
)

const admxDir = "../../packaging/windows/admx/"

type admx struct {
	Policies []struct {
		Name         string `xml:"name,attr"`
		Key          string `xml:"key,attr"`
		ValueName    string `xml:"valueName,attr"`
		Presentation string `xml:"presentation,attr"`
		Elements     struct {
			Items []struct {
				XMLName   xml.Name
				ID        string `xml:"id,attr"`
				ValueName string `xml:"valueName,attr"`
			} `xml:",any"`
		} `xml:"elements"`
	} `xml:"policies>policy"`
}

type adml struct {
	Strings []struct {
		ID string `xml:"id,attr"`
	} `xml:"resources>stringTable>string"`
	Presentations []struct {
		ID string `xml:"id,attr"`
	} `xml:"resources>presentationTable>presentation"`
}

// Every value the ADMX template writes is a key the policy reader knows, in
// the table its registry subkey names; every policy key has a template; the
// ADML has each string and presentation the ADMX refers to.
func TestADMXMatchesReader(t *testing.T) {
	t.Parallel()
	var x admx
	var l adml
	for file, v := range map[string]any{"traycheck.admx": &x, "en-US/traycheck.adml": &l} {
		b, err := os.ReadFile(admxDir + file)
		if err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	known := PolicyKeys()
	var covered []string
	stringIDs := map[string]bool{}
	for _, s := range l.Strings {
		stringIDs[s.ID] = true
	}
	presIDs := map[string]bool{}
	for _, p := range l.Presentations {
		presIDs[p.ID] = true
	}
	for _, p := range x.Policies {
		table, ok := strings.CutPrefix(p.Key, `Software\Policies\traycheck\`)
		if !ok || strings.Contains(table, `\`) {
			t.Errorf("%s: key %q is not under Software\\Policies\\traycheck\\<table>", p.Name, p.Key)
		}
		names := []string{}
		if p.ValueName != "" {
			names = append(names, p.ValueName)
		}
		for _, e := range p.Elements.Items {
			names = append(names, e.ValueName)
		}
		for _, n := range names {
			k := table + "." + n
			if !slices.Contains(known, k) {
				t.Errorf("%s writes %s, which the policy reader does not know", p.Name, k)
			}
			covered = append(covered, k)
		}
		if !stringIDs[p.Name] || !stringIDs[p.Name+"_Help"] {
			t.Errorf("%s: the ADML lacks its strings", p.Name)
		}
		if p.Presentation != "" && !presIDs[strings.TrimSuffix(strings.TrimPrefix(p.Presentation, "$(presentation."), ")")] {
			t.Errorf("%s: the ADML lacks presentation %s", p.Name, p.Presentation)
		}
	}
	for _, k := range known {
		if !slices.Contains(covered, k) {
			t.Errorf("policy key %s has no ADMX policy", k)
		}
	}
}
