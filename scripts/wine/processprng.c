/*
 * bcryptprimitives.dll for Wine 8.0, which lacks it: Go 1.22 and later load
 * this DLL from system32 at start and call ProcessPrng for every random byte
 * (runtime seeds, map hashing, crypto/rand); without it a Go Windows binary
 * dies with "bcryptprimitives.dll not found" before main.
 *
 * ProcessPrng(PBYTE data, SIZE_T len) -> BOOL is documented to always
 * succeed on Windows; here it fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036, which Wine implements by reading the host's random
 * source) in chunks, since RtlGenRandom takes a ULONG length. It returns
 * FALSE only if RtlGenRandom fails, so a caller never gets unfilled bytes
 * silently.
 *
 * Built by scripts/test-windows.sh into a throw-away Wine prefix only; it is
 * never shipped and never installed on a real Windows machine.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

/* Built with -nostdlib: no C runtime to initialise. */
BOOL WINAPI DllMainCRTStartup(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst;
	(void)reason;
	(void)reserved;
	return TRUE;
}
