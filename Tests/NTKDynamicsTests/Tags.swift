import Foundation
import NTKTestSupport
import Testing

extension Tag {
    /// Runs the built `ntk-dynamics` executable as a child process (ToolProcess).
    @Tag static var endToEnd: Self
    /// A library test that takes seconds (wide networks, fine quadrature, many random command lines).
    @Tag static var slow: Self
}

extension Trait where Self == ConditionTrait {
    /// Skips an end-to-end or slow test when `NTK_UNIT_ONLY` is set: `make test-unit` runs the unit tests alone, in
    /// seconds; `make test` (and CI) runs them all. Every test tagged `.endToEnd` or `.slow` carries this trait too.
    static var endToEndEnabled: Self {
        .enabled(if: ProcessInfo.processInfo.environment["NTK_UNIT_ONLY"] == nil,
                 "an end-to-end or slow test, skipped because NTK_UNIT_ONLY is set")
    }
}
