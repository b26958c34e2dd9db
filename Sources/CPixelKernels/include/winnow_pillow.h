// Pillow's bicubic downscaling (PillowBicubicResize in WinnowCore): its two fixed-point
// passes in C, compiled with -O3 even in debug builds, because the image-quality pass
// resizes every image of a dataset and these loops were most of its time in debug builds.
// The arithmetic is Pillow's (Resample.c) to the bit: 32-bit sums starting at half of the
// last place, wrapping multiply-adds, an arithmetic shift and a clamp to 0…255.
#ifndef WINNOW_PILLOW_H
#define WINNOW_PILLOW_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The horizontal pass: `rows` rows of the RGB image `source` (`width` pixels wide, starting
/// at row `first_row`) into `destination` (`new_width` wide, `rows` high). Output pixel x
/// sums `counts[x]` source pixels from `starts[x]` weighted by `weights[x * taps ...]`.
void winnow_pillow_horizontal(const uint8_t *source, intptr_t width, intptr_t first_row, intptr_t rows, uint8_t *destination,
                              intptr_t new_width, const intptr_t *starts, const intptr_t *counts, const int32_t *weights,
                              intptr_t taps, int32_t precision_bits);

/// The vertical pass: `source` holds rows `row_offset…` of an RGB image `width` pixels wide;
/// output row y (of `new_height`) sums `counts[y]` source rows from `starts[y]` weighted by
/// `weights[y * taps ...]`. `sums` is scratch space of `width * 3` integers.
void winnow_pillow_vertical(const uint8_t *source, intptr_t width, intptr_t row_offset, uint8_t *destination, intptr_t new_height,
                            const intptr_t *starts, const intptr_t *counts, const int32_t *weights, intptr_t taps,
                            int32_t precision_bits, int32_t *sums);

#ifdef __cplusplus
}
#endif

#endif
