// The layer below, visible in every file of NTKModel (Docs/Architecture.md#targets).
@_exported import NTKNumerics
