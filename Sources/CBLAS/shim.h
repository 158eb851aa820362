#ifndef METALEARN_CBLAS_SHIM_H
#define METALEARN_CBLAS_SHIM_H
#include <cblas.h>
#endif
