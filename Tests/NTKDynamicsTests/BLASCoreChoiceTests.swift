import Foundation
import Testing
@testable import NTKDynamics
@testable import NTKNumerics

/// The choice of OpenBLAS kernel family (Docs/CLI.md, "OpenBLAS threads and kernels"): a pure function of the
/// library's own family, the processor and the environment.
struct BLASCoreChoiceTests {
    static let avx2: Set<String> = ["sse2", "sse3", "ssse3", "sse4_1", "sse4_2", "avx", "avx2", "fma"]
    static let avx512 = avx2.union(["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"])

    static func cpu(_ vendor: CPUFeatures.Vendor, _ flags: Set<String>, avxState: Bool = true, zmmState: Bool = true) -> CPUFeatures {
        CPUFeatures(vendor: vendor, flags: flags, osSavesAVXState: avxState, osSavesAVX512State: zmmState)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var library: String
        var cpu: CPUFeatures
        var environment: [String: String] = [:]
        var core: String
        var reason: BLASCoreReason
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // The machine: an Intel Xeon with AVX-512 and BF16 that 0.3.21 does not know.
        Case(name: "Prescott fallback on an AVX-512 + BF16 Intel CPU", library: "Prescott",
             cpu: cpu(.intel, avx512.union(["avx512_bf16", "avx512_fp16"])), core: "Cooperlake", reason: .automatic),
        Case(name: "Prescott fallback on an AVX-512 Intel CPU without BF16", library: "Prescott",
             cpu: cpu(.intel, avx512), core: "SkylakeX", reason: .automatic),
        Case(name: "Prescott fallback on an AVX2-only Intel CPU", library: "Prescott",
             cpu: cpu(.intel, avx2), core: "Haswell", reason: .automatic),
        Case(name: "Nehalem on an AVX2 Intel CPU", library: "Nehalem", cpu: cpu(.intel, avx2), core: "Haswell", reason: .automatic),
        Case(name: "Sandybridge on an AVX2 Intel CPU", library: "Sandybridge", cpu: cpu(.intel, avx2), core: "Haswell", reason: .automatic),
        Case(name: "Haswell on an AVX-512 Intel CPU", library: "Haswell", cpu: cpu(.intel, avx512), core: "SkylakeX", reason: .automatic),
        Case(name: "Prescott on an AVX-only Intel CPU", library: "Prescott", cpu: cpu(.intel, ["sse2", "sse3", "avx"]),
             core: "Sandybridge", reason: .automatic),
        Case(name: "Haswell on an AVX2 Intel CPU is already the best", library: "Haswell", cpu: cpu(.intel, avx2),
             core: "Haswell", reason: .library),
        Case(name: "SkylakeX on an AVX-512 Intel CPU is kept", library: "SkylakeX", cpu: cpu(.intel, avx512.union(["avx512_bf16"])),
             core: "SkylakeX", reason: .library),
        Case(name: "explicit OPENBLAS_CORETYPE is never overridden", library: "Prescott", cpu: cpu(.intel, avx512),
             environment: ["OPENBLAS_CORETYPE": "Prescott"], core: "Prescott", reason: .environment),
        Case(name: "an invalid OPENBLAS_CORETYPE is never overridden", library: "Prescott", cpu: cpu(.intel, avx512),
             environment: ["OPENBLAS_CORETYPE": "NoSuchCore"], core: "Prescott", reason: .environment),
        Case(name: "an empty OPENBLAS_CORETYPE counts as set", library: "Prescott", cpu: cpu(.intel, avx2),
             environment: ["OPENBLAS_CORETYPE": ""], core: "Prescott", reason: .environment),
        Case(name: "OPENBLAS_CORETYPE wins over the test variable", library: "Haswell", cpu: cpu(.intel, avx512),
             environment: ["OPENBLAS_CORETYPE": "Haswell", "NTK_DYNAMICS_TEST_TREAT_AS_FALLBACK": "1"], core: "Haswell", reason: .environment),
        Case(name: "no AVX: the library's choice stays", library: "Prescott", cpu: cpu(.intel, ["sse2", "sse3", "ssse3"]),
             core: "Prescott", reason: .library),
        Case(name: "AVX flags without the OS saving the AVX state", library: "Prescott",
             cpu: cpu(.intel, avx512, avxState: false, zmmState: false), core: "Prescott", reason: .library),
        Case(name: "AVX-512 flags without the OS saving the ZMM state: no AVX-512 family", library: "Prescott",
             cpu: cpu(.intel, avx512.union(["avx512_bf16"]), zmmState: false), core: "Haswell", reason: .automatic),
        Case(name: "AVX-512 F without BW/DQ/VL is not enough for SkylakeX", library: "Prescott",
             cpu: cpu(.intel, avx2.union(["avx512f", "avx512cd"])), core: "Haswell", reason: .automatic),
        Case(name: "opt-out keeps the library's fallback", library: "Prescott", cpu: cpu(.intel, avx512),
             environment: ["NTK_DYNAMICS_BLAS_CORE": "library"], core: "Prescott", reason: .optOut),
        Case(name: "NTK_DYNAMICS_BLAS_CORE=auto is the default", library: "Prescott", cpu: cpu(.intel, avx512),
             environment: ["NTK_DYNAMICS_BLAS_CORE": "auto"], core: "SkylakeX", reason: .automatic),
        Case(name: "this machine: Cooperlake on AMD Zen 4 is kept", library: "Cooperlake",
             cpu: cpu(.amd, avx512.union(["avx512_bf16"])), core: "Cooperlake", reason: .library),
        Case(name: "AMD with AVX-512: the tool's choice is Zen, never an AVX-512 family", library: "Prescott",
             cpu: cpu(.amd, avx512.union(["avx512_bf16"])), core: "Zen", reason: .automatic),
        Case(name: "Haswell on AMD Zen is not a fallback", library: "Haswell", cpu: cpu(.amd, avx2), core: "Haswell", reason: .library),
        Case(name: "Hygon with AVX2", library: "Sandybridge", cpu: cpu(.hygon, avx2), core: "Zen", reason: .automatic),
        Case(name: "an unknown vendor keeps the library's choice", library: "Prescott", cpu: cpu(.other, avx512),
             core: "Prescott", reason: .library),
        Case(name: "a family name the table does not know is kept", library: "FutureLake", cpu: cpu(.intel, avx512),
             core: "FutureLake", reason: .library),
        Case(name: "the test variable treats an optimal choice as a fallback", library: "Cooperlake",
             cpu: cpu(.amd, avx512.union(["avx512_bf16"])), environment: ["NTK_DYNAMICS_TEST_TREAT_AS_FALLBACK": "1"],
             core: "Zen", reason: .automatic),
    ]

