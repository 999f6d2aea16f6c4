/*
 * Test-only bcryptprimitives.dll for Wine 8.0, which lacks it: Go >= 1.22
 * Windows binaries load it from system32 and call ProcessPrng for
 * randomness, and die at start without it (see
 * ../shared/design/windows-testing.md). scripts/test-dist.sh builds this
 * into its own temporary Wine prefix only; it is never packaged.
 *
 *   x86_64-w64-mingw32-gcc -shared -nostdlib -O2 -Wl,-e,DllMain \
 *     -o bcryptprimitives.dll wine-processprng.c -ladvapi32
 */
#include <windows.h>

/* RtlGenRandom, exported by advapi32 under this name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst; (void)reason; (void)reserved;
	return TRUE;
}
