@testable import NTKDynamicsCLI
import Testing

/// A command line the parser must refuse before anything runs: a usage error (exit 64) whose message contains each of
/// `mentions`. The refusal tables of several suites (CSV options, architectures, RunSpecification's rules) share it.
struct UsageRefusal: CustomTestStringConvertible, Sendable {
    let arguments: [String]
    let mentions: [String]
    var testDescription: String { arguments.joined(separator: " ") }

    /// Parses `arguments` as the tool does and expects the refusal: an error, the usage exit status, every mention.
    func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let error = try #require(throws: (any Error).self, sourceLocation: sourceLocation) {
            _ = try NTKDynamicsCommand.parseAsRoot(arguments)
        }
        #expect(NTKDynamicsCommand.exitCode(for: error).rawValue == NTKExitStatus.usage, sourceLocation: sourceLocation)
        let message = NTKDynamicsCommand.message(for: error)
        for m in mentions { #expect(message.contains(m), "\(m) in \(message)", sourceLocation: sourceLocation) }
    }
}
