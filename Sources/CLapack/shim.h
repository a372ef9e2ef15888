#ifndef NTK_DYNAMICS_CLAPACK_SHIM_H
#define NTK_DYNAMICS_CLAPACK_SHIM_H
// CBLAS comes from OpenBLAS (its include folder is found through pkg-config "openblas");
// LAPACKE from Debian's liblapacke-dev, which calls the LAPACK that OpenBLAS provides.
#include <cblas.h>
#include <lapacke.h>
#endif
