// libsixel (Debian libsixel-dev), used for encoding only: never its image loaders,
// whose bundled stb_image carries known CVEs.
#include <sixel/sixel.h>

static inline int winnow_sixel_failed(SIXELSTATUS status) { return SIXEL_FAILED(status); }
