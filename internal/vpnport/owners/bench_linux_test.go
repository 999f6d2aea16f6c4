package owners

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkOwnerScan is the owners' part of a probe alone, on the machine
// as it is: the complete look a first probe makes, and the re-check of a
// standing conflict that trusts nothing it has not confirmed again. The
// socket is held by a child (not by the benchmark, whose own fd table is
// walked too).
func BenchmarkOwnerScan(b *testing.B) {
	ln := listen(b)
	child := shareWithChild(b, ln)
	inode := socketInode(b, ln)
	ln.Close()
	gather := func(dst []Want) ([]Want, error) { return append(dst, Want{Inode: inode}), nil }
	for _, full := range []bool{true, false} {
		b.Run(map[bool]string{true: "complete", false: "recheck"}[full], func(b *testing.B) {
			var f Finder
			defer f.Close()
			if _, err := f.Lookup(context.Background(), Query{Now: time.Now(), Full: true}, gather); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, err := f.Lookup(context.Background(), Query{Now: time.Now(), Full: full}, gather)
				if err != nil {
					b.Fatal(err)
				}
				if !slices.Equal(res.PIDs[0], []int{child}) {
					b.Fatalf("pids %v, want [%d]", res.PIDs[0], child)
				}
			}
		})
	}
}