    @Test(arguments: cases)
    func decision(_ c: Case) {
        let choice = BLASCoreChoice.decide(libraryCore: c.library, cpu: c.cpu, environment: c.environment)
        #expect(choice.core == c.core)
        #expect(choice.reason == c.reason)
        #expect(choice.reexecute == (c.reason == .automatic))
    }

    @Test func familiesAreRankedByTheirInstructions() {
        #expect(OpenBLASFamily.level("Prescott")! < OpenBLASFamily.level("Sandybridge")!)
        #expect(OpenBLASFamily.level("Sandybridge")! < OpenBLASFamily.level("Haswell")!)
        #expect(OpenBLASFamily.level("Zen") == OpenBLASFamily.level("Haswell"))
        #expect(OpenBLASFamily.level("Haswell")! < OpenBLASFamily.level("SkylakeX")!)
        #expect(OpenBLASFamily.level("SkylakeX") == OpenBLASFamily.level("Cooperlake"))
        #expect(OpenBLASFamily.level("skylakex") == OpenBLASFamily.level("SkylakeX"))
        #expect(OpenBLASFamily.level("NoSuchCore") == nil)
    }

    static let cpuinfo = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        cpu family\t: 6
        model\t\t: 207
        flags\t\t: fpu sse sse2 pni ssse3 fma sse4_1 sse4_2 avx avx2 avx512f avx512dq avx512bw avx512vl avx512_bf16 avx512_fp16
        bogomips\t: 4200.00

        processor\t: 1
        vendor_id\t: AuthenticAMD
        flags\t\t: fpu sse sse2

