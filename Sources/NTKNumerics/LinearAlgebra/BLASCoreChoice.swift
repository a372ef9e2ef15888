/// Why the OpenBLAS kernel family in use was chosen (config.json `blas_core_reason`; Docs/LogFormat.md).
public enum BLASCoreReason: String, Codable, Sendable, CaseIterable {
    /// OpenBLAS's own choice, which is not a generic fallback for this processor (or no better family is known).
    case library
    /// `OPENBLAS_CORETYPE` was set by the user (to anything): never overridden.
    case environment
    /// The tool replaced a generic fallback of the library by the best family the processor supports.
    case automatic
    /// `NTK_DYNAMICS_BLAS_CORE` asked for the library's own choice.
    case optOut = "opt-out"
    /// The tool's family failed the start-up self-check; the library's own choice runs instead.
    case selfCheckFailed = "self-check-failed"
}

/// OpenBLAS's x86-64 kernel families (the names `openblas_get_corename()` reports and `OPENBLAS_CORETYPE`
/// accepts, case-insensitively) ranked by the widest vector instructions their kernels use.
public enum OpenBLASFamily {
    /// The instruction level of a family's kernels: 0 SSE2/SSE3, 1 AVX (and AMD's FMA4/FMA3-era families),
    /// 2 AVX2 + FMA, 3 AVX-512. nil for a name this table does not know (then the tool never replaces it).
    public static func level(_ name: String) -> Int? {
        switch name.lowercased() {
        case "unknown", "katmai", "coppermine", "northwood", "prescott", "banias", "atom", "core2", "penryn",
             "dunnington", "nehalem", "athlon", "opteron", "opteron_sse3", "barcelona", "nano", "bobcat":
            0
        case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator":
            1
        case "haswell", "zen", "dhyana":
            2
        case "skylakex", "cooperlake", "sapphirerapids":
            3
        default:
            nil
        }
    }

    /// The family the tool would run on this processor, or nil where it keeps whatever the library chose.
    ///
    /// - Intel: AVX-512 F/BW/DQ/VL with the ZMM state saved → Cooperlake when AVX-512 BF16 is there too
    ///   (its float64 and float32 kernels are SkylakeX's; it adds bfloat16 kernels, and it is what OpenBLAS
    ///   itself picks for such processors from 0.3.21 on: Cooper Lake, and Sapphire/Emerald Rapids where
    ///   there is no SapphireRapids build), else SkylakeX; AVX2 + FMA → Haswell; AVX → Sandybridge.
    /// - AMD and Hygon: AVX2 + FMA → Zen (OpenBLAS's Haswell kernels with Zen's blocking), never an
    ///   AVX-512 family, even on a Zen 4 or Zen 5 that has AVX-512. OpenBLAS's AVX-512 kernels computed
    ///   wrong results in several releases (0.3.4–0.3.7, and builds of 0.3.13–0.3.15) and have crashed on
    ///   AMD Zen 5 (OpenMathLib/OpenBLAS issues 2029, 2168, 5243); environments of this project's AMD
    ///   machines set `OPENBLAS_CORETYPE=Haswell` for that reason. When the library picks an AVX-512 family
    ///   on AMD by itself (0.3.21 picks Cooperlake on Zen 4), that choice is the library's and is kept.
    /// - Anything else (other vendors, no AVX): nil.
    public static func best(for cpu: CPUFeatures) -> String? {
        switch cpu.vendor {
        case .intel:
            if cpu.hasAVX512 { return cpu.hasAVX512BF16 ? "Cooperlake" : "SkylakeX" }
            if cpu.hasAVX2FMA { return "Haswell" }
            if cpu.hasAVX { return "Sandybridge" }
            return nil
        case .amd, .hygon:
            return cpu.hasAVX2FMA ? "Zen" : nil
        case .other:
            return nil
        }
    }
}

/// The OpenBLAS kernel family to run with, decided at start from the library's own choice, the processor
/// and the environment (Docs/CLI.md, "OpenBLAS threads and kernels"). A pure function: the executables
/// act on it (``BLASCoreStartup``).
public struct BLASCoreChoice: Sendable, Equatable {
    /// The family to run with.
    public var core: String
    public var reason: BLASCoreReason
    /// Whether `OPENBLAS_CORETYPE` = ``core`` must be set and the program executed again (OpenBLAS reads the
    /// variable once, when it is loaded).
    public var reexecute: Bool

    /// OpenBLAS's own variable: set to anything, it is never overridden.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"
    /// `library` (or any value but `auto`): keep OpenBLAS's own choice. Unset, empty or `auto`: the tool decides.
    public static let preferenceVariable = "NTK_DYNAMICS_BLAS_CORE"
    /// Tests only: `1` makes the tool treat the library's choice as a generic fallback, so that the
    /// re-execution can be tested on a machine whose library does not fall back.
    public static let treatAsFallbackVariable = "NTK_DYNAMICS_TEST_TREAT_AS_FALLBACK"

