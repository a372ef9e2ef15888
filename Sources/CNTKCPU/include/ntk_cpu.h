#ifndef NTK_DYNAMICS_CPU_H
#define NTK_DYNAMICS_CPU_H
#include <stdint.h>

/// The processor's extended control register XCR0 (XGETBV with ECX = 0): which register states the
/// operating system saves on a context switch (bit 1 SSE, bit 2 AVX, bits 5–7 the AVX-512 opmask and ZMM
/// state). Returns 1 and stores it in *xcr0, or 0 when it cannot be read: not an x86 processor, or the OS
/// has not enabled XSAVE (CPUID.1:ECX.OSXSAVE clear; XGETBV would fault), in which case no AVX state is
/// usable either.
int ntk_cpu_xcr0(uint64_t *xcr0);

#endif
