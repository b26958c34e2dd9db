// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). There is no "cblas" pkg-config
// name; the "openblas" one points at the pthread variant's headers.
#include <cblas.h>
