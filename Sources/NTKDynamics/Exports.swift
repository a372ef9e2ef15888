// The library's product: every layer target re-exported, so `import NTKDynamics` gives the whole library
// (Docs/Architecture.md#targets).
@_exported import NTKData
@_exported import NTKModel
@_exported import NTKNumerics
@_exported import NTKOutput
@_exported import NTKReport
@_exported import NTKRunFormat
@_exported import NTKSweep
@_exported import NTKTraining
