// See winnow_duplicates.h. Float32 throughout, every sum in an order fixed by the code (no
// FMA contraction: see Package.swift), so the scores do not depend on the build or CPU.
#include "winnow_duplicates.h"

#include <math.h>
#include <string.h>

enum { N = WINNOW_DUP_SIDE, H = WINNOW_DUP_HALF_SIDE };

// Separable blur with normalised `taps` (edges repeated), `passes` times.
static void blur(float *plane, const float *taps, int count, int passes) {
    float weights[5], total = 0, horizontal[N * N];
    for (int t = 0; t < count; t++) total += taps[t];
    for (int t = 0; t < count; t++) weights[t] = taps[t] / total;
    const int radius = count / 2;
    for (int pass = 0; pass < passes; pass++) {
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                float v = 0;
                for (int t = 0; t < count; t++) {
                    int s = x + t - radius;
                    s = s < 0 ? 0 : (s > N - 1 ? N - 1 : s);
                    v += weights[t] * plane[y * N + s];
                }
                horizontal[y * N + x] = v;
            }
        }
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                float v = 0;
                for (int t = 0; t < count; t++) {
                    int s = y + t - radius;
                    s = s < 0 ? 0 : (s > N - 1 ? N - 1 : s);
                    v += weights[t] * horizontal[s * N + x];
                }
                plane[y * N + x] = v;
            }
        }
    }
}

// The centre of a `side`×`side` plane without `margin` on each side, zero-mean and of unit
// length, into `out`; returns its standard deviation before normalising, or 0 when it has
// (almost) none, in which case `out` is not a template.
static float cut_template(const float *plane, int side, int margin, float *out) {
    const int n = side - 2 * margin, count = n * n;
    int k = 0;
    for (int y = margin; y < side - margin; y++)
        for (int x = margin; x < side - margin; x++) out[k++] = plane[y * side + x];
    float mean = 0;
    for (int i = 0; i < count; i++) mean += out[i];
    mean /= (float)count;
    float sum = 0;
    for (int i = 0; i < count; i++) {
        out[i] -= mean;
        sum += out[i] * out[i];
    }
    const float deviation = sqrtf(sum / (float)count);
    if (!(deviation > 1e-3f)) return 0;
    const float length = sqrtf(sum);
    for (int i = 0; i < count; i++) out[i] /= length;
    return deviation;
}

void winnow_dup_prepare(const uint8_t *grey, float flat_contrast, float flat_detail, winnow_dup_prepared *out) {
    memset(out, 0, sizeof *out);
    const int m = WINNOW_DUP_MARGIN;
    float sum = 0, squares = 0;
    for (int y = m; y < N - m; y++) {
        for (int x = m; x < N - m; x++) {
            const float v = (float)grey[y * N + x];
            sum += v;
            squares += v * v;
        }
    }
    const float count = (float)((N - 2 * m) * (N - 2 * m));
    const float variance = squares / count - (sum / count) * (sum / count);
    out->contrast = sqrtf(variance > 0 ? variance : 0);

    // Band pass: the finest noise and the broad shading removed.
    static const float fine_taps[3] = {1, 2, 1}, broad_taps[5] = {1, 4, 6, 4, 1};
    float fine[N * N], broad[N * N];
    for (int i = 0; i < N * N; i++) fine[i] = broad[i] = (float)grey[i];
    blur(fine, fine_taps, 3, 1);
    blur(broad, broad_taps, 5, 3);
    for (int i = 0; i < N * N; i++) out->full[i] = fine[i] - broad[i];
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) out->half[(y / 2) * H + x / 2] += out->full[y * N + x] / 4;

    out->detail = cut_template(out->full, N, m, out->full_template);
    const float half_detail = cut_template(out->half, H, m / 2, out->half_template);
    out->usable = out->contrast >= flat_contrast && out->detail > 0 && out->detail >= flat_detail && half_detail > 0;
}

typedef struct {
    float scale_x, scale_y, shift_x, shift_y;
} pose;

enum { LANES = 4 };

