// The layer below, visible in every file of NTKData (Docs/Architecture.md#targets).
@_exported import NTKModel
