// libpng (Debian libpng-dev): decoding and encoding PNG.
#include <png.h>
