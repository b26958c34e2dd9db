// See winnow_features.h.
#include "winnow_features.h"

#include <math.h>

static inline float luma(float r, float g, float b) { return 0.299f * r + 0.587f * g + 0.114f * b; }

void winnow_luma_plane(const uint8_t *rgb, intptr_t count, float *out) {
    for (intptr_t i = 0; i < count; i++) out[i] = luma((float)rgb[i * 3], (float)rgb[i * 3 + 1], (float)rgb[i * 3 + 2]);
}

void winnow_luma_bytes(const uint8_t *rgb, intptr_t count, uint8_t *out) {
    for (intptr_t i = 0; i < count; i++) {
        float v = roundf(luma((float)rgb[i * 3], (float)rgb[i * 3 + 1], (float)rgb[i * 3 + 2]));
        v = v < 0 ? 0 : (v > 255 ? 255 : v);
        out[i] = (uint8_t)v;
    }
}

void winnow_low_frequency_dct(const float *plane, intptr_t n, intptr_t k, const float *basis, float *scratch, float *out) {
    for (intptr_t y = 0; y < n; y++) {
        for (intptr_t u = 0; u < k; u++) {
            float sum = 0;
            for (intptr_t x = 0; x < n; x++) sum += plane[y * n + x] * basis[u * n + x];
            scratch[y * k + u] = sum;
        }
    }
    for (intptr_t v = 0; v < k; v++) {
        for (intptr_t u = 0; u < k; u++) {
            float sum = 0;
            for (intptr_t y = 0; y < n; y++) sum += scratch[y * k + u] * basis[v * n + y];
            out[v * k + u] = sum;
        }
    }
}

static inline float clamp01(float value) { return value < 0 ? 0 : (value > 1 ? 1 : value); }

static float hue_degrees(float r, float g, float b, float maximum, float minimum) {
    const float range = maximum - minimum;
    if (!(range > 0)) return 0;
    float hue;
    if (maximum == r) hue = (g - b) / range;
    else if (maximum == g) hue = 2 + (b - r) / range;
    else hue = 4 + (r - g) / range;
    hue *= 60;
    return hue < 0 ? hue + 360 : hue;
}

void winnow_colour_histogram(const uint8_t *rgb, intptr_t count, float *histogram) {
    enum { HUE_BINS = 12, GREY_BINS = 5 };
    for (int i = 0; i < HUE_BINS + GREY_BINS; i++) histogram[i] = 0;
    for (intptr_t i = 0; i < count; i++) {
        const float r = (float)rgb[i * 3], g = (float)rgb[i * 3 + 1], b = (float)rgb[i * 3 + 2];
        float maximum = r > g ? r : g, minimum = r < g ? r : g;
        maximum = maximum > b ? maximum : b;
        minimum = minimum < b ? minimum : b;
        const float saturation = maximum > 0 ? (maximum - minimum) / maximum : 0;
        // Soft split between "has a hue" and "is grey": ramps instead of thresholds.
        const float chromatic = clamp01((saturation - 0.1f) / 0.2f) * clamp01((maximum - 20) / 40);
        if (chromatic > 0) {
            const float position = hue_degrees(r, g, b, maximum, minimum) / 30;
            const int lower = (int)position % HUE_BINS;
            const float fraction = position - (float)(int)position;
            histogram[lower] += chromatic * (1 - fraction);
            histogram[(lower + 1) % HUE_BINS] += chromatic * fraction;
        }
        if (chromatic < 1) {
            const float position = luma(r, g, b) / 255 * (float)(GREY_BINS - 1);
            int lower = (int)position;
            if (lower > GREY_BINS - 2) lower = GREY_BINS - 2;
            const float fraction = position - (float)lower;
            histogram[HUE_BINS + lower] += (1 - chromatic) * (1 - fraction);
            histogram[HUE_BINS + lower + 1] += (1 - chromatic) * fraction;
        }
    }
}
