import NTKDynamics
import NTKDynamicsCLI

// The OpenBLAS kernel family first, before any BLAS call: this may execute the program again with
// OPENBLAS_CORETYPE set (Docs/CLI.md, "OpenBLAS threads and kernels"). The commands report it.
BLASCoreStartup.start()
// Freed arrays stay in the heap for the next GD step instead of being unmapped and faulted in again.
HeapTuning.retainFreedMemory()
NTKDynamicsCommand.runAsTool()
