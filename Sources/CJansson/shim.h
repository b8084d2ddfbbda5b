#ifndef NETSOCK_CJANSSON_SHIM_H
#define NETSOCK_CJANSSON_SHIM_H

#include <jansson.h>

// Swift cannot import function-like macros; these wrap the few we need.

static inline json_type cjansson_typeof(const json_t *json) { return json_typeof(json); }
static inline size_t cjansson_indent(int n) { return JSON_INDENT(n); }
static inline size_t cjansson_real_precision(int n) { return JSON_REAL_PRECISION(n); }
static inline void cjansson_decref(json_t *json) { json_decref(json); }

#endif
