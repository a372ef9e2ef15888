#include "ntk_cpu.h"

int ntk_cpu_xcr0(uint64_t *xcr0) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned int a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!(c & (1u << 27))) return 0;  /* OSXSAVE */
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    *xcr0 = ((uint64_t)hi << 32) | lo;
    return 1;
#else
    (void)xcr0;
    return 0;
#endif
}
