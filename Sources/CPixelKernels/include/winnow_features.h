// The per-pixel loops of ImageFeatures and DuplicateDescriptor (WinnowCore) in C, compiled
// with -O3 even in debug builds: an analysis describes every image of the dataset. Each
// follows its Swift definition operation by operation, so the features do not depend on
// the build.
#ifndef WINNOW_FEATURES_H
#define WINNOW_FEATURES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Rec. 601 luma (0.299 R + 0.587 G + 0.114 B, 0…255) of `count` RGB pixels.
void winnow_luma_plane(const uint8_t *rgb, intptr_t count, float *out);

/// The luma of `count` RGB pixels rounded to bytes (halves away from zero).
void winnow_luma_bytes(const uint8_t *rgb, intptr_t count, uint8_t *out);

/// The `k`×`k` lowest frequencies of the DCT of the `n`×`n` `plane`: rows first
/// (`basis[u * n + x]`), then columns, each sum in index order. `scratch` holds n × k floats.
void winnow_low_frequency_dct(const float *plane, intptr_t n, intptr_t k, const float *basis, float *scratch, float *out);

/// ImageFeatures' colour-content histogram before normalising: 12 hue bins (30° apart, from
/// red) for chromatic pixels and 5 grey-level bins for unsaturated or dark ones, each pixel
/// split linearly between neighbouring bins and softly between the two halves.
void winnow_colour_histogram(const uint8_t *rgb, intptr_t count, float *histogram);

#ifdef __cplusplus
}
#endif

#endif
