/* sparsefirst/deriv.h — Jacobians built directly in sparse storage, sparse
 * finite-difference Jacobians, and element assembly.
 *
 * Layout convention.  For f: R^s -> R^t with N-d shapes s and t (row-major,
 * as in NumPy), the Jacobian is the (prod t) x (prod s) matrix
 *     J[i, j] = d f_flat[i] / d x_flat[j],
 * flat indices taken in C order.  It equals the dense (t..., s...) array
 * reshaped to (prod t, prod s) in C order; a 0-d shape counts one element.
 * No function here ever allocates a dense (n, n) or (m, n, m, n) array: every
 * builder writes its exact nonzeros straight into a diagonal, selection or
 * CSR handle.
 */
#ifndef SPARSEFIRST_DERIV_H
#define SPARSEFIRST_DERIV_H

#include "core.h"
#include "mat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --------------------------------------------------------- elementwise */

/* The catalogue of elementwise functions.  Values and derivatives follow
 * IEEE: outside the domain (log or sqrt of x < 0, power of x < 0 with a
 * non-integer p) both are NaN, at the edge they are infinite (log'(0) and
 * sqrt'(0) = +Inf); no error is raised.  Subgradient choices at the kink:
 * abs'(0) = 0 and relu'(0) = 0.  power uses the parameter p: p * x^(p-1),
 * with power'(x) = 0 for p = 0. */
typedef enum sf_elem_fn {
    SF_FN_SQUARE = 0, SF_FN_POWER, SF_FN_EXP, SF_FN_LOG, SF_FN_SQRT, SF_FN_SIN, SF_FN_COS,
    SF_FN_TANH, SF_FN_SIGMOID, SF_FN_SOFTPLUS, SF_FN_ABS, SF_FN_RELU, SF_FN_COUNT
} sf_elem_fn;

/* Name of a catalogue function ("square", "power", ...); "unknown" otherwise. */
const char *sf_elem_fn_name(sf_elem_fn fn);

/* Look a function up by name; SF_ERR_ARG naming the unknown name otherwise. */
sf_status sf_elem_fn_from_name(sf_ctx *ctx, const char *name, sf_elem_fn *out);

/* fx[i] = f(x[i]) (fx may be NULL) and dfx[i] = f'(x[i]) for n elements in one
 * pass; p is the parameter of power (ignored by the others). */
sf_status sf_elem_eval(sf_ctx *ctx, sf_elem_fn fn, double p, int64_t n, const double *x,
                       double *fx, double *dfx);

/* The Jacobian of y = f(x) for x of any shape (0-d to 8-d): a diagonal
 * handle with one stored entry per element (a scalar gives 1 x 1).  fx, if
 * not NULL, receives f(x) (same number of elements as x). */
sf_status sf_jac_elementwise(sf_ctx *ctx, sf_elem_fn fn, double p, const sf_shape *shape,
                             const double *x, double *fx, sf_mat **J);

/* Refresh a diagonal Jacobian for a new x in place: no allocation, the
 * handle's storage stays where it is.  SF_ERR_ARG if J is not diagonal. */
sf_status sf_jac_elementwise_refresh(sf_ctx *ctx, sf_elem_fn fn, double p, const double *x,
                                     double *fx, sf_mat *J);

/* A user elementwise function: *fx = f(x), *dfx = f'(x); nonzero = failure. */
typedef int (*sf_scalar_fn)(double x, double *fx, double *dfx, void *user);

/* As sf_jac_elementwise for a user function, called once per element.  A
 * nonzero return is SF_ERR_ARG naming the element and the returned code (fx
 * and J untouched; with fx the values wait in n doubles of scratch). */
sf_status sf_jac_elementwise_fn(sf_ctx *ctx, sf_scalar_fn f, void *user, const sf_shape *shape,
                                const double *x, double *fx, sf_mat **J);

/* ------------------------------------------------ binary with broadcasting */

typedef enum sf_binop { SF_BIN_ADD = 0, SF_BIN_SUB, SF_BIN_MUL, SF_BIN_DIV, SF_BIN_COUNT } sf_binop;

/* The NumPy broadcast of two shapes; SF_ERR_SHAPE naming both, e.g.
 * "shapes (2, 3) and (4,) do not broadcast (axis 1: 3 vs 4)". */
sf_status sf_broadcast_shapes(sf_ctx *ctx, const sf_shape *a, const sf_shape *b, sf_shape *out);

/* y = a op b with broadcasting; Ja = dy/da, Jb = dy/db (either may be NULL,
 * y may be NULL).  An operand with as many elements as y gives a diagonal
 * handle; a broadcast operand gives a selection handle (each output element
 * depends on exactly one element of it: one stored entry per output row,
 * weighted unless the weights are all one). */
sf_status sf_jac_binary(sf_ctx *ctx, sf_binop op, const sf_shape *sa, const double *a,
                        const sf_shape *sb, const double *b, double *y, sf_mat **Ja,
                        sf_mat **Jb);

/* ---------------------------------------------------------- structural */

