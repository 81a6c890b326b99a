/* Names of the status codes. */
#include "sparsefirst/core.h"

const char *sf_status_name(sf_status s) {
    static const char *const names[] = {
        [SF_OK] = "SF_OK",
        [SF_ERR_ARG] = "SF_ERR_ARG",
        [SF_ERR_SHAPE] = "SF_ERR_SHAPE",
        [SF_ERR_NOMEM] = "SF_ERR_NOMEM",
        [SF_ERR_TOO_LARGE] = "SF_ERR_TOO_LARGE",
        [SF_ERR_IO] = "SF_ERR_IO",
        [SF_ERR_FORMAT] = "SF_ERR_FORMAT",
        [SF_ERR_UNSUPPORTED] = "SF_ERR_UNSUPPORTED",
        [SF_ERR_INDEX] = "SF_ERR_INDEX",
        [SF_ERR_STRUCTURE] = "SF_ERR_STRUCTURE",
        [SF_ERR_SINGULAR] = "SF_ERR_SINGULAR",
        [SF_ERR_NOT_SPD] = "SF_ERR_NOT_SPD",
        [SF_ERR_NONFINITE] = "SF_ERR_NONFINITE",
        [SF_ERR_CORRUPT] = "SF_ERR_CORRUPT",
        [SF_ERR_INTERNAL] = "SF_ERR_INTERNAL",
    };
    if ((unsigned)s >= sizeof names / sizeof names[0] || !names[s]) return "SF_ERR_UNKNOWN";
    return names[s];
}