// Bilinear weights of the template's n pixels along one axis moved by `scale` and `shift`
// (in full-resolution pixels, `unit` of them per pixel of a `side`-pixel plane): the first
// of the two source pixels and the second's weight. Outside the plane the edge repeats.
static void axis_samples(int n, int margin, int side, float unit, float scale, float shift, int *first, float *fraction) {
    const float centre = (float)side / 2, limit = (float)(side - 1);
    for (int i = 0; i < n; i++) {
        const float q = (float)(margin + i) + 0.5f - centre;
        float x = q * scale + centre + shift / unit - 0.5f;
        x = x < 0 ? 0 : (x > limit ? limit : x);
        int x0 = (int)x;
        if (x0 > side - 2) x0 = side - 2;
        first[i] = x0;
        fraction[i] = x - (float)x0;
    }
}

// Row `y` of `plane` interpolated at the columns `xs` + `fxs`.
static void interpolate_row(const float *plane, int side, int y, int n, const int *xs, const float *fxs, float *out) {
    const float *row = plane + y * side;
    for (int c = 0; c < n; c++) out[c] = row[xs[c]] + (row[xs[c] + 1] - row[xs[c]]) * fxs[c];
}

// NCC of the template (`n`×`n`, n a multiple of LANES, cut `margin` inside its
// `side`×`side` image) against `plane` (`side`×`side`) sampled bilinearly at the template's
// pixels moved by `p`; shifts are in full-resolution pixels, `unit` of them per pixel of
// `plane`. Samples outside the plane repeat its edge. Each source row is interpolated
// across once (neighbouring template rows share source rows), and the sums run in LANES
// lanes, column c in lane c mod LANES, added up in lane order: a fixed order the compiler
// can vectorise without changing the result.
static float ncc(const float *template, int n, int margin, const float *plane, int side, float unit, pose p) {
    int xs[WINNOW_DUP_TEMPLATE_SIDE], ys[WINNOW_DUP_TEMPLATE_SIDE];
    float fxs[WINNOW_DUP_TEMPLATE_SIDE], fys[WINNOW_DUP_TEMPLATE_SIDE];
    axis_samples(n, margin, side, unit, p.scale_x, p.shift_x, xs, fxs);
    axis_samples(n, margin, side, unit, p.scale_y, p.shift_y, ys, fys);
    float rows[2][WINNOW_DUP_TEMPLATE_SIDE];
    int held[2] = {-1, -1};  // the source rows in rows[0], rows[1]
    float dot[LANES] = {0}, sum[LANES] = {0}, squares[LANES] = {0};
    for (int r = 0; r < n; r++) {
        const int y0 = ys[r];
        if (held[0] != y0) {
            if (held[1] == y0) {
                memcpy(rows[0], rows[1], sizeof rows[0]);
            } else {
                interpolate_row(plane, side, y0, n, xs, fxs, rows[0]);
            }
            held[0] = y0;
            interpolate_row(plane, side, y0 + 1, n, xs, fxs, rows[1]);
            held[1] = y0 + 1;
        }
        const float fy = fys[r];
        const float *t = template + r * n;
        for (int c = 0; c < n; c += LANES) {
            for (int l = 0; l < LANES; l++) {
                const float upper = rows[0][c + l], lower = rows[1][c + l];
                const float v = upper + (lower - upper) * fy;
                dot[l] += t[c + l] * v;
                sum[l] += v;
                squares[l] += v * v;
            }
        }
    }
    const float total_dot = (dot[0] + dot[1]) + (dot[2] + dot[3]);
    const float total_sum = (sum[0] + sum[1]) + (sum[2] + sum[3]);
    const float total_squares = (squares[0] + squares[1]) + (squares[2] + squares[3]);
    const float variance = total_squares - total_sum * total_sum / (float)(n * n);
    if (!(variance > 1e-6f)) return 0;
    return total_dot / sqrtf(variance);
}

