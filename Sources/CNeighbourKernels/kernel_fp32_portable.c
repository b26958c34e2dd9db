// The float32 kernel for any CPU (SSE2 on x86-64): no instruction beyond the baseline.
#define KNN_FP32_NAME knn_tile_portable
#define KNN_ROWS 2
#define KNN_COLV 1
#include "kernel_fp32.h"
