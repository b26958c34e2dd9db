// libjpeg-turbo's TurboJPEG API (Debian libturbojpeg0-dev). Unlike libjpeg's API,
// whose error handler must longjmp (impossible from Swift), it reports errors by
// return value, and it decodes at 1/2, 1/4 or 1/8 scale for cheap thumbnails.
#include <turbojpeg.h>
