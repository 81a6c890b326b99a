/* lib/interp/block.h — the builder's unit of work: a block of up to
 * SF_INTERP_BLOCK neighbouring columns (a, c0 .. c0+nb-1) of the data seen as
 * (pre, n, post).  The block's columns share the cache lines of each level,
 * so walking its columns one after the other reads the data and writes the
 * weights (strided) while those lines stay in cache, where one column alone
 * would touch a new cache line (and often a new page) at every level. */
#ifndef SF_INTERP_BLOCK_H
#define SF_INTERP_BLOCK_H

#include "../mat/kind_interp.h"
#include "column.h"

enum { SF_INTERP_BLOCK = 32, SF_INTERP_CHECK_WIDTH = 512 };

typedef struct grid {
    const double *x;
    bool shared; /* one 1-D grid for every column */
} grid;

typedef struct plan {
    grid src, dst;
    int64_t pre, n, m, post;
    column_rule rule;
    bool checked; /* every column passed a check-only run: do not check again */
    bool stream;  /* weights far larger than the caches: tiles leave by streaming stores */
    bool levels;  /* blocks are built level by level (levels.c) */
    int width;    /* columns per block: SF_INTERP_BLOCK, up to SF_INTERP_CHECK_WIDTH for a
                   * check-only run (longer runs of each level for the prefetchers), or
                   * sf_interp_level_width for a level-by-level build */
} plan;

/* Why a column is bad, and where along it. */
typedef enum col_fault {
    FAULT_NONE = 0, FAULT_SRC_NAN, FAULT_SRC_LOG, FAULT_NOT_MONOTONIC, FAULT_DST_NAN, FAULT_DST_LOG,
    FAULT_DST_INF
} col_fault;
typedef struct col_check {
    col_fault fault;
    int64_t pos;
    int64_t col; /* flat column index a * post + c */
} col_check;

/* Per-thread workspace for one column at a time, and a tile holding the
 * weights of one block (m levels x SF_INTERP_BLOCK columns) when it fits. */
typedef struct scratch {
    double *raw, *traw; /* [n], [m]: one column as read */
    double *xs, *xt;    /* [n], [m]: increasing, in the method's coordinate */
    int32_t *tile_src;  /* [m][SF_INTERP_BLOCK], or NULL: write the weights directly */
    double *tile_w;     /* [m][SF_INTERP_BLOCK] */
} scratch;

/* Doubles one workspace needs (without the tile), and the workspace carved
 * out of buf of `len` doubles (8-byte aligned; the tile only if it fits too).
 * Workspaces of up to SCRATCH_ON_STACK doubles live on each thread's stack,
 * larger ones (then without a tile) in one allocation of `threads` of them
 * (block_scratch: NULL, message set, on failure). */
enum { SCRATCH_ON_STACK = 4096 };
int64_t scratch_doubles(const plan *pl);
scratch scratch_in(const plan *pl, double *buf, int64_t len);
double *block_scratch(sf_ctx *ctx, const plan *pl, int threads);

/* Weights of block b (of plan_blocks(pl)) into p, adding its entries to
 * *nnz; the first bad column of the block is returned in the check (fault
 * FAULT_NONE if none; its position is then found by column_check).  With p
 * NULL the block is only checked: nothing is written. */
int64_t plan_blocks(const plan *pl);
col_check block_build(const plan *pl, int64_t b, scratch *sc, sf_interp_w *p, int64_t *nnz);

/* After a thread's last block: its streaming stores made visible. */
void block_fence(const plan *pl);

/* Check of the single column col (for the message after a failed build). */
col_check column_check(const plan *pl, int64_t col, scratch *sc);

/* Direction of the nb (<= SF_INTERP_CHECK_WIDTH) source columns at base and
 * the first bad one, or nb (check_sources); the direction only, for columns
 * already checked (directions); one column's m targets checked and copied
 * to xt in the method's coordinate (prepare_targets). */
int check_sources(const plan *pl, const double *base, int nb, bool *falling);
col_check prepare_targets(const plan *pl, const double *x, double *xt);
void directions(const plan *pl, const double *base, int nb, bool *falling);

/* nb weights of one level from ts, tw (the thread's) to src, w: streaming
 * stores for the whole cache lines when pl->stream. */
void row_out(const plan *pl, int32_t *src, double *w, const int32_t *ts, const double *tw, int nb);

/* The level-by-level build (levels.c): per-column source grids, one shared
 * target grid sorted increasingly, method linear, out-of-range clamp, NaN or
 * a constant; the same bits as the column walk.  Blocks of
 * sf_interp_level_width columns (at most SF_INTERP_LEVEL_MAX; 0 turns the
 * path off: tests set it to compare both paths, never while building). */
enum { SF_INTERP_LEVEL_MAX = 2048 };
extern int sf_interp_level_width;
extern bool sf_interp_level_avx; /* four columns at a time with AVX (tests turn it off) */
bool levels_fit(const plan *pl);
col_check levels_build(const plan *pl, int64_t b, scratch *sc, sf_interp_w *p, int64_t *nnz);

#endif
