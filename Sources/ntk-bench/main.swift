import NTKDynamics

// As ntk-dynamics does: the OpenBLAS kernel family first (this may execute the program again with
// OPENBLAS_CORETYPE set; Docs/CLI.md, "OpenBLAS threads and kernels"), then the heap settings.
BLASCoreStartup.start()
HeapTuning.retainFreedMemory()
Benchmark.main()
