#ifndef METALEARN_CPNG_SHIM_H
#define METALEARN_CPNG_SHIM_H
#include <png.h>
// PNG_LIBPNG_VER_STRING is a string macro: expose it as a function.
static inline const char *ml_png_libpng_ver_string(void) { return PNG_LIBPNG_VER_STRING; }
#endif