static float ncc_full(const winnow_dup_prepared *mine, const winnow_dup_prepared *other, pose p) {
    return ncc(mine->full_template, WINNOW_DUP_TEMPLATE_SIDE, WINNOW_DUP_MARGIN, other->full, N, 1, p);
}

// Hill-climbing at full resolution: each parameter moved by its step both ways, the best
// move kept as soon as found, the steps halved when no move helps.
static float refine(const winnow_dup_prepared *mine, const winnow_dup_prepared *other, pose start) {
    pose current = start;
    float score = ncc_full(mine, other, current);
    float scale_step = 1.0f / 16, shift_step = 1;
    const float lowest = 7.0f / 8.0f - 1.0f / 32, highest = 8.0f / 7.0f + 1.0f / 32;
    const float limit = (float)N / 8 + 1;
    for (int iteration = 0; iteration < 40; iteration++) {
        int moved = 0;
        for (int parameter = 0; parameter < 4; parameter++) {
            for (int s = 0; s < 2; s++) {
                const float sign = s == 0 ? -1.0f : 1.0f;
                pose candidate = current;
                switch (parameter) {
                case 0: candidate.scale_x += sign * scale_step; break;
                case 1: candidate.scale_y += sign * scale_step; break;
                case 2: candidate.shift_x += sign * shift_step; break;
                default: candidate.shift_y += sign * shift_step; break;
                }
                if (candidate.scale_x < lowest || candidate.scale_x > highest || candidate.scale_y < lowest || candidate.scale_y > highest ||
                    fabsf(candidate.shift_x) > limit || fabsf(candidate.shift_y) > limit)
                    continue;
                const float v = ncc_full(mine, other, candidate);
                if (v > score) {
                    score = v;
                    current = candidate;
                    moved = 1;
                }
            }
        }
        if (!moved) {
            if (shift_step <= 0.25f) break;
            scale_step /= 2;
            shift_step /= 2;
        }
    }
    return score;
}

enum { COARSE_SCALES = 3, COARSE_SHIFTS = 5, COARSE_POSES = COARSE_SCALES * COARSE_SCALES * COARSE_SHIFTS * COARSE_SHIFTS, STARTS = 3 };

// The coarse search of `mine`'s centre in `other`: every pose at half resolution; the best
// STARTS poses (ties: the earlier pose) into `best`, best first. Returns the best score.
static float coarse_search(const winnow_dup_prepared *mine, const winnow_dup_prepared *other, pose best[STARTS]) {
    const float scales[COARSE_SCALES] = {7.0f / 8.0f, 1, 8.0f / 7.0f};
    const float maximum_shift = (float)N / 8, step = 2;  // one pixel at half resolution
    float top[STARTS] = {-INFINITY, -INFINITY, -INFINITY};
    for (int i = 0; i < STARTS; i++) best[i] = (pose){1, 1, 0, 0};
    for (int a = 0; a < COARSE_SCALES; a++) {
        for (int b = 0; b < COARSE_SCALES; b++) {
            for (int j = 0; j < COARSE_SHIFTS; j++) {
                for (int i = 0; i < COARSE_SHIFTS; i++) {
                    const pose p = {scales[b], scales[a], -maximum_shift + step * (float)i, -maximum_shift + step * (float)j};
                    const float v = ncc(mine->half_template, WINNOW_DUP_HALF_TEMPLATE_SIDE, WINNOW_DUP_MARGIN / 2, other->half, H, 2, p);
                    // Insert after every equal score: an earlier pose wins a tie.
                    int at = STARTS;
                    while (at > 0 && v > top[at - 1]) at--;
                    if (at == STARTS) continue;
                    for (int k = STARTS - 1; k > at; k--) {
                        top[k] = top[k - 1];
                        best[k] = best[k - 1];
                    }
                    top[at] = v;
                    best[at] = p;
                }
            }
        }
    }
    return top[0];
}

