/* sparsefirst.h — the one header users include.
 *
 * sparsefirst is a sparse-first linear algebra library: every large linear
 * operator (Jacobians, triangular factors, selections, interpolation weights)
 * is a handle of sparse storage, never a dense (n, n) array.
 *
 *   core.h   status codes, the context (threads, memory limit, accounting,
 *            last message), dense views, N-d shapes
 *   mat.h    the sf_mat handle: kinds, constructors, queries, conversion
 *   io.h     Matrix Market and .npy files
 *   ops.h    sparse x dense products, SpGEMM, weighted Gram products
 *   solve.h  triangular solves with a reusable analysis, Cholesky through CHOLMOD
 *   deriv.h  Jacobians built sparse, sparse FD Jacobians, element assembly
 *   interp.h interpolation along one axis as a sparse weight matrix (.sfw files)
 */
#ifndef SPARSEFIRST_H
#define SPARSEFIRST_H

#include "sparsefirst/core.h"
#include "sparsefirst/mat.h"
#include "sparsefirst/io.h"
#include "sparsefirst/ops.h"
#include "sparsefirst/solve.h"
#include "sparsefirst/interp.h"
#include "sparsefirst/deriv.h"

#endif
