/* bench/bench_common.h — what every benchmark shares: medians of repeated
 * runs, a STREAM triad measured in the same run, peak memory, and one table
 * format with the ratio of each implementation to the case's first (peer) row. */
#ifndef SF_BENCH_COMMON_H
#define SF_BENCH_COMMON_H

#include <stddef.h>

typedef void (*bench_fn)(void *arg);

/* Seconds on a monotonic clock. */
double bench_now(void);

/* Median time of one call of fn(arg) over `reps` samples after a warm-up;
 * calls shorter than 1 ms are timed in batches lasting >= 1 ms (reps >= 1). */
double bench_median_time(bench_fn fn, void *arg, int reps);

/* Two functions timed alternately (a, b, a, b, ...) after a warm-up of
 * each: their median times, and the median of the per-round ratios
 * time(a) / time(b), which a slow moment of the host hits on both sides. */
void bench_paired_medians(bench_fn fa, void *arga, bench_fn fb, void *argb, int reps, double *ma,
                          double *mb, double *ratio);

/* STREAM triad a[i] = b[i] + s*c[i] over n doubles with `threads` threads:
 * best GB/s of a few repetitions, counting 24 bytes per element. */
double bench_stream_triad_gbs(size_t n, int threads);

/* One pass of the triad a[i] = b[i] + s*c[i] as a bench_fn, to be timed
 * alternately with a kernel (bench_paired_medians) so that both see the
 * same moment of the host; 24 * n bytes. */
typedef struct bench_triad {
    double *a, *b, *c;
    size_t n;
    int threads;
} bench_triad;
void bench_triad_init(bench_triad *t, size_t n, int threads);
void bench_triad_pass(void *triad);
void bench_triad_free(bench_triad *t);

/* Peak resident memory of the process since the last bench_reset_peak_rss()
 * (Linux VmHWM; reset by writing 5 to /proc/self/clear_refs), in bytes. */
size_t bench_peak_rss(void);
void bench_reset_peak_rss(void);

/* One row of a results table. */
typedef struct bench_row {
    const char *case_name; /* e.g. "laplace2d 1e6, k=1" */
    const char *impl;      /* e.g. "sparsefirst 2t", "cxsparse" */
    double seconds;        /* median */
    double bytes_moved;    /* bytes the kernel must move, for GB/s (0: not shown) */
    size_t peak_bytes;     /* peak memory of this implementation (0: not shown) */
} bench_row;

/* Print the table header, then rows; `ref` is the row ratios are taken
 * against (ratio = ref.seconds / row.seconds, so > 1 means faster than ref). */
void bench_print_header(void);
void bench_print_row(const bench_row *row, const bench_row *ref);

/* Machine line for the README tables: date, CPU model, cores. */
void bench_print_machine(void);

#endif
