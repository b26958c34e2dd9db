// See winnow_resample.h. The same float32 operations in the same order as the definition in
// RGBImage+Resampling.swift, so the output does not depend on the build.
#include "winnow_resample.h"

#include <string.h>

// `value` rounded to the nearest byte (ties to even), clamped to 0…255: adding 1.5·2²³
// moves the rounded integer into the low mantissa bits.
static inline uint8_t rounded_channel(float value) {
    float clamped = value < 0 ? 0 : value;
    clamped = clamped > 255 ? 255 : clamped;
    clamped += 12582912.0f;
    uint32_t bits;
    memcpy(&bits, &clamped, sizeof bits);
    return (uint8_t)bits;
}

void winnow_resample_rgb(const uint8_t *source, intptr_t width, uint8_t *destination, intptr_t new_width, intptr_t new_height,
                         intptr_t vertical_taps, const intptr_t *vertical_starts, const float *vertical_weights,
                         intptr_t horizontal_taps, const intptr_t *horizontal_starts, const float *horizontal_weights, float *row) {
    const intptr_t row_length = width * 3;
    for (intptr_t y = 0; y < new_height; y++) {
        // Vertical: blend the contributing source rows into one row of floats.
        const uint8_t *first_row = source + vertical_starts[y] * row_length;
        const float *weights = vertical_weights + y * vertical_taps;
        for (intptr_t i = 0; i < row_length; i++) row[i] = 0;
        for (intptr_t tap = 0; tap < vertical_taps; tap++) {
            const float weight = weights[tap];
            if (weight == 0) continue;
            const uint8_t *source_row = first_row + tap * row_length;
            for (intptr_t i = 0; i < row_length; i++) row[i] += weight * (float)source_row[i];
        }
        // Horizontal: blend neighbouring samples of that row into output pixels.
        uint8_t *output_row = destination + y * new_width * 3;
        for (intptr_t x = 0; x < new_width; x++) {
            const float *samples = row + horizontal_starts[x] * 3;
            const float *w = horizontal_weights + x * horizontal_taps;
            float red = 0, green = 0, blue = 0;
            for (intptr_t tap = 0; tap < horizontal_taps; tap++) {
                red += w[tap] * samples[tap * 3];
                green += w[tap] * samples[tap * 3 + 1];
                blue += w[tap] * samples[tap * 3 + 2];
            }
            output_row[x * 3] = rounded_channel(red);
            output_row[x * 3 + 1] = rounded_channel(green);
            output_row[x * 3 + 2] = rounded_channel(blue);
        }
    }
}
