package report

import (
	"fmt"

	"golang.org/x/sys/windows"
)

func osName() (name, kernel string) {
	// RtlGetVersion is not subject to the manifest-based version lie of
	// GetVersionEx.
	v := windows.RtlGetVersion()
	return fmt.Sprintf("Windows %d.%d.%d", v.MajorVersion, v.MinorVersion, v.BuildNumber), ""
}
