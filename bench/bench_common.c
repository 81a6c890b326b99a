#include "bench_common.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *t, int n) {
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

/* Calls per sample so that one sample lasts at least this long: a single
 * call of a few microseconds is below the clock's and the scheduler's noise
 * (watt_2's SpMV moved between 0.66x and 1.46x CXSparse from run to run). */
#define MIN_SAMPLE_SECONDS 1e-3

static int calls_per_sample(bench_fn fn, void *arg) {
    double t0 = bench_now();
    fn(arg); /* warm-up: page faults, caches, thread start */
    double once = bench_now() - t0;
    if (once >= MIN_SAMPLE_SECONDS) return 1;
    t0 = bench_now();
    fn(arg); /* warm: the first call paid for the page faults */
    once = bench_now() - t0;
    return once >= MIN_SAMPLE_SECONDS ? 1 : (int)(MIN_SAMPLE_SECONDS / (once > 1e-8 ? once : 1e-8)) + 1;
}

double bench_median_time(bench_fn fn, void *arg, int reps) {
    if (reps < 1) reps = 1;
    double *t = malloc((size_t)reps * sizeof *t);
    int calls = calls_per_sample(fn, arg);
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        for (int c = 0; c < calls; c++) fn(arg);
        t[r] = (bench_now() - t0) / calls;
    }
    double med = median_of(t, reps);
    free(t);
    return med;
}

void bench_paired_medians(bench_fn fa, void *arga, bench_fn fb, void *argb, int reps, double *ma,
                          double *mb, double *ratio) {
    if (reps < 1) reps = 1;
    double *t = malloc(3 * (size_t)reps * sizeof *t), *ta = t, *tb = t + reps, *r = t + 2 * reps;
    fa(arga), fb(argb); /* warm-up */
    for (int q = 0; q < reps; q++) {
        double t0 = bench_now();
        fa(arga);
        double t1 = bench_now();
        fb(argb);
        ta[q] = t1 - t0, tb[q] = bench_now() - t1, r[q] = ta[q] / tb[q];
    }
    *ma = median_of(ta, reps), *mb = median_of(tb, reps), *ratio = median_of(r, reps);
    free(t);
}

void bench_triad_init(bench_triad *t, size_t n, int threads) {
    t->a = malloc(n * sizeof *t->a), t->b = malloc(n * sizeof *t->b);
    t->c = malloc(n * sizeof *t->c);
    t->n = n, t->threads = threads;
    long ln = (long)n;
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long i = 0; i < ln; i++) { t->a[i] = 0; t->b[i] = 1; t->c[i] = 2; }
}

void bench_triad_pass(void *triad) {
    bench_triad *t = triad;
    double *a = t->a;
    const double *b = t->b, *c = t->c;
    long ln = (long)t->n;
#pragma omp parallel for num_threads(t->threads) schedule(static)
    for (long i = 0; i < ln; i++) a[i] = b[i] + 3.0 * c[i];
    volatile double sink = a[t->n / 2];
    (void)sink;
}

void bench_triad_free(bench_triad *t) {
    free(t->a);
    free(t->b);
    free(t->c);
}

double bench_stream_triad_gbs(size_t n, int threads) {
    bench_triad t;
    bench_triad_init(&t, n, threads);
    double best = 1e30;
    for (int r = 0; r < 5; r++) {
        double t0 = bench_now();
        bench_triad_pass(&t);
        double s = bench_now() - t0;
        if (s < best) best = s;
    }
    bench_triad_free(&t);
    return 24.0 * (double)n / best / 1e9;
}

size_t bench_peak_rss(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    size_t kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %zu kB", &kb) == 1) break;
    fclose(f);
    return kb * 1024;
}

void bench_reset_peak_rss(void) {
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return;
    fputs("5", f);
    fclose(f);
}

void bench_print_header(void) {
    printf("%-34s %-22s %12s %9s %12s %8s\n", "case", "implementation", "median ms", "GB/s",
           "peak MB", "ratio");
}

void bench_print_row(const bench_row *row, const bench_row *ref) {
    char gbs[32] = "-", peak[32] = "-", ratio[32] = "-";
    if (row->bytes_moved > 0 && row->seconds > 0)
        snprintf(gbs, sizeof gbs, "%.2f", row->bytes_moved / row->seconds / 1e9);
    if (row->peak_bytes) snprintf(peak, sizeof peak, "%.1f", (double)row->peak_bytes / 1048576.0);
    if (ref && ref->seconds > 0 && row->seconds > 0)
        snprintf(ratio, sizeof ratio, "%.2fx", ref->seconds / row->seconds);
    printf("%-34s %-22s %12.3f %9s %12s %8s\n", row->case_name, row->impl, row->seconds * 1e3, gbs,
           peak, ratio);
    fflush(stdout);
}

void bench_print_machine(void) {
    char model[256] = "unknown", line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "model name", 10)) {
                char *colon = strchr(line, ':');
                if (colon) snprintf(model, sizeof model, "%s", colon + 2);
                model[strcspn(model, "\n")] = 0;
                break;
            }
        fclose(f);
    }
    time_t now = time(NULL);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
    printf("# %s, %s, %d cores\n", date, model, omp_get_num_procs());
}
