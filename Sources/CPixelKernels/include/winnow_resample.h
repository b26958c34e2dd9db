// Resampling an RGB image (RGBImage.resized in WinnowCore): the per-pixel loops in C,
// compiled with -O3 even in debug builds, since every image an analysis describes and every
// picture the review screen shows is resized.
#ifndef WINNOW_RESAMPLE_H
#define WINNOW_RESAMPLE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Resizes the `width`×`height` RGB image `source` into the `new_width`×`new_height`
/// `destination`, one axis after the other: output row y blends `vertical_taps` source rows
/// from `vertical_starts[y]` with `vertical_weights[y * vertical_taps ...]` (zero weights
/// skipped), then output pixel x blends `horizontal_taps` samples of that row from
/// `horizontal_starts[x]`; each channel is rounded to the nearest byte (ties to even) and
/// clamped to 0…255. `row` is scratch space of `width * 3` floats.
void winnow_resample_rgb(const uint8_t *source, intptr_t width, uint8_t *destination, intptr_t new_width, intptr_t new_height,
                         intptr_t vertical_taps, const intptr_t *vertical_starts, const float *vertical_weights,
                         intptr_t horizontal_taps, const intptr_t *horizontal_starts, const float *horizontal_weights, float *row);

#ifdef __cplusplus
}
#endif

#endif
