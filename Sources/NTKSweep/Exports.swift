// The layer below, visible in every file of NTKSweep (Docs/Architecture.md#targets).
@_exported import NTKOutput
