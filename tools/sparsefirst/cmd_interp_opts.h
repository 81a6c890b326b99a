/* tools/sparsefirst/cmd_interp_opts.h — what the interp, interp-weights and
 * interp-apply subcommands share: their options and float64 inputs. */
#ifndef SF_CMD_INTERP_OPTS_H
#define SF_CMD_INTERP_OPTS_H

#include "cli.h"

typedef struct interp_opts {
    int axis; /* as given; may be negative (counted from the end) */
    sf_interp_method method;
    sf_interp_extrap extrapolate;
    double fill;
    bool has_shape;
    sf_shape shape; /* --shape D0,D1,... */
} interp_opts;

/* Take --axis (required), --method, --extrapolate and, if allow_shape,
 * --shape; problems become the usage error cli_args reports. */
void interp_take_opts(cli *c, interp_opts *o, bool allow_shape);

/* --axis against a rank: the axis in [0, ndim), or CLI_USAGE after the error. */
int interp_axis(const interp_opts *o, int ndim, int *axis);

/* A .npy (or .mtx) file as float64; complex is an error naming the file. */
int interp_read_f8(cli *c, const char *path, sf_array **out);

/* Building weights as a compute step of cli_timed.  The step never fails
 * towards cli_timed: a failure is kept in st so that the error line can name
 * the coordinate file at fault (interp_build_error). */
typedef struct interp_build_state {
    interp_opts o;
    int axis;
    sf_shape data;
    sf_array *xp, *xn;
    sf_mat *W;
    sf_status st;
} interp_build_state;
sf_status interp_build_step(sf_ctx *ctx, void *state); /* state: interp_build_state */
void interp_drop_weights(void *state);                 /* the undo between runs */
void interp_build_free(interp_build_state *s);

/* The library's error after a failed build, charged to the target file when
 * it is about the targets, to the source file when about its coordinates, to
 * data_path (the file giving the data's shape; NULL: an option did) when
 * about the data's shape, and to no file otherwise (a memory limit). */
int interp_build_error(cli *c, const char *xp_path, const char *xnew_path, const char *data_path);

#endif
