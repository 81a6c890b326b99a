/* The P4 model residual r(x) = K(x) x, K(x) = sum_e alpha(|x_e|) P_e^T m_e P_e,
 * and its Jacobian assembled element by element into the pattern of K:
 *     dr_e/dx_e = alpha m_e + (m_e x_e) (alpha'(s) x_e / s)^T,  s = |x_e|_2
 * (the second term vanishes at s = 0). */
#include <math.h>
#include <string.h>

#include "deriv_internal.h"

#define MAX_K 64 /* element size handled with stack workspace */

typedef struct element {
    int64_t node[MAX_K];
    double x[MAX_K], y[MAX_K]; /* x_e and m_e x_e */
    double s, alpha, dalpha;
} element;

static void gather(const sf_jac_pattern *jp, const double *me, const double *x, int64_t e,
                   element *el) {
    int k = jp->k;
    double ss = 0;
    for (int a = 0; a < k; a++) {
        el->node[a] = jp->conn[e * k + a];
        el->x[a] = x[el->node[a]];
        ss += el->x[a] * el->x[a];
    }
    el->s = sqrt(ss);
    for (int a = 0; a < k; a++) {
        double acc = 0;
        for (int b = 0; b < k; b++) acc += me[(e * k + a) * k + b] * el->x[b];
        el->y[a] = acc;
    }
}

static sf_status call_alpha(sf_ctx *ctx, sf_alpha_fn alpha, void *user, int64_t e, element *el) {
    int rc = alpha(el->s, &el->alpha, &el->dalpha, user);
    if (rc)
        return sf_error(ctx, SF_ERR_ARG, "sf_assemble_scaled_residual: element %lld: alpha returned %d",
                        (long long)e, rc);
    if (!isfinite(el->alpha) || !isfinite(el->dalpha))
        return sf_error(ctx, SF_ERR_NONFINITE,
                        "sf_assemble_scaled_residual: element %lld: alpha(%g) = %g, alpha' = %g",
                        (long long)e, el->s, el->alpha, el->dalpha);
    return SF_OK;
}

static void scatter(const sf_jac_pattern *jp, const double *me, int64_t e, const element *el,
                    double *r, double *kval, double *jval) {
    int k = jp->k;
    double g = el->s > 0 ? el->dalpha / el->s : 0.0;
    for (int a = 0; a < k; a++) {
        if (r) r[el->node[a]] += el->alpha * el->y[a];
        for (int b = 0; b < k; b++) {
            double kab = el->alpha * me[(e * k + a) * k + b];
            int64_t slot = deriv_assembly_slot(jp, e * k + a, b);
            if (kval) kval[slot] += kab;
            if (jval) jval[slot] += kab + el->y[a] * g * el->x[b];
        }
    }
}

sf_status sf_assemble_scaled_residual(sf_ctx *ctx, const sf_jac_pattern *jp, const double *me,
                                      sf_alpha_fn alpha, void *user, const double *x, double *r,
                                      double *kval, double *jval) {
    if (!ctx) return SF_ERR_ARG;
    const char *fn = "sf_assemble_scaled_residual";
    if (!alpha || (jp && jp->nelem > 0 && jp->k > 0 && !x)) return sf_error(ctx, SF_ERR_ARG, "%s: NULL argument", fn);
    sf_status st = deriv_check_assembly(ctx, jp, me, fn);
    if (st) return st;
    if (jp->k > MAX_K)
        return sf_error(ctx, SF_ERR_UNSUPPORTED, "%s: elements of %d nodes (at most %d)", fn, jp->k, MAX_K);
    /* alpha is called for every element before anything is written, and
     * again while writing: keeping its values would need 16 B per element
     * of memory on every refill, which must allocate nothing */
    element el;
    for (int64_t e = 0; e < jp->nelem; e++) {
        gather(jp, me, x, e, &el);
        if ((st = call_alpha(ctx, alpha, user, e, &el))) return st;
    }
    int64_t nnz = jp->m->nnz;
    if (jval) memset(jval, 0, (size_t)nnz * sizeof(double));
    if (kval) memset(kval, 0, (size_t)nnz * sizeof(double));
    if (r) memset(r, 0, (size_t)jp->m->rows * sizeof(double));
    for (int64_t e = 0; e < jp->nelem; e++) {
        gather(jp, me, x, e, &el);
        if ((st = call_alpha(ctx, alpha, user, e, &el)))
            return sf_error(ctx, st, "%s: element %lld: alpha failed when called again with the "
                            "same s (it must depend on s alone); the outputs are incomplete",
                            fn, (long long)e);
        scatter(jp, me, e, &el, r, kval, jval);
    }
    return SF_OK;
}