float winnow_dup_match(const winnow_dup_prepared *a, const winnow_dup_prepared *b, float refine_from, float *coarse) {
    if (coarse) *coarse = 0;
    if (!a->usable || !b->usable) return 0;
    pose forward[STARTS], backward[STARTS];
    const float ab = coarse_search(a, b, forward), ba = coarse_search(b, a, backward);
    const float rough = ab > ba ? ab : ba;
    if (coarse) *coarse = rough;
    if (rough < refine_from) return rough;
    float best = -1;
    for (int i = 0; i < STARTS; i++) {
        const float v = refine(a, b, forward[i]);
        if (v > best) best = v;
    }
    for (int i = 0; i < STARTS; i++) {
        const float v = refine(b, a, backward[i]);
        if (v > best) best = v;
    }
    return best;
}

void winnow_dup_spectrum(const winnow_dup_prepared *prepared, float *out) {
    enum { F = 12, RINGS = WINNOW_DUP_SPECTRUM_RINGS, ORIENTATIONS = WINNOW_DUP_SPECTRUM_ORIENTATIONS };
    for (int i = 0; i < RINGS * ORIENTATIONS; i++) out[i] = 0;
    if (!prepared->usable) return;
    const double pi = 3.14159265358979323846;
    float cosines[N], sines[N];  // e^{-2πi k/N} for k mod N
    for (int k = 0; k < N; k++) {
        cosines[k] = (float)cos(2 * pi * k / N);
        sines[k] = (float)-sin(2 * pi * k / N);
    }
    // Rows first: R(y, u) for u in -F…F, then columns for v in 0…F (the other half mirrors).
    float re_rows[N][2 * F + 1], im_rows[N][2 * F + 1];
    for (int y = 0; y < N; y++) {
        for (int u = -F; u <= F; u++) {
            float re = 0, im = 0;
            for (int x = 0; x < N; x++) {
                const int k = ((u * x) % N + N) % N;
                re += prepared->full[y * N + x] * cosines[k];
                im += prepared->full[y * N + x] * sines[k];
            }
            re_rows[y][u + F] = re;
            im_rows[y][u + F] = im;
        }
    }
    const float ring_width = (float)(log2((double)F) / (RINGS - 1));
    for (int v = 0; v <= F; v++) {
        for (int u = -F; u <= F; u++) {
            if (v == 0 && u <= 0) continue;
            const float radius = sqrtf((float)(u * u + v * v));
            if (radius > (float)F) continue;
            float re = 0, im = 0;
            for (int y = 0; y < N; y++) {
                const int k = (v * y) % N;
                const float a = re_rows[y][u + F], b = im_rows[y][u + F];
                re += a * cosines[k] - b * sines[k];
                im += a * sines[k] + b * cosines[k];
            }
            const float energy = re * re + im * im;
            // Soft bins: log radius between rings, orientation (mod π) between orientations.
            const float ring = log2f(radius) / ring_width;
            int r0 = (int)ring;
            if (r0 > RINGS - 2) r0 = RINGS - 2;
            const float fr = ring - (float)r0 > 1 ? 1 : ring - (float)r0;
            float angle = atan2f((float)v, (float)u);  // 0…π
            float position = angle / (float)pi * ORIENTATIONS;
            int o0 = (int)floorf(position);
            const float fo = position - (float)o0;
            o0 = ((o0 % ORIENTATIONS) + ORIENTATIONS) % ORIENTATIONS;
            const int o1 = (o0 + 1) % ORIENTATIONS;
            out[r0 * ORIENTATIONS + o0] += energy * (1 - fr) * (1 - fo);
            out[r0 * ORIENTATIONS + o1] += energy * (1 - fr) * fo;
            out[(r0 + 1) * ORIENTATIONS + o0] += energy * fr * (1 - fo);
            out[(r0 + 1) * ORIENTATIONS + o1] += energy * fr * fo;
        }
    }
    float length = 0;
    for (int i = 0; i < RINGS * ORIENTATIONS; i++) {
        out[i] = sqrtf(out[i]);
        length += out[i] * out[i];
    }
    length = sqrtf(length);
    if (!(length > 0)) return;
    for (int i = 0; i < RINGS * ORIENTATIONS; i++) out[i] /= length;
}
