import ArgumentParser
import NTKDynamics

/// `ntk-dynamics`: GD on a real MLP beside its NTK prediction. With no subcommand it runs `run`.
public struct NTKDynamicsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ntk-dynamics",
        abstract: "Train an MLP by full-batch gradient descent and compare it with its Neural Tangent Kernel prediction.",
        discussion: """
            Conventions (Docs/Conventions.md): NTK parameterization by default, loss L = 1/(2Nk)·Σ‖f−y‖², \
            K̃ = K/(Nk), η_crit = 2/λ_max(K̃₀). See Docs/ for the math, the options and the log columns.
            """,
        version: NTKDynamicsVersion.current,
        subcommands: [RunCommand.self, KernelCommand.self, ReportCommand.self, SweepCommand.self, MergeCommand.self],
        defaultSubcommand: RunCommand.self
    )

    public init() {}
}

extension Activation: ExpressibleByArgument {}
extension Parameterization: ExpressibleByArgument {}
extension LossNormalization: ExpressibleByArgument {}
extension SyntheticDataset: ExpressibleByArgument {}
