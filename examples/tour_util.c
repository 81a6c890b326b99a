#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tour.h"

double ex_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

const char *ex_data_path(const char *relative, char *buf, size_t len) {
    const char *dir = getenv("SF_DATA_DIR");
    if (dir) snprintf(buf, len, "%s/%s", dir, relative);
    else snprintf(buf, len, "%s/../shared/data/%s", SF_SOURCE_ROOT, relative);
    return buf;
}

const char *ex_bytes(double bytes, char *buf, size_t len) {
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    int u = 0;
    while (bytes >= 1000.0 && u < 6) {
        bytes /= 1000.0;
        u++;
    }
    snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
    return buf;
}
