/* The chain rule J_{g o f} = J_g J_f through the products layer, which keeps
 * a diagonal factor's partner pattern and only scales it. */
#include "sparsefirst/ops.h"
#include "deriv_internal.h"

sf_status sf_jac_chain(sf_ctx *ctx, const sf_mat *Jg, const sf_mat *Jf, sf_mat **J) {
    if (!ctx) return SF_ERR_ARG;
    if (!Jg || !Jf || !J) return sf_error(ctx, SF_ERR_ARG, "sf_jac_chain: NULL argument");
    if (Jg->cols != Jf->rows)
        return sf_error(ctx, SF_ERR_SHAPE,
                        "sf_jac_chain: J_g is %lld x %lld and J_f is %lld x %lld: the columns of "
                        "J_g must equal the rows of J_f",
                        (long long)Jg->rows, (long long)Jg->cols, (long long)Jf->rows,
                        (long long)Jf->cols);
    return sf_mat_multiply(ctx, Jg, Jf, J);
}
