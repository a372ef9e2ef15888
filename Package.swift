// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ntk-dynamics",
    products: [
        .library(name: "NTKDynamics", targets: ["NTKDynamics"]),
        .executable(name: "ntk-dynamics", targets: ["ntk-dynamics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // CSV parsing for --data (Data/CSVDataset.swift); 2.5.2 is the version this machine kind serves.
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // The zip container of .npz files for --data (Data/NPZArchive.swift): zip64 records as NumPy writes them,
        // stored and deflated members, CRC-32 checks; on Linux it inflates with the system zlib.
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        // `Real` (RealModule): the elementary functions NetworkScalar's precisions compute the activations with
        // (Model/NetworkScalar.swift); 1.1.1 is the version this machine kind serves.
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        // CBLAS (OpenBLAS) and LAPACKE. Debian: `apt-get install liblapacke-dev libopenblas-dev`.
        .systemLibrary(
            name: "CLapack",
            pkgConfig: "openblas",
            providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]
        ),
        // XGETBV: which register states (AVX, AVX-512) the OS saves, for the choice of OpenBLAS kernels
        // (LinearAlgebra/CPUFeatures.swift).
        .target(name: "CNTKCPU"),
        // The library, one target per layer (Docs/Architecture.md): a target imports only the ones below it, so the
        // compiler holds the layering. `NTKDynamics` re-exports them all (`@_exported import`).
        .target(name: "NTKNumerics", dependencies: ["CLapack", "CNTKCPU"]),
        .target(name: "NTKModel", dependencies: ["NTKNumerics", .product(name: "RealModule", package: "swift-numerics")]),
        .target(
            name: "NTKData",
            dependencies: ["NTKModel", .product(name: "CSV", package: "CSV.swift"),
                           .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            // The UCI handwritten digits as shipped by scikit-learn (CC BY 4.0; see the README beside it).
            resources: [.copy("Resources/digits.csv"), .copy("Resources/digits-README.md")]
        ),
        .target(name: "NTKTraining", dependencies: ["NTKData"]),
        .target(name: "NTKRunFormat", dependencies: ["NTKTraining"]),
        .target(name: "NTKOutput", dependencies: ["NTKRunFormat"]),
        .target(name: "NTKSweep", dependencies: ["NTKOutput"]),
        .target(name: "NTKReport", dependencies: ["NTKSweep"]),
        .target(
            name: "NTKDynamics",
            dependencies: ["NTKNumerics", "NTKModel", "NTKData", "NTKTraining", "NTKRunFormat", "NTKOutput", "NTKSweep", "NTKReport"]
        ),
        .target(
            name: "NTKDynamicsCLI",
            dependencies: [
                "NTKDynamics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "ntk-dynamics", dependencies: ["NTKDynamicsCLI"]),
        // Benchmarks, kept apart from the library: `swift run -c release ntk-bench`.
        .executableTarget(
            name: "ntk-bench",
            dependencies: ["NTKDynamics", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Helpers the tests share (swift-numerics' _TestSupport): the independent references (ReferenceJacobian,
        // KernelTestSupport), the tool-process runner and scratch directories, an .npy reader. Plain `import NTKDynamics`
        // and `package` declarations, so the target also builds in release.
        .target(name: "NTKTestSupport", dependencies: ["NTKDynamics"], path: "Tests/NTKTestSupport"),
        .testTarget(
            name: "NTKDynamicsTests",
            dependencies: ["NTKDynamics", "NTKDynamicsCLI", "NTKTestSupport"]
        ),
    ]
)
