import NTKTestSupport
import Testing

/// Test names of the shared helpers' cases (NTKTestSupport builds without Testing).
extension TinyNet: CustomTestStringConvertible {}
