package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedIconsAreCurrent fails when someone edits the generator but
// forgets `go generate ./icons`, or edits a committed image by hand.
func TestCommittedIconsAreCurrent(t *testing.T) {
	dir := t.TempDir()
	os.Args = []string{"gen", "-o", dir}
	main()
	for _, s := range specs {
		for _, ext := range []string{".png", ".ico"} {
			want, err := os.ReadFile(filepath.Join(dir, s.name+ext))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join("..", s.name+ext))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("icons/%s%s is stale: run go generate ./icons", s.name, ext)
			}
		}
	}
	for _, n := range AppSizes {
		rel := filepath.Join("hicolor", fmt.Sprintf("%dx%d", n, n), "apps", "traycheck.png")
		want, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("..", rel))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("icons/%s is stale: run go generate ./icons", rel)
		}
		img, err := png.Decode(bytes.NewReader(got))
		if err != nil || img.Bounds().Dx() != n || img.Bounds().Dy() != n {
			t.Errorf("icons/%s: %v, size %v", rel, err, img.Bounds())
		}
	}
}

// The SVGs are source: they must stay well-formed SVG with a square
// viewBox, the symbolic one in the theme's neutral colour only.
func TestSVGIcons(t *testing.T) {
	for _, p := range []string{"hicolor/scalable/apps/traycheck.svg", "hicolor/symbolic/apps/traycheck-symbolic.svg"} {
		b, err := os.ReadFile(filepath.Join("..", p))
		if err != nil {
			t.Fatal(err)
		}
		var svg struct {
			XMLName xml.Name
			ViewBox string `xml:"viewBox,attr"`
		}
		if err := xml.Unmarshal(b, &svg); err != nil || svg.XMLName.Local != "svg" {
			t.Errorf("%s: not an svg: %v", p, err)
			continue
		}
		var x, y, w, h float64
		if _, err := fmt.Sscan(svg.ViewBox, &x, &y, &w, &h); err != nil || w != h || w == 0 {
			t.Errorf("%s: viewBox %q is not square", p, svg.ViewBox)
		}
		if strings.Contains(p, "symbolic") && strings.Contains(string(b), "#2ea043") {
			t.Errorf("%s: a symbolic icon is drawn in the theme's colour, not green", p)
		}
	}
}
