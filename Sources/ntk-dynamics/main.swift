import NTKDynamics
import NTKDynamicsCLI

// Freed arrays stay in the heap for the next GD step instead of being unmapped and faulted in again.
HeapTuning.retainFreedMemory()
NTKDynamicsCommand.runAsTool()
