/* examples/tour.h — the demo tour: one chapter per problem of PROBLEMS.md.
 * Each example file defines `int example_NAME(void)` (0 = success, checks
 * passed) and, when built on its own, a main() that calls it (see
 * SF_EXAMPLE_MAIN below); the tour links them all and runs them in order. */
#ifndef SF_TOUR_H
#define SF_TOUR_H

#include <stdio.h>
#include <stdlib.h>

#include "sparsefirst.h"

/* Stop the chapter with a message when a call fails. */
#define EX_CHECK(ctx, call)                                                              \
    do {                                                                                 \
        sf_status ex_st_ = (call);                                                       \
        if (ex_st_ != SF_OK) {                                                           \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, sf_status_name(ex_st_), \
                    sf_ctx_message(ctx));                                                \
            return 1;                                                                    \
        }                                                                                \
    } while (0)

/* Path of a shared data file (SF_DATA_DIR or ../shared/data next to the
 * source tree). */
const char *ex_data_path(const char *relative, char *buf, size_t len);

/* Seconds on a monotonic clock, for the examples' timings. */
double ex_now(void);

/* Human-readable byte counts: "72.0 MB", "648.0 TB". */
const char *ex_bytes(double bytes, char *buf, size_t len);

#ifdef SF_TOUR
#define SF_EXAMPLE_MAIN(fn)
#else
#define SF_EXAMPLE_MAIN(fn) \
    int main(void) { return fn(); }
#endif

#endif
