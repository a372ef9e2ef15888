// The layer below, visible in every file of NTKReport (Docs/Architecture.md#targets).
@_exported import NTKSweep
