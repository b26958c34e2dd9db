// See winnow_pillow.h.
#include "winnow_pillow.h"

// Wrapping arithmetic as Swift's &+ and &* (signed overflow is undefined in C).
static inline int32_t wrap_madd(int32_t sum, int32_t sample, int32_t weight) {
    return (int32_t)((uint32_t)sum + (uint32_t)sample * (uint32_t)weight);
}

static inline uint8_t clip8(int32_t sum, int32_t precision_bits) {
    const int32_t value = sum >> precision_bits;
    return value <= 0 ? 0 : (value >= 255 ? 255 : (uint8_t)value);
}

void winnow_pillow_horizontal(const uint8_t *source, intptr_t width, intptr_t first_row, intptr_t rows, uint8_t *destination,
                              intptr_t new_width, const intptr_t *starts, const intptr_t *counts, const int32_t *weights,
                              intptr_t taps, int32_t precision_bits) {
    const int32_t half = (int32_t)1 << (precision_bits - 1);
    uint8_t *out = destination;
    for (intptr_t y = 0; y < rows; y++) {
        const uint8_t *row = source + (y + first_row) * width * 3;
        for (intptr_t x = 0; x < new_width; x++) {
            const uint8_t *pixel = row + starts[x] * 3;
            const int32_t *k = weights + x * taps;
            int32_t red = half, green = half, blue = half;
            for (intptr_t t = 0; t < counts[x]; t++) {
                red = wrap_madd(red, pixel[0], k[t]);
                green = wrap_madd(green, pixel[1], k[t]);
                blue = wrap_madd(blue, pixel[2], k[t]);
                pixel += 3;
            }
            out[0] = clip8(red, precision_bits);
            out[1] = clip8(green, precision_bits);
            out[2] = clip8(blue, precision_bits);
            out += 3;
        }
    }
}

void winnow_pillow_vertical(const uint8_t *source, intptr_t width, intptr_t row_offset, uint8_t *destination, intptr_t new_height,
                            const intptr_t *starts, const intptr_t *counts, const int32_t *weights, intptr_t taps,
                            int32_t precision_bits, int32_t *sums) {
    const int32_t half = (int32_t)1 << (precision_bits - 1);
    const intptr_t length = width * 3;
    for (intptr_t y = 0; y < new_height; y++) {
        for (intptr_t i = 0; i < length; i++) sums[i] = half;
        const int32_t *k = weights + y * taps;
        for (intptr_t t = 0; t < counts[y]; t++) {
            const int32_t weight = k[t];
            const uint8_t *row = source + (starts[y] - row_offset + t) * length;
            for (intptr_t i = 0; i < length; i++) sums[i] = wrap_madd(sums[i], row[i], weight);
        }
        uint8_t *out = destination + y * length;
        for (intptr_t i = 0; i < length; i++) out[i] = clip8(sums[i], precision_bits);
    }
}
