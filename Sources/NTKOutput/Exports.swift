// The layer below, visible in every file of NTKOutput (Docs/Architecture.md#targets).
@_exported import NTKRunFormat
