/* libFuzzer target for the .npy reader.  Besides the sanitizers' findings it
 * aborts when the reader breaks its contract: a failure must leave the
 * output untouched, give a message and hold no memory; a success must give
 * an array whose size matches its shape, and freeing it must return every
 * byte. */
#include <stdlib.h>
#include <string.h>

#include "sparsefirst.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    sf_ctx *ctx = NULL;
    CHECK(sf_ctx_create(&ctx) == SF_OK);
    sf_ctx_set_memory_limit(ctx, (size_t)4 << 20);
    sf_array *a = (sf_array *)&ctx; /* sentinel: must survive a failure */
    sf_status st = sf_npy_read_buffer(ctx, data, size, "fuzz", &a);
    if (st == SF_OK) {
        int64_t n = 1;
        CHECK(a->shape.ndim >= 0 && a->shape.ndim <= SF_MAX_NDIM);
        for (int k = 0; k < a->shape.ndim; k++) n *= a->shape.dim[k];
        CHECK(n == a->size);
        /* Touch every byte so ASan sees a short allocation. */
        volatile unsigned char sink = 0;
        const unsigned char *p = a->data;
        for (size_t b = 0; b < (size_t)a->size * sf_npy_dtype_size(a->dtype); b++) sink ^= p[b];
        (void)sink;
        sf_array_free(a);
    } else {
        CHECK(a == (sf_array *)&ctx);
        CHECK(st != SF_ERR_INTERNAL && st != SF_ERR_ARG);
        CHECK(sf_ctx_message(ctx)[0] != '\0');
    }
    CHECK(sf_ctx_bytes_in_use(ctx) == 0);
    sf_ctx_free(ctx);
    return 0;
}