    /// Whether ``preferenceVariable`` asks for the library's own choice.
    static func optsOut(_ environment: [String: String]) -> Bool {
        guard let preference = environment[preferenceVariable] else { return false }
        return !preference.isEmpty && preference.lowercased() != "auto"
    }

    /// - Parameters:
    ///   - libraryCore: the family OpenBLAS runs with (`openblas_get_corename()`), its own choice unless
    ///     `OPENBLAS_CORETYPE` is set.
    ///   - cpu: the processor.
    ///   - environment: the process environment.
    public static func decide(libraryCore: String, cpu: CPUFeatures, environment: [String: String]) -> BLASCoreChoice {
        let keep = { (reason: BLASCoreReason) in BLASCoreChoice(core: libraryCore, reason: reason, reexecute: false) }
        if environment[coreTypeVariable] != nil { return keep(.environment) }
        if optsOut(environment) { return keep(.optOut) }
        guard let best = OpenBLASFamily.best(for: cpu), let bestLevel = OpenBLASFamily.level(best) else { return keep(.library) }
        let forced = environment[treatAsFallbackVariable] == "1"
        guard let libraryLevel = OpenBLASFamily.level(libraryCore) else {
            return forced ? BLASCoreChoice(core: best, reason: .automatic, reexecute: true) : keep(.library)
        }
        guard libraryLevel < bestLevel || forced else { return keep(.library) }
        return BLASCoreChoice(core: best, reason: .automatic, reexecute: true)
    }
}

/// What the re-executed process is told by its parent (the variable ``variable``): why the family changed,
/// what the library had chosen on its own, and which family was asked for. It also keeps the program from
/// executing itself again.
public struct BLASCoreMarker: Sendable, Equatable {
    public static let variable = "NTK_DYNAMICS_BLAS_CORE_CHANGED"

    /// `.automatic` (the child runs the tool's family) or `.selfCheckFailed` (back to the library's).
    public var reason: BLASCoreReason
    public var libraryCore: String
    /// The family the tool chose.
    public var chosenCore: String
    /// What failed the self-check (with `.selfCheckFailed`), e.g. `dgemm`.
    public var failure: String?

    public init(reason: BLASCoreReason, libraryCore: String, chosenCore: String, failure: String? = nil) {
        self.reason = reason
        self.libraryCore = libraryCore
        self.chosenCore = chosenCore
        self.failure = failure
    }

    /// `reason:library:chosen[:failure]`.
    public var encoded: String {
        ([reason.rawValue, libraryCore, chosenCore] + (failure.map { [$0] } ?? [])).joined(separator: ":")
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, let reason = BLASCoreReason(rawValue: parts[0]),
              reason == .automatic || reason == .selfCheckFailed, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        self.init(reason: reason, libraryCore: parts[1], chosenCore: parts[2], failure: parts.count > 3 ? parts[3] : nil)
    }
}

/// The OpenBLAS family a process runs with and why (config.json `blas_core`, `blas_core_library`,
/// `blas_core_reason`).
public struct BLASCoreStatus: Sendable, Equatable {
    /// The family in use (`openblas_get_corename()`).
    public var core: String
    /// What OpenBLAS chose on its own; nil when `OPENBLAS_CORETYPE` was set by the user (it then made no choice).
    public var libraryCore: String?
    public var reason: BLASCoreReason
    /// With `.selfCheckFailed`: the family that failed and what failed.
    public var rejectedCore: String?
    public var failure: String?
    /// errno of an execution of the program that failed (the family could not be changed, or not changed
    /// back after a failed self-check: then ``failure`` is set and ``reason`` is still `.automatic`).
    public var reexecuteError: Int32?

    /// The status of a process from the family in use and its environment, without deciding anything: a
    /// marker is believed only when the environment matches it (`OPENBLAS_CORETYPE` = the chosen family after
    /// an automatic change, unset after a failed self-check).
    public static func observe(core: String, environment: [String: String]) -> BLASCoreStatus {
        let coreType = environment[BLASCoreChoice.coreTypeVariable]
        if let marker = environment[BLASCoreMarker.variable].flatMap(BLASCoreMarker.init) {
            switch marker.reason {
            case .automatic where coreType == marker.chosenCore:
                return BLASCoreStatus(core: core, libraryCore: marker.libraryCore, reason: .automatic)
            case .selfCheckFailed where coreType == nil:
                return BLASCoreStatus(core: core, libraryCore: marker.libraryCore, reason: .selfCheckFailed,
                                      rejectedCore: marker.chosenCore, failure: marker.failure)
            default: break
            }
        }
        if coreType != nil { return BLASCoreStatus(core: core, libraryCore: nil, reason: .environment) }
        if BLASCoreChoice.optsOut(environment) { return BLASCoreStatus(core: core, libraryCore: core, reason: .optOut) }
        return BLASCoreStatus(core: core, libraryCore: core, reason: .library)
    }
}