/* y = sum (or mean if `mean`) of x over the listed axes (negative counts
 * from the end, as in NumPy; each at most once).  *out_shape (may be NULL)
 * gets the shape of y, the summed axes removed.  J is CSR with exactly one
 * stored entry per input element; SF_ERR_ARG names an axis out of range. */
sf_status sf_jac_sum(sf_ctx *ctx, const sf_shape *in, int naxes, const int *axes, int mean,
                     sf_shape *out_shape, sf_mat **J);

/* y = x.transpose(perm): out axis k is input axis perm[k].  J is a selection
 * (a permutation: one entry per element). */
sf_status sf_jac_permute(sf_ctx *ctx, const sf_shape *in, const int *perm, sf_shape *out_shape,
                         sf_mat **J);

/* y = x.reshape(out): J is the identity (diagonal); SF_ERR_SHAPE naming both
 * shapes when the sizes differ. */
sf_status sf_jac_reshape(sf_ctx *ctx, const sf_shape *in, const sf_shape *out, sf_mat **J);

/* y = x[start[0]:stop[0]:step[0], ...] over every axis, Python semantics on
 * bounds normalised as slice.indices(dim) gives them: step != 0; for
 * step > 0, start and stop in [0, dim]; for step < 0, in [-1, dim - 1]; an
 * empty range when stop is not past start.  Else SF_ERR_INDEX naming the axis.
 * J is a selection with one entry per output element. */
sf_status sf_jac_slice(sf_ctx *ctx, const sf_shape *in, const int64_t *start, const int64_t *stop,
                       const int64_t *step, sf_shape *out_shape, sf_mat **J);

/* y = np.take(x, idx, axis) with every index in [0, dim) (negative indices
 * are SF_ERR_INDEX, not counted from the end): J is a selection (an index
 * may repeat). */
sf_status sf_jac_take(sf_ctx *ctx, const sf_shape *in, int axis, int64_t nidx, const int64_t *idx,
                      sf_shape *out_shape, sf_mat **J);

/* --------------------------------------------------------- linear maps */

/* Y = A X for X of shape (n, p), n = cols(A): J = A (x) I_p (Kronecker), CSR
 * with nnz(A) * p entries built directly. */
sf_status sf_jac_left_multiply(sf_ctx *ctx, const sf_mat *A, int64_t p, sf_mat **J);

/* Y = X B for X of shape (n, p), p = rows(B): J = I_n (x) B^T, CSR with
 * n * nnz(B) entries built directly. */
sf_status sf_jac_right_multiply(sf_ctx *ctx, const sf_mat *B, int64_t n, sf_mat **J);

/* Chain rule J = Jg * Jf (the Jacobian of g(f(x))) through sf_mat_multiply:
 * diagonal factors keep the other's pattern.  SF_ERR_SHAPE names both shapes. */
sf_status sf_jac_chain(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf, sf_mat **J);

/* J = Jg * Jf recomputed in place, J from sf_jac_chain on factors of the same kinds, shapes and
 * patterns; bits as a fresh product.  No allocation with a diagonal factor and a CSR,
 * diagonal or selection partner (an interpolation partner is copied to CSR on each call);
 * CSR * CSR charges a per-thread workspace to ctx.  A term outside J's pattern:
 * SF_ERR_STRUCTURE, J unchanged. */
sf_status sf_jac_chain_update(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf, sf_mat *J);

/* ------------------------------------------- pattern once, values many */

/* A Jacobian with a fixed CSR pattern whose values are rewritten in place
 * (by finite differences, element assembly or the caller) without allocating.
 * The matrix handle and the value array keep their addresses for life. */
typedef struct sf_jac_pattern sf_jac_pattern;

/* A pattern handle over the pattern of `pattern` (any kind; its values are
 * the initial values), ready for sf_jac_pattern_fd: it stores a colouring of
 * structurally orthogonal columns (greedy, the better of largest-first and
 * smallest-last order, then iterated greedy) and the FD workspace, so
 * refreshing allocates nothing. */
sf_status sf_jac_pattern_create(sf_ctx *ctx, const sf_mat *pattern, sf_jac_pattern **out);
void sf_jac_pattern_free(sf_jac_pattern *jp);

/* The CSR handle holding pattern and current values (owned by jp; valid
 * until sf_jac_pattern_free), and its value array in CSR order.  Asking for
 * the writable array drops the handle's cached transposes and analyses
 * (sf_mat_values_changed); ask again after each later write of your own. */
const sf_mat *sf_jac_pattern_matrix(const sf_jac_pattern *jp);
double *sf_jac_pattern_values(sf_jac_pattern *jp);

/* Number of colour groups (0 for a pattern made by sf_assembly_pattern). */
int64_t sf_jac_pattern_colors(const sf_jac_pattern *jp);

/* Export the current values: CSC (colptr[cols+1], rowind[nnz], val[nnz]),
 * triplets (row[nnz], col[nnz], val[nnz], row-major order) or CSR
 * (sf_mat_export_csr on the matrix).  Any of the index/value arrays may be
 * NULL except colptr. */
sf_status sf_jac_pattern_export_csc(sf_ctx *ctx, const sf_jac_pattern *jp, int64_t *colptr,
                                    int32_t *rowind, double *val);
