// Confirming that two images are the same picture: the inner loops of
// DuplicateDescriptor (WinnowCore), in C compiled with -O3 even in debug builds, because
// an analysis aligns thousands of candidate pairs and each alignment samples a few hundred
// thousand pixels.
//
// A descriptor is 32×32 grey levels. Preparing it band-passes it (a difference of two
// blurs: edges and strokes, shading removed), halves it, and cuts the centre of both
// planes (what a crop of up to an eighth keeps) as zero-mean, unit-length templates.
// Aligning A into B searches scale 7/8…8/7 and shift ±1/8 per axis: every pose of a coarse
// grid at half resolution, then hill-climbing at full resolution from the best three, and
// scores the pose by normalised cross-correlation (NCC). The sums run in one fixed order,
// so a score is the same on every machine, thread count and build.
#ifndef WINNOW_DUPLICATES_H
#define WINNOW_DUPLICATES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    WINNOW_DUP_SIDE = 32,
    WINNOW_DUP_MARGIN = 4,
    WINNOW_DUP_HALF_SIDE = 16,
    WINNOW_DUP_TEMPLATE_SIDE = 24,
    WINNOW_DUP_HALF_TEMPLATE_SIDE = 12,
    WINNOW_DUP_SPECTRUM_RINGS = 6,
    WINNOW_DUP_SPECTRUM_ORIENTATIONS = 8,
    WINNOW_DUP_SPECTRUM_DIMENSION = WINNOW_DUP_SPECTRUM_RINGS * WINNOW_DUP_SPECTRUM_ORIENTATIONS,
};

/// A descriptor ready to be aligned.
typedef struct {
    float full[WINNOW_DUP_SIDE * WINNOW_DUP_SIDE];            // band-passed grey levels
    float half[WINNOW_DUP_HALF_SIDE * WINNOW_DUP_HALF_SIDE];  // their 2×2 block means
    float full_template[WINNOW_DUP_TEMPLATE_SIDE * WINNOW_DUP_TEMPLATE_SIDE];
    float half_template[WINNOW_DUP_HALF_TEMPLATE_SIDE * WINNOW_DUP_HALF_TEMPLATE_SIDE];
    /// Standard deviation of the centre's grey levels (0…255).
    float contrast;
    /// Standard deviation of the centre's band-passed grey levels (0 when it has none).
    float detail;
    /// 1 when the picture has detail enough to align (contrast and detail at least the
    /// floors given to winnow_dup_prepare): otherwise it matches nothing.
    int32_t usable;
} winnow_dup_prepared;

/// Prepares the 32×32 grey levels `grey` (row-major).
void winnow_dup_prepare(const uint8_t *grey, float flat_contrast, float flat_detail, winnow_dup_prepared *out);

/// How well the two pictures align: the better of aligning each one's centre into the other
/// (−1…1; 0 when either is not usable). Refinement at full resolution, which costs most,
/// runs only when a coarse (half-resolution) score reaches `refine_from`; otherwise the best
/// coarse score is returned. `coarse`, when not NULL, receives that best coarse score.
float winnow_dup_match(const winnow_dup_prepared *a, const winnow_dup_prepared *b, float refine_from, float *coarse);

/// A signature of the picture that a shift does not change, for proposing copies that
/// other features place far apart: the energy of the band-passed plane's Fourier spectrum
/// (frequencies 1…12 cycles per side) in WINNOW_DUP_SPECTRUM_RINGS log-spaced rings ×
/// WINNOW_DUP_SPECTRUM_ORIENTATIONS orientations, each frequency split linearly between its
/// two nearest rings and orientations (a crop's change of scale moves energy smoothly), the
/// square roots of the bins, of unit length. All zeros when the picture has no detail.
void winnow_dup_spectrum(const winnow_dup_prepared *prepared, float *out);

#ifdef __cplusplus
}
#endif

#endif
