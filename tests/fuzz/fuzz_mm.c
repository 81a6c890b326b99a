/* libFuzzer target for the Matrix Market reader.  Besides the sanitizers'
 * findings it aborts when the reader breaks its contract: a failure must
 * leave the output untouched, name the input, use a status a reader may
 * return, and hold no memory; a success must give a valid sorted CSR matrix
 * agreeing with the info, and freeing it must return every byte. */
#include <stdlib.h>
#include <string.h>

#include "mat/mat_internal.h"
#include "sparsefirst.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_csr(const sf_mat *m, const sf_mm_info *info) {
    CHECK(m->kind == SF_CSR && m->rows == info->rows && m->cols == info->cols);
    const int64_t *rp = m->u.csr.rowptr;
    const int32_t *ci = m->u.csr.colind;
    CHECK(rp[0] == 0 && rp[m->rows] == m->nnz);
    for (int64_t i = 0; i < m->rows; i++) {
        CHECK(rp[i] <= rp[i + 1]);
        for (int64_t p = rp[i]; p < rp[i + 1]; p++)
            CHECK(ci[p] >= 0 && ci[p] < m->cols && (p == rp[i] || ci[p - 1] < ci[p]));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sf_ctx *ctx = NULL;
    CHECK(sf_ctx_create(&ctx) == SF_OK);
    /* Headers may announce up to 2^31 rows: the limit turns the row offsets
     * of such a matrix into a clean NOMEM instead of a huge allocation. */
    sf_ctx_set_memory_limit(ctx, (size_t)4 << 20);
    sf_mat *m = (sf_mat *)&ctx; /* sentinel: must survive a failure */
    sf_mm_info info;
    sf_status st = sf_mm_read_buffer(ctx, (const char *)data, size, "fuzz", &m, &info);
    if (st == SF_OK) {
        check_csr(m, &info);
        sf_mat_free(m);
    } else {
        CHECK(m == (sf_mat *)&ctx);
        CHECK(st == SF_ERR_FORMAT || st == SF_ERR_TOO_LARGE || st == SF_ERR_UNSUPPORTED ||
              st == SF_ERR_NOMEM);
        CHECK(strncmp(sf_ctx_message(ctx), "fuzz: ", 6) == 0);
    }
    CHECK(sf_ctx_bytes_in_use(ctx) == 0);
    sf_ctx_free(ctx);
    return 0;
}