sf_status sf_jac_pattern_export_triplets(sf_ctx *ctx, const sf_jac_pattern *jp, int64_t *row,
                                         int64_t *col, double *val);

/* ------------------------------------------ sparse finite differences */

/* f: R^n -> R^m, fx[0..m) = f(x[0..n)); nonzero return = failure. */
typedef int (*sf_vec_fn)(const double *x, double *fx, void *user);

/* Step rule, h_j = c * max(|x_j|, 1) rounded so that x_j + h_j - x_j = h_j
 * exactly: forward c = sqrt(eps) (error O(h)), central c = cbrt(eps)
 * (error O(h^2)).  Forward uses 1 + colors evaluations, central 2 * colors. */
typedef enum sf_fd_method { SF_FD_FORWARD = 0, SF_FD_CENTRAL = 1 } sf_fd_method;

typedef struct sf_fd_stats {
    int64_t colors;      /* column groups */
    int64_t evaluations; /* calls of f */
} sf_fd_stats;

/* Refresh the values of jp with the finite-difference Jacobian of f at x
 * (n = cols, m = rows of the pattern); allocates nothing.  A NaN/Inf from f is
 * SF_ERR_NONFINITE naming the colour group and output row; a nonzero return
 * of f is SF_ERR_ARG naming the group and the code.  On failure the values
 * are unchanged.  stats may be NULL. */
sf_status sf_jac_pattern_fd(sf_ctx *ctx, sf_jac_pattern *jp, sf_vec_fn f, void *user,
                            const double *x, sf_fd_method method, sf_fd_stats *stats);

/* One shot: a new CSR handle J with the pattern of `pattern` holding the
 * finite-difference Jacobian of f at x. */
sf_status sf_jac_fd(sf_ctx *ctx, const sf_mat *pattern, sf_vec_fn f, void *user, const double *x,
                    sf_fd_method method, sf_mat **J, sf_fd_stats *stats);

/* ---------------------------------------------------- element assembly */

/* Symbolic assembly: nelem elements of k nodes each (conn is nelem x k,
 * row-major, node numbers in [0, nodes)) give the nodes x nodes CSR pattern
 * of K = sum_e P_e^T K_e P_e with a map from every element entry (e, a, b) to
 * its CSR slot.  An out-of-range node is SF_ERR_INDEX naming the element and
 * position, before anything is allocated.  The _i32 variant reads int32.
 * Speed depends on numbering: with elements in sequence sharing nearby
 * nodes (a structured or RCM-renumbered mesh) this runs 3-5x and
 * sf_assemble 6-10x faster than with randomly numbered nodes (10^6 quads). */
sf_status sf_assembly_pattern(sf_ctx *ctx, int64_t nodes, int64_t nelem, int k,
                              const int64_t *conn, sf_jac_pattern **out);
sf_status sf_assembly_pattern_i32(sf_ctx *ctx, int64_t nodes, int64_t nelem, int k,
                                  const int32_t *conn, sf_jac_pattern **out);

/* Export the slot map: map[(e*k + a)*k + b] (nelem * k * k entries) becomes
 * the CSR position of K[conn[e,a], conn[e,b]].  Converted on demand: the
 * handle keeps it compact (row-relative, 1 byte per entry when no row can
 * pass 256 columns, else 2 up to 65536, else 4; with an int32 copy of the
 * connectivity). */
sf_status sf_assembly_map_export(sf_ctx *ctx, const sf_jac_pattern *jp, int64_t *map);

/* Numeric assembly: the values of jp become sum of the element matrices ke
 * (nelem x k x k, row-major), duplicates summed in element order.  Rows run
 * in parallel (context threads); the result is bitwise the same for any
 * thread count.  Allocates nothing. */
sf_status sf_assemble(sf_ctx *ctx, sf_jac_pattern *jp, const double *ke);

/* alpha(s) and alpha'(s) for the scaled residual below; nonzero = failure. */
typedef int (*sf_alpha_fn)(double s, double *alpha, double *dalpha, void *user);

/* The residual r(x) = K(x) x with K(x) = sum_e alpha(|x_e|_2) P_e^T m_e P_e
 * (me: nelem x k x k, k <= 64) and its Jacobian
 *     dr/dx = K(x) + sum_e (m_e x_e) (alpha'(|x_e|) x_e / |x_e|)^T,
 * both in the pattern of jp (made by sf_assembly_pattern): r (rows entries),
 * kval (nnz entries, the values of K(x)) and jval (nnz, the values of dr/dx;
 * pass sf_jac_pattern_values(jp) to refresh the handle) may each be NULL.
 * alpha must depend on s alone: it is called for every element before
 * anything is written (a failure leaves the outputs untouched), then again
 * while writing; a second call that fails is reported, the outputs then
 * incomplete.  Allocates nothing. */
sf_status sf_assemble_scaled_residual(sf_ctx *ctx, const sf_jac_pattern *jp, const double *me,
                                      sf_alpha_fn alpha, void *user, const double *x, double *r,
                                      double *kval, double *jval);

#ifdef __cplusplus
}
#endif
#endif /* SPARSEFIRST_DERIV_H */
