// The layer below, visible in every file of NTKRunFormat (Docs/Architecture.md#targets).
@_exported import NTKTraining
