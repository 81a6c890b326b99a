/* lib/solve/chol_internal.h — the sf_chol handle: the lower triangle of A kept
 * through the context (as CHOLMOD's upper-stored CSC of A'), and CHOLMOD's
 * common block and factor. */
#ifndef SF_CHOL_INTERNAL_H
#define SF_CHOL_INTERNAL_H

#include <cholmod.h>

#include "../mat/mat_internal.h"
#include "sparsefirst/solve.h"

struct sf_chol {
    sf_ctx *ctx;
    int64_t n;
    /* CSR of A's lower triangle = CSC of its upper triangle (stype = 1);
     * p, i, x are charged to ctx. */
    cholmod_sparse A;
    cholmod_common cm;
    cholmod_factor *L;  /* CHOLMOD's memory, reported by sf_chol_bytes */
    bool factored;
    double logdet;
};

/* Map a failed CHOLMOD call (cm->status) to a status and message naming `what`. */
sf_status sf_chol_cholmod_error(sf_ctx *ctx, const cholmod_common *cm, const char *what);

#endif
