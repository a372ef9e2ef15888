import CNTKCPU
import Foundation

/// What the processor offers for OpenBLAS's kernels: its vendor, its instruction-set flags, and whether the
/// operating system saves the AVX and AVX-512 register state (without that, those instructions cannot be used
/// even where the processor has them). Read from `/proc/cpuinfo` and XGETBV; see Docs/CLI.md (OpenBLAS threads
/// and kernels) for how ``BLASCoreChoice`` uses it.
public struct CPUFeatures: Sendable, Equatable {
    public enum Vendor: String, Sendable {
        case intel = "GenuineIntel"
        case amd = "AuthenticAMD"
        case hygon = "HygonGenuine"
        case other
    }

    public var vendor: Vendor
    /// The `flags` of `/proc/cpuinfo` (Linux's names: `avx2`, `fma`, `avx512f`, `avx512_bf16`, …).
    public var flags: Set<String>
    /// The OS saves the YMM state (XCR0 bits 1 and 2): AVX, AVX2 and FMA are usable.
    public var osSavesAVXState: Bool
    /// The OS saves the opmask and ZMM state as well (XCR0 bits 1, 2, 5, 6, 7): AVX-512 is usable.
    public var osSavesAVX512State: Bool

    public init(vendor: Vendor, flags: Set<String>, osSavesAVXState: Bool, osSavesAVX512State: Bool) {
        self.vendor = vendor
        self.flags = flags
        self.osSavesAVXState = osSavesAVXState
        self.osSavesAVX512State = osSavesAVX512State && osSavesAVXState
    }

    /// AVX, with its state saved by the OS.
    public var hasAVX: Bool { osSavesAVXState && flags.contains("avx") }
    /// AVX2 and FMA (FMA3), with the AVX state saved by the OS: what OpenBLAS's Haswell and Zen kernels need.
    public var hasAVX2FMA: Bool { hasAVX && flags.isSuperset(of: ["avx2", "fma"]) }
    /// AVX-512 F, BW, DQ and VL on top of AVX2/FMA, with the ZMM state saved by the OS: what the SkylakeX kernels need.
    public var hasAVX512: Bool {
        hasAVX2FMA && osSavesAVX512State && flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl"])
    }
    /// AVX-512 BF16 as well (what OpenBLAS's Cooperlake family adds: its bfloat16 kernels).
    public var hasAVX512BF16: Bool { hasAVX512 && flags.contains("avx512_bf16") }

    /// XCR0 bits: SSE (1), AVX YMM (2), and the AVX-512 opmask (5), ZMM_Hi256 (6) and Hi16_ZMM (7) states.
    static let avxStateMask: UInt64 = 0b110
    static let avx512StateMask: UInt64 = 0b1110_0110

    /// Features from the text of `/proc/cpuinfo` (the first processor's `vendor_id` and `flags`) and XCR0
    /// (nil when it cannot be read: then neither AVX nor AVX-512 state counts as saved).
    public static func parse(cpuinfo: String, xcr0: UInt64?) -> CPUFeatures {
        var vendor: Vendor?
        var flags: Set<String>?
        for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).isEmpty, vendor != nil || flags != nil { break }  // end of the first processor
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "vendor_id" where vendor == nil: vendor = Vendor(rawValue: value) ?? .other
            case "flags" where flags == nil: flags = Set(value.split(separator: " ").map(String.init))
            default: break
            }
        }
        let state = xcr0 ?? 0
        return CPUFeatures(vendor: vendor ?? .other, flags: flags ?? [],
                           osSavesAVXState: state & avxStateMask == avxStateMask,
                           osSavesAVX512State: state & avx512StateMask == avx512StateMask)
    }

    /// This processor's features; no flags where `/proc/cpuinfo` cannot be read (then no family is chosen).
    public static func current() -> CPUFeatures {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        var xcr0: UInt64 = 0
        return parse(cpuinfo: text, xcr0: ntk_cpu_xcr0(&xcr0) == 1 ? xcr0 : nil)
    }
}
