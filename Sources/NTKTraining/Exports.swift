// The layer below, visible in every file of NTKTraining (Docs/Architecture.md#targets).
@_exported import NTKData
