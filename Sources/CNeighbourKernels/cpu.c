// CPU features from CPUID and XGETBV, and the kernel they allow. Names of CPU models are
// never consulted: a virtual machine that calls itself "Intel(R) Xeon(R) Processor" or
// "AMD EPYC" gets the kernels its instructions allow.
#include "winnow_knn.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static void cpuid(unsigned leaf, unsigned subleaf, unsigned r[4]) {
    r[0] = r[1] = r[2] = r[3] = 0;
    __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
}

static unsigned long long xgetbv0(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

void winnow_cpu_features_get(winnow_cpu_features *f) {
    memset(f, 0, sizeof *f);
    unsigned r[4];
    cpuid(0, 0, r);
    unsigned maxLeaf = r[0];
    memcpy(f->vendor, &r[1], 4);
    memcpy(f->vendor + 4, &r[3], 4);
    memcpy(f->vendor + 8, &r[2], 4);
    cpuid(0x80000000u, 0, r);
    if (r[0] >= 0x80000004u) {
        for (unsigned i = 0; i < 3; i++) {
            cpuid(0x80000002u + i, 0, r);
            memcpy(f->brand + 16 * i, r, 16);
        }
        // Trim the leading spaces some CPUs pad the brand with.
        size_t start = 0;
        while (f->brand[start] == ' ') start++;
        memmove(f->brand, f->brand + start, sizeof f->brand - start);
    }
    if (maxLeaf < 1) return;
    cpuid(1, 0, r);
    f->sse2 = (r[3] >> 26) & 1;
    f->fma = (r[2] >> 12) & 1;
    f->f16c = (r[2] >> 29) & 1;
    f->avx = (r[2] >> 28) & 1;
    int osxsave = (r[2] >> 27) & 1;
    if (osxsave) {
        unsigned long long xcr0 = xgetbv0();
        f->os_avx = (xcr0 & 0x6) == 0x6;            // XMM and YMM state
        f->os_avx512 = (xcr0 & 0xE6) == 0xE6;       // and opmask, ZMM_Hi256, Hi16_ZMM
    }
    if (maxLeaf >= 7) {
        cpuid(7, 0, r);
        unsigned subleaves = r[0];
        f->avx2 = (r[1] >> 5) & 1;
        f->avx512f = (r[1] >> 16) & 1;
        f->avx512dq = (r[1] >> 17) & 1;
        f->avx512ifma = (r[1] >> 21) & 1;
        f->avx512cd = (r[1] >> 28) & 1;
        f->avx512bw = (r[1] >> 30) & 1;
        f->avx512vl = (r[1] >> 31) & 1;
        f->avx512vbmi = (r[2] >> 1) & 1;
        f->avx512vnni = (r[2] >> 11) & 1;
        f->avx512fp16 = (r[3] >> 23) & 1;
        f->amx_tile = (r[3] >> 24) & 1;
        if (subleaves >= 1) {
            cpuid(7, 1, r);
            f->avxvnni = (r[0] >> 4) & 1;
            f->avx512bf16 = (r[0] >> 5) & 1;
        }
    }
}

int winnow_knn_kernel_supported(winnow_knn_kernel kernel) {
    winnow_cpu_features f;
    winnow_cpu_features_get(&f);
    int avx2 = f.avx && f.avx2 && f.fma && f.os_avx;
    int avx512 = avx2 && f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl && f.os_avx512;
    switch (kernel) {
    case WINNOW_KNN_PORTABLE: return 1;
    case WINNOW_KNN_AVX2: return avx2;
    case WINNOW_KNN_AVX512: return avx512;
    case WINNOW_KNN_AVX512_VNNI: return avx512 && f.avx512vnni;
    }
    return 0;
}
#else
void winnow_cpu_features_get(winnow_cpu_features *f) { memset(f, 0, sizeof *f); }
int winnow_knn_kernel_supported(winnow_knn_kernel kernel) { return kernel == WINNOW_KNN_PORTABLE; }
#endif

winnow_knn_kernel winnow_knn_best_kernel(void) {
    for (int k = WINNOW_KNN_KERNEL_COUNT - 1; k > 0; k--)
        if (winnow_knn_kernel_supported((winnow_knn_kernel)k)) return (winnow_knn_kernel)k;
    return WINNOW_KNN_PORTABLE;
}

static const char *const names[WINNOW_KNN_KERNEL_COUNT] = {"portable", "avx2", "avx512", "avx512-vnni"};

const char *winnow_knn_kernel_name(winnow_knn_kernel kernel) {
    return (unsigned)kernel < WINNOW_KNN_KERNEL_COUNT ? names[kernel] : "unknown";
}

int winnow_knn_kernel_from_name(const char *name) {
    for (int k = 0; k < WINNOW_KNN_KERNEL_COUNT; k++)
        if (strcmp(name, names[k]) == 0) return k;
    return -1;
}
