import Foundation
import Testing

extension Tag {
    /// Runs the built `ntk-dynamics` executable as a child process (ToolProcess), or takes seconds to minutes.
    @Tag static var endToEnd: Self
}

extension Trait where Self == ConditionTrait {
    /// Skips an end-to-end test when `NTK_UNIT_ONLY` is set: `make test-unit` runs the unit tests alone, in seconds;
    /// `make test` (and CI) runs them all. Every test tagged `.endToEnd` carries this trait too.
    static var endToEndEnabled: Self {
        .enabled(if: ProcessInfo.processInfo.environment["NTK_UNIT_ONLY"] == nil,
                 "an end-to-end test, skipped because NTK_UNIT_ONLY is set")
    }
}
