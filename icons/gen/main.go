// Command gen draws traycheck's tray icons: one PNG (Linux, macOS) and one ICO
// (Windows) per state. It runs from `go generate ./icons`; the output is
// committed so builds need no generator and stay byte-for-byte reproducible.
//
// The icons are drawn from code rather than shipped as artwork so a colour or
// glyph change is a reviewable diff and the pixel tests can rely on exact hues.
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// spec is one icon: fill colour and the white glyph drawn over it.
type spec struct {
	name  string
	fill  color.NRGBA
	glyph [][4]float64 // line segments x0,y0,x1,y1 in unit coordinates (0..1)
	dots  [][2]float64 // round dots in unit coordinates
}

// Colours are chosen to stay distinguishable for the common colour-vision
// deficiencies by lightness as well as hue, and the glyph differs per state so
// the colour is never the only signal.
var specs = []spec{
	{name: "ok", fill: color.NRGBA{0x2e, 0xa0, 0x43, 0xff},
		glyph: [][4]float64{{0.28, 0.52, 0.44, 0.68}, {0.44, 0.68, 0.73, 0.34}}},
	{name: "conflict", fill: color.NRGBA{0xd7, 0x2c, 0x2c, 0xff},
		glyph: [][4]float64{{0.33, 0.33, 0.67, 0.67}, {0.67, 0.33, 0.33, 0.67}}},
	{name: "checking", fill: color.NRGBA{0xe0, 0xa0, 0x20, 0xff},
		dots: [][2]float64{{0.30, 0.5}, {0.5, 0.5}, {0.70, 0.5}}},
	{name: "error", fill: color.NRGBA{0x80, 0x80, 0x80, 0xff},
		glyph: [][4]float64{{0.5, 0.27, 0.5, 0.58}},
		dots:  [][2]float64{{0.5, 0.73}}},
}

// PNGSize is the edge of the PNG icons; hosts scale them down to the panel.
const PNGSize = 48

// AppSizes are the application icon's sizes in the hicolor theme (the
// launcher, notifications, the themed tray icon): the "ok" icon, written to
// hicolor/NxN/apps/traycheck.png. The scalable and symbolic SVGs beside them
// are hand-written source, drawn to the same geometry.
var AppSizes = []int{16, 22, 24, 32, 48, 64, 128, 256}

// appIcon is the spec the application icon is drawn from.
const appIcon = "ok"

// ICOSizes are the sizes packed into each ICO (Windows picks per DPI).
var ICOSizes = []int{16, 32, 48}

func main() {
	out := flag.String("o", ".", "output directory")
	flag.Parse()
	for _, s := range specs {
		p, err := encodePNG(draw(s, PNGSize))
		if err != nil {
			log.Fatal(err)
		}
		ico, err := encodeICO(s)
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*out, s.name+".png"), p, 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(*out, s.name+".ico"), ico, 0o644); err != nil {
			log.Fatal(err)
		}
		if s.name == appIcon {
			if err := writeAppIcons(*out, s); err != nil {
				log.Fatal(err)
			}
		}
	}
}

// writeAppIcons writes the hicolor PNGs of the application icon.
func writeAppIcons(out string, s spec) error {
	for _, n := range AppSizes {
		dir := filepath.Join(out, "hicolor", fmt.Sprintf("%dx%d", n, n), "apps")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		p, err := encodePNG(draw(s, n))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "traycheck.png"), p, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// draw renders s at n×n pixels with 4×4 supersampling for smooth edges.
func draw(s spec, n int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	const ss = 4
	stroke := 0.11 // glyph line width in unit coordinates
	for py := 0; py < n; py++ {
		for px := 0; px < n; px++ {
			var fillHits, glyphHits int
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px) + (float64(sx)+0.5)/ss) / float64(n)
					y := (float64(py) + (float64(sy)+0.5)/ss) / float64(n)
					if math.Hypot(x-0.5, y-0.5) > 0.46 {
						continue
					}
					fillHits++
					if onGlyph(s, x, y, stroke/2) {
						glyphHits++
					}
				}
			}
			if fillHits == 0 {
				continue
			}
			// Blend white glyph over the fill, then apply circle coverage as alpha.
			g := float64(glyphHits) / float64(fillHits)
			mix := func(c uint8) uint8 { return uint8(math.Round(float64(c)*(1-g) + 255*g)) }
			img.SetNRGBA(px, py, color.NRGBA{
				R: mix(s.fill.R), G: mix(s.fill.G), B: mix(s.fill.B),
				A: uint8(math.Round(255 * float64(fillHits) / ss / ss)),
			})
		}
	}
	return img
}

func onGlyph(s spec, x, y, hw float64) bool {
	for _, l := range s.glyph {
		if segDist(x, y, l) <= hw {
			return true
		}
	}
	for _, d := range s.dots {
		if math.Hypot(x-d[0], y-d[1]) <= hw*1.4 {
			return true
		}
	}
	return false
}

// segDist is the distance from (x, y) to the segment l.
func segDist(x, y float64, l [4]float64) float64 {
	dx, dy := l[2]-l[0], l[3]-l[1]
	t := ((x-l[0])*dx + (y-l[1])*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(x-(l[0]+t*dx), y-(l[1]+t*dy))
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encoding png: %w", err)
	}
	return b.Bytes(), nil
}

// encodeICO wraps one PNG per size in an ICO container. PNG-in-ICO has been
// accepted by Windows since Vista and keeps the generator free of BMP code.
func encodeICO(s spec) ([]byte, error) {
	var imgs [][]byte
	for _, n := range ICOSizes {
		p, err := encodePNG(draw(s, n))
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, p)
	}
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 6)
	le.PutUint16(hdr[2:], 1) // type 1: icon
	le.PutUint16(hdr[4:], uint16(len(imgs)))
	b.Write(hdr)
	offset := 6 + 16*len(imgs)
	for i, p := range imgs {
		e := make([]byte, 16)
		sz := ICOSizes[i]
		e[0], e[1] = byte(sz%256), byte(sz%256) // 0 means 256
		le.PutUint16(e[4:], 1)                  // colour planes
		le.PutUint16(e[6:], 32)                 // bits per pixel
		le.PutUint32(e[8:], uint32(len(p)))
		le.PutUint32(e[12:], uint32(offset))
		offset += len(p)
		b.Write(e)
	}
	for _, p := range imgs {
		b.Write(p)
	}
	return b.Bytes(), nil
}
