package icons

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// dominant returns the average colour of the fully opaque, non-white pixels:
// the fill colour, without the glyph or the anti-aliased rim.
func dominant(t *testing.T, img image.Image) color.NRGBA {
	t.Helper()
	var r, g, b, n int
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.A != 255 || (c.R > 200 && c.G > 200 && c.B > 200) {
				continue
			}
			r, g, b, n = r+int(c.R), g+int(c.G), b+int(c.B), n+1
		}
	}
	if n == 0 {
		t.Fatal("icon has no opaque pixels")
	}
	return color.NRGBA{uint8(r / n), uint8(g / n), uint8(b / n), 255}
}

func TestPNGColoursPerState(t *testing.T) {
	cases := []struct {
		s    State
		want func(c color.NRGBA) bool
	}{
		{OK, func(c color.NRGBA) bool { return c.G > c.R+40 && c.G > c.B+40 }},
		{Conflict, func(c color.NRGBA) bool { return c.R > c.G+80 && c.R > c.B+80 }},
		{Checking, func(c color.NRGBA) bool { return c.R > c.B+80 && c.G > c.B+40 }},
		{CannotCheck, func(c color.NRGBA) bool { return absDiff(c.R, c.G) < 16 && absDiff(c.G, c.B) < 16 }},
	}
	for _, tc := range cases {
		b, tip := ForOS(tc.s, "linux")
		if tip == "" {
			t.Errorf("%v: empty tooltip", tc.s)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%v: png: %v", tc.s, err)
		}
		if img.Bounds().Dx() < 16 || img.Bounds().Dx() != img.Bounds().Dy() {
			t.Errorf("%v: want a square icon of at least 16px, got %v", tc.s, img.Bounds())
		}
		if c := dominant(t, img); !tc.want(c) {
			t.Errorf("%v: dominant colour %v is not the state's hue", tc.s, c)
		}
	}
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func TestICOWrapsPNGs(t *testing.T) {
	for _, s := range []State{OK, Conflict, Checking, CannotCheck} {
		b, _ := ForOS(s, "windows")
		le := binary.LittleEndian
		if len(b) < 6 || le.Uint16(b[0:]) != 0 || le.Uint16(b[2:]) != 1 {
			t.Fatalf("%v: not an ICO header: % x", s, b[:min(len(b), 6)])
		}
		n := int(le.Uint16(b[4:]))
		if n == 0 {
			t.Fatalf("%v: ICO with no images", s)
		}
		for i := 0; i < n; i++ {
			e := b[6+16*i:]
			size, off := int(le.Uint32(e[8:])), int(le.Uint32(e[12:]))
			if off+size > len(b) {
				t.Fatalf("%v: entry %d points outside the file", s, i)
			}
			img, err := png.Decode(bytes.NewReader(b[off : off+size]))
			if err != nil {
				t.Fatalf("%v: entry %d: %v", s, i, err)
			}
			w := int(e[0])
			if w == 0 {
				w = 256
			}
			if img.Bounds().Dx() != w {
				t.Errorf("%v: entry %d says %dpx, image is %v", s, i, w, img.Bounds())
			}
		}
	}
}

func TestStatesDiffer(t *testing.T) {
	seen := map[string]State{}
	for _, s := range []State{OK, Conflict, Checking, CannotCheck} {
		b, _ := For(s)
		if prev, dup := seen[string(b)]; dup {
			t.Errorf("%v and %v share an icon", prev, s)
		}
		seen[string(b)] = s
	}
	if b, _ := For(State(99)); len(b) == 0 {
		t.Error("unknown state has no icon")
	}
}