        """

    @Test func cpuinfoWithEveryStateSaved() {
        let f = CPUFeatures.parse(cpuinfo: Self.cpuinfo, xcr0: 0xE7)
        #expect(f.vendor == .intel)  // the first processor's
        #expect(f.flags.contains("avx512_bf16") && f.flags.contains("avx2") && !f.flags.contains("avx512"))
        #expect(f.hasAVX2FMA && f.hasAVX512 && f.hasAVX512BF16)
    }

    @Test func cpuinfoWithoutTheZMMState() {
        let f = CPUFeatures.parse(cpuinfo: Self.cpuinfo, xcr0: 0x7)  // x87, SSE, AVX: no opmask/ZMM
        #expect(f.hasAVX2FMA)
        #expect(!f.hasAVX512 && !f.hasAVX512BF16)
    }

    @Test func cpuinfoWithoutXSAVE() {
        let f = CPUFeatures.parse(cpuinfo: Self.cpuinfo, xcr0: nil)
        #expect(!f.hasAVX && !f.hasAVX2FMA && !f.hasAVX512)
    }

    @Test func cpuinfoOfAnotherVendorOrEmpty() {
        let amd = CPUFeatures.parse(cpuinfo: "vendor_id : AuthenticAMD\nflags : sse2 avx avx2 fma\n", xcr0: 0x7)
        #expect(amd.vendor == .amd && amd.hasAVX2FMA)
        let other = CPUFeatures.parse(cpuinfo: "vendor_id : CentaurHauls\nflags : sse2\n", xcr0: nil)
        #expect(other.vendor == .other)
        let empty = CPUFeatures.parse(cpuinfo: "", xcr0: nil)
        #expect(empty.vendor == .other && empty.flags.isEmpty)
    }

    @Test func markerRoundTrip() throws {
        let m = BLASCoreMarker(reason: .selfCheckFailed, libraryCore: "Prescott", chosenCore: "Cooperlake",
                               failure: "dgemm 67×53×45: entry (1, 2) is nan, expected 0.5")
        #expect(BLASCoreMarker(m.encoded) == m)
        let a = BLASCoreMarker(reason: .automatic, libraryCore: "Prescott", chosenCore: "SkylakeX")
        #expect(BLASCoreMarker(a.encoded) == a)
        #expect(BLASCoreMarker("library:Prescott:SkylakeX") == nil)
        #expect(BLASCoreMarker("automatic::SkylakeX") == nil)
        #expect(BLASCoreMarker("garbage") == nil)
    }

    @Test func statusObservedFromTheEnvironment() {
        let marker = BLASCoreMarker.variable
        let automatic = BLASCoreStatus.observe(core: "SkylakeX", environment: [
            "OPENBLAS_CORETYPE": "SkylakeX", marker: "automatic:Prescott:SkylakeX"])
        #expect(automatic == BLASCoreStatus(core: "SkylakeX", libraryCore: "Prescott", reason: .automatic))
        // A marker that does not match OPENBLAS_CORETYPE is not believed: the user's variable.
        let stale = BLASCoreStatus.observe(core: "Haswell", environment: [
            "OPENBLAS_CORETYPE": "Haswell", marker: "automatic:Prescott:SkylakeX"])
        #expect(stale == BLASCoreStatus(core: "Haswell", libraryCore: nil, reason: .environment))
        let back = BLASCoreStatus.observe(core: "Prescott", environment: [marker: "self-check-failed:Prescott:SkylakeX:dgemm"])
        #expect(back == BLASCoreStatus(core: "Prescott", libraryCore: "Prescott", reason: .selfCheckFailed,
                                       rejectedCore: "SkylakeX", failure: "dgemm"))
        #expect(BLASCoreStatus.observe(core: "Prescott", environment: [:]).reason == .library)
        #expect(BLASCoreStatus.observe(core: "Prescott", environment: ["NTK_DYNAMICS_BLAS_CORE": "library"]).reason == .optOut)
    }

    @Test func selfCheckPassesOnTheKernelsInUse() {
        #expect(BLASSelfCheck.run() == nil)
        #expect(BLASSelfCheck.run(forceFailure: true) != nil)
    }

    @Test func selfCheckComparisonRejectsWrongValues() {
        #expect(BLASSelfCheck.agrees(1 + 1e-14, 1, magnitude: 1, terms: 50, epsilon: Double.ulpOfOne))
        #expect(!BLASSelfCheck.agrees(1 + 1e-9, 1, magnitude: 1, terms: 50, epsilon: Double.ulpOfOne))
        #expect(!BLASSelfCheck.agrees(.nan, 1, magnitude: 1, terms: 50, epsilon: Double.ulpOfOne))
        #expect(!BLASSelfCheck.agrees(0, 0.5, magnitude: 0.5, terms: 50, epsilon: Double.ulpOfOne))
    }
}
