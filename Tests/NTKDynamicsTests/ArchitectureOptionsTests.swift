import ArgumentParser
import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKSweep
@testable import NTKDynamicsCLI

/// The options of issue 24 (`--architecture`, `--branch-scale`, `--kernel-size`, `--pool`, `sweep --architectures`):
/// what they build, every refusal (Docs/CLI.md#architectures), the file contract of config.json, sweep.csv and
/// sweep_config.json (Docs/LogFormat.md), and the memory formulas of the new shapes counted by hand.
struct ArchitectureOptionsTests {
    // MARK: - Parsing

    private func run(_ arguments: [String]) throws -> RunCommand {
        try #require(try NTKDynamicsCommand.parseAsRoot(arguments) as? RunCommand)
    }

    @Test func optionsBuildTheFamily() throws {
        let mlp = try run(["--width", "16"])
        #expect(mlp.model.architecture(width: 16, inputDim: 3, outputs: 1).family == .mlp)

        let resnet = try run(["--architecture", "resnet", "--depth", "8", "--width", "512"])
        #expect(resnet.model.architecture(width: 512, inputDim: 3, outputs: 1).family == .resnet(branchScale: .one))
        let scaled = try run(["--architecture", "resnet", "--branch-scale", "sqrt-depth"])
        #expect(scaled.model.architecture(width: 8, inputDim: 3, outputs: 1).family == .resnet(branchScale: .sqrtDepth))

        let digits = ImageShape(height: 8, width: 8, channels: 1)
        let cnn = try run(["--architecture", "cnn", "--dataset", "digits", "--classes", "3,8", "--width", "64"])
        let a = cnn.model.architecture(width: 64, inputDim: 64, outputs: 1, imageShape: digits)
        #expect(a.family == .cnn(ConvolutionShape(height: 8, width: 8, inputChannels: 1, kernelSize: 3, pooling: .gap)))
        #expect(a.width == 64 && a.depth == 2)
        let flat = try run(["--architecture", "cnn", "--dataset", "digits", "--kernel-size", "5", "--pool", "flatten", "--depth", "3"])
        #expect(flat.model.architecture(width: 4, inputDim: 64, outputs: 1, imageShape: digits).family
                == .cnn(ConvolutionShape(height: 8, width: 8, inputChannels: 1, kernelSize: 5, pooling: .flatten)))
        // .npz data can only tell once loaded: not refused before.
        _ = try run(["--architecture", "cnn", "--data", "images.npz"])
        _ = try run(["--architecture", "cnn", "--data", "rows.csv", "--image-shape", "4x4x3"])
    }

    @Test func sweepAxisParsesAndOrdersTheGrid() throws {
        let sweep = try #require(try NTKDynamicsCommand.parseAsRoot(["sweep", "--widths", "8,16", "--architectures", "resnet,mlp",
                                                                     "--branch-scale", "sqrt-depth"]) as? SweepCommand)
        let spec = sweep.specification
        #expect(spec.architectures == [.resnet, .mlp] && spec.architectureSource == .axis(option: "--architectures"))
        let grid = SweepGrid(widths: [16, 8], seedCount: 1, baseSeed: 0, architectures: [.resnet, .mlp])
        #expect(grid.architectures == [.mlp, .resnet])
        #expect(grid.cells.map(\.directoryName) == ["mlp-w8-s0", "mlp-w16-s0", "resnet-w8-s0", "resnet-w16-s0"])
        #expect(grid.cells(in: ShardSpec(index: 1, count: 2)).map(\.directoryName) == ["mlp-w16-s0", "resnet-w16-s0"])
        // With the other axes the architecture is the outermost one.
        let both = SweepGrid(widths: [8], seedCount: 1, baseSeed: 0, parameterizations: [.ntk, .standard], architectures: [.cnn, .mlp])
        #expect(both.cells.map(\.directoryName) == ["mlp-ntk-w8-s0", "mlp-standard-w8-s0", "cnn-ntk-w8-s0", "cnn-standard-w8-s0"])
        #expect(both.cells == both.cells.sorted())
    }

    // MARK: - Refusals

    typealias Refusal = UsageRefusal

    static let refusals: [Refusal] = [
        // options of another architecture, only when given
        Refusal(arguments: ["--pool", "gap"], mentions: ["--pool applies to --architecture cnn", "--architecture mlp has no cnn"]),
        Refusal(arguments: ["--architecture", "resnet", "--pool", "flatten"], mentions: ["--pool applies", "resnet has no cnn"]),
        Refusal(arguments: ["--kernel-size", "5"], mentions: ["--kernel-size applies to --architecture cnn"]),
        Refusal(arguments: ["--branch-scale", "sqrt-depth"], mentions: ["--branch-scale applies to --architecture resnet"]),
        Refusal(arguments: ["--architecture", "cnn", "--dataset", "digits", "--branch-scale", "1"], mentions: ["--branch-scale applies"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--architectures", "mlp,resnet", "--kernel-size", "3"],
                mentions: ["--kernel-size applies to --architecture cnn", "--architectures mlp,resnet has no cnn"]),
        // values
        Refusal(arguments: ["--architecture", "transformer"], mentions: ["--architecture", "transformer"]),
        Refusal(arguments: ["--architecture", "cnn", "--dataset", "digits", "--kernel-size", "4"], mentions: ["--kernel-size 4 is invalid", "odd"]),
        Refusal(arguments: ["--architecture", "cnn", "--dataset", "digits", "--kernel-size", "0"], mentions: ["--kernel-size 0 is invalid"]),
        Refusal(arguments: ["--architecture", "cnn", "--dataset", "digits", "--kernel-size", "-3"], mentions: ["--kernel-size -3"]),
        Refusal(arguments: ["--architecture", "resnet", "--branch-scale", "2"], mentions: ["--branch-scale", "sqrt-depth"]),
        Refusal(arguments: ["--architecture", "cnn", "--dataset", "digits", "--pool", "max"], mentions: ["--pool", "gap", "flatten"]),
        // parameterizations per family, depth
        Refusal(arguments: ["--architecture", "resnet", "--parameterization", "mean-field", "--depth", "1"],
                mentions: ["--architecture resnet: --parameterization mean-field is defined for an MLP with one hidden layer"]),
        Refusal(arguments: ["--architecture", "cnn", "--dataset", "digits", "--parameterization", "mup"],
                mentions: ["--architecture cnn: --parameterization mup is not defined for --architecture cnn"]),
        Refusal(arguments: ["--architecture", "cnn", "--dataset", "digits", "--parameterization", "mean-field", "--depth", "1"],
                mentions: ["--parameterization mean-field is not defined for --architecture cnn"]),
        Refusal(arguments: ["--architecture", "cnn", "--dataset", "digits", "--depth", "0"], mentions: ["at least one convolution"]),
        Refusal(arguments: ["--architecture", "resnet", "--branch-scale", "sqrt-depth", "--depth", "0"],
                mentions: ["--architecture resnet: --branch-scale sqrt-depth sets s = 1/√L"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--architectures", "mlp,cnn", "--dataset", "digits", "--parameterization", "mup"],
                mentions: ["--architectures lists cnn: --parameterization mup"]),
        Refusal(arguments: ["--architecture", "resnet", "--parameterization", "mup", "--kernel", "analytic"],
                mentions: ["--kernel analytic needs the infinite-width NTK Θ"]),
        // Hessian-vector products are the MLP's
        Refusal(arguments: ["--architecture", "resnet", "--sharpness-every", "5"], mentions: ["--sharpness-every 5", "a resnet does not"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--architectures", "mlp,resnet", "--sharpness-every", "5"],
                mentions: ["--sharpness-every 5", "--architectures lists resnet"]),
        // image data
        Refusal(arguments: ["--architecture", "cnn"], mentions: ["--architecture cnn needs image inputs", "--dataset digits", "--image-shape"]),
        Refusal(arguments: ["--architecture", "cnn", "--data", "rows.csv"], mentions: ["needs image inputs", "--image-shape HxWxC"]),
        Refusal(arguments: ["kernel", "--architecture", "cnn"], mentions: ["needs image inputs", "--dataset digits"]),
        // the axis itself
        Refusal(arguments: ["sweep", "--widths", "8,16", "--architectures", "mlp,mlp"], mentions: ["--architectures mlp,mlp lists an architecture twice"]),
        Refusal(arguments: ["sweep", "--widths", "8,16", "--architectures", "mlp,resnet", "--architecture", "resnet"],
                mentions: ["--architecture and --architectures conflict"]),
    ]

    @Test(arguments: refusals)
    func refusedWithTheOptionNamed(_ r: Refusal) throws {
        try r.check()
    }

    /// The per-family parameterization rules, written out from the issue (not from the code): mlp keeps its depth
    /// rules; resnet builds ntk, standard and mup at any depth; cnn ntk and standard with at least one convolution.
    @Test func parameterizationTablePerFamily() {
        func buildable(_ kind: ArchitectureKind, _ p: Parameterization, _ depth: Int) -> Bool {
            switch kind {
            case .mlp: return RunSpecificationTests.buildable(p, depth)
            case .resnet: return p != .meanField
            case .cnn: return (p == .ntk || p == .standard) && depth >= 1
            }
        }
        for kind in ArchitectureKind.allCases {
            for p in Parameterization.allCases {
                for depth in 0...3 {
                    var spec = RunSpecification(parameterizations: [p], depths: [depth])
                    spec.architectures = [kind]
                    let found = spec.problems()
                    #expect(found.isEmpty == buildable(kind, p, depth), "\(kind) \(p) depth \(depth): \(found)")
                }
            }
        }
    }

    /// Once the data is loaded: a cnn on data without an image shape, and filters larger than the image.
    @Test func imageRulesNeedTheLoadedData() {
        var data = SyntheticDataset.gaussian.generate(samples: 4, testSamples: 0, inputDim: 12, outputs: 1, noise: 0, seed: 0)
        var spec = RunSpecification(parameterizations: [.ntk], depths: [1])
        spec.architectures = [.cnn]
        #expect(spec.problems().isEmpty, "nothing known before loading")
        #expect(spec.problems(dataset: data).map(\.description).first?.contains("needs image inputs") == true)
        data.imageShape = ImageShape(height: 2, width: 6, channels: 1)
        #expect(spec.problems(dataset: data).map(\.description).first?.contains("--kernel-size 3 is larger than the 2×6×1 images") == true)
        spec.kernelSize = 1
        #expect(spec.problems(dataset: data).isEmpty)
        data.imageShape = ImageShape(height: 3, width: 4, channels: 1)
        spec.kernelSize = 3
        #expect(spec.problems(dataset: data).isEmpty, "K equal to the smaller side is allowed")
        spec.architectures = [.mlp]
        data.imageShape = nil
        #expect(spec.problems(dataset: data).count == 1, "--kernel-size without a cnn is the one problem left")
    }

    // MARK: - File contract

    @Test func configRecordsTheArchitectureKeys() throws {
        func keys(_ family: ArchitectureFamily) throws -> [String: Any] {
            var a = NetworkArchitecture(inputDim: 64, width: 8, depth: 2, outputs: 1)
            a.family = family
            let data = try JSONText.encode(SweepToleranceTests.config(lr: 0.1, lrSource: "--lr").with(network: NetworkRecord(a)))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(try JSONDecoder().decode(SweepConfiguration.self, from: data).network == NetworkRecord(a), "round trip")
            return object
        }
        let mlp = try keys(.mlp)
        #expect(mlp["architecture"] as? String == "mlp")
        for key in ["branch_scale", "kernel_size", "pool"] { #expect(mlp[key] is NSNull, "\(key) is null for an MLP") }
        let resnet = try keys(.resnet(branchScale: .sqrtDepth))
        #expect(resnet["architecture"] as? String == "resnet" && resnet["branch_scale"] as? String == "sqrt-depth")
        #expect(resnet["kernel_size"] is NSNull && resnet["pool"] is NSNull)
        let cnn = try keys(.cnn(ConvolutionShape(height: 8, width: 8, inputChannels: 1, kernelSize: 5, pooling: .flatten)))
        #expect(cnn["architecture"] as? String == "cnn" && cnn["kernel_size"] as? Int == 5 && cnn["pool"] as? String == "flatten")
        #expect(cnn["branch_scale"] is NSNull)
    }

    /// Every config.json written before architectures existed (format 2 without the keys) reads back as an MLP, and a
    /// sweep written then resumes and merges with this version's MLP sweep.
    @Test func aConfigWithoutTheKeysIsAnMLP() throws {
        let written = RunConfiguration(architecture: NetworkArchitecture(inputDim: 2, width: 8), data: DataSettings(samples: 4, testSamples: 2, inputDim: 2),
                                       settings: TrainingSettings(steps: 3), learningRate: 0.5, criticalLearningRate: 1, command: ["test"])
        var object = try #require(try JSONSerialization.jsonObject(with: JSONText.encode(written)) as? [String: Any])
        #expect(object["format_version"] as? Int == 2 && object["architecture"] as? String == "mlp")
        for key in ["architecture", "branch_scale", "kernel_size", "pool"] { object[key] = nil }
        let old = try JSONDecoder().decode(RunConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.network.architecture == .mlp && old.network.branchScale == nil && old.network.kernelSize == nil && old.network.pool == nil)
        #expect(old == written)

        let sweep = SweepToleranceTests.config(lr: 0.25, lrSource: "--lr")
        var sweepObject = try #require(try JSONSerialization.jsonObject(with: JSONText.encode(sweep)) as? [String: Any])
        for key in ["architecture", "branch_scale", "kernel_size", "pool"] { sweepObject[key] = nil }
        let oldSweep = try JSONDecoder().decode(SweepConfiguration.self, from: JSONSerialization.data(withJSONObject: sweepObject))
        #expect(oldSweep.sameSweep(as: sweep) == nil)
        // Another architecture, or the axis, is another sweep, and the difference is named.
        var resnet = sweep
        resnet.network.architecture = .resnet
        #expect(sweep.sameSweep(as: resnet)?.contains("architecture") == true)
        let axis = SweepConfiguration(network: sweep.network, training: sweep.training, sweep: sweep.sweep.with(architectures: [.mlp, .resnet]))
        #expect(sweep.sameSweep(as: axis)?.contains("architectures") == true)
    }

    @Test func sweepRowsCarryTheArchitectureColumn() throws {
        let grid = SweepGrid(widths: [8], seedCount: 1, baseSeed: 0, architectures: [.mlp, .resnet])
        let defaults = SweepRow.Defaults(parameterization: .ntk, depth: 2)
        #expect(SweepRow.columns.last == "architecture")
        var values = SweepRow.columns.map { _ in "" }
        func set(_ column: String, _ text: String) { values[SweepRow.columns.firstIndex(of: column)!] = text }
        set("width", "8"); set("seed", "0"); set("status", "completed"); set("parameterization", "ntk"); set("depth", "2")
        set("architecture", "resnet")
        let row = try #require(SweepRow(line: Substring(values.joined(separator: ",")), header: SweepRow.columns, grid: grid, defaults: defaults))
        #expect(row.architecture == .resnet && row.cell.architecture == .resnet && row.cell.directoryName == "resnet-w8-s0")
        #expect(row.line == values.joined(separator: ","))
        // A sweep.csv written before the column: its rows are the sweep's one architecture.
        let older = Array(SweepRow.columns.dropLast())
        let oldLine = older.map { c in values[SweepRow.columns.firstIndex(of: c)!] }.joined(separator: ",")
        let resnetSweep = SweepRow.Defaults(parameterization: .ntk, depth: 2, architecture: .resnet)
        let plain = SweepGrid(widths: [8], seedCount: 1, baseSeed: 0)
        let oldRow = try #require(SweepRow(line: Substring(oldLine), header: older, grid: plain, defaults: resnetSweep))
        #expect(oldRow.architecture == .resnet && oldRow.cell.architecture == nil)
        let mlpRow = try #require(SweepRow(line: Substring(oldLine), header: older, grid: plain, defaults: defaults))
        #expect(mlpRow.architecture == .mlp)
        // Groups of the summary are told apart by architecture.
        var other = row
        other.architecture = .mlp
        other.cell.architecture = .mlp
        let summary = SweepSummary(rows: [row, other])
        #expect(summary.groups?.map(\.label) == ["ntk, depth 2", "resnet, ntk, depth 2"])
    }

    // MARK: - Memory formulas, counted by hand

    @Test func parameterCountsOfTheNewFamilies() {
        // resnet d = 3, n = 5, L = 2, k = 1: weights 3·5 + 2·5·5 + 5·1 = 70, biases 3·5 + 1 = 16.
        var resnet = NetworkArchitecture(inputDim: 3, width: 5, depth: 2, outputs: 1)
        resnet.family = .resnet(branchScale: .one)
        #expect(MemoryEstimate.parameterCount(resnet) == 86)
        resnet.hasBias = false
        #expect(MemoryEstimate.parameterCount(resnet) == 70)
        // cnn on 8×8×1, K = 3, C = 4, two convolutions, k = 2: conv 9·1·4 + 4 = 40, 9·4·4 + 4 = 148; gap readout 4·2 + 2 = 10.
        var cnn = NetworkArchitecture(inputDim: 64, width: 4, depth: 2, outputs: 2)
        cnn.family = .cnn(ConvolutionShape(height: 8, width: 8, inputChannels: 1, kernelSize: 3, pooling: .gap))
        #expect(MemoryEstimate.parameterCount(cnn) == 198)
        // flatten: readout 8·8·4·2 + 2 = 514.
        cnn.family = .cnn(ConvolutionShape(height: 8, width: 8, inputChannels: 1, kernelSize: 3, pooling: .flatten))
        #expect(MemoryEstimate.parameterCount(cnn) == 40 + 148 + 514)
        // units: the image 64, two maps of 8·8·4 = 256, the flattened 256 features, 2 outputs.
        #expect(MemoryEstimate.unitsPerSample(cnn) == 64 + 2 * 256 + 256 + 2)
        // resnet units: d + (L + 2)·n + k.
        #expect(MemoryEstimate.unitsPerSample(resnet) == 3 + 4 * 5 + 1)
    }

    @Test func convolutionShapesCountedByHand() {
        let c = ConvolutionShape(height: 8, width: 8, inputChannels: 1, kernelSize: 3, pooling: .gap)
        // im2col: 2 images × 64 positions, each a row of 3·3·4 = 36 inputs.
        #expect(MemoryEstimate.im2colPatchValues(samples: 2, shape: c, inputChannels: 4) == 2 * 64 * 36)
        #expect(MemoryEstimate.convolutionActivationValues(samples: 3, shape: c, channels: 5) == 3 * 64 * 5)
        // per-sample gradients: 4 rows of 3·3·4·4 = 144 weights.
        #expect(MemoryEstimate.convolutionGradientValues(rows: 4, shape: c, inputChannels: 4, outputChannels: 4) == 576)
        // gap Θ: 2 threads × 16 pairs × 64² position pairs × 3 layers × (Σ, Θ).
        #expect(MemoryEstimate.gapKernelBlockValues(positions: 64, depth: 2, threads: 2, pairsPerBlock: 16) == 2 * 16 * 4096 * 3 * 2)
        #expect(MemoryEstimate.flattenKernelValues(points: 10, positions: 64) == 4 * 100 * 64)
    }

    /// The estimate of a cnn grows with what the formulas count; the MLP's is the one measured before (unchanged).
    @Test func cnnEstimateFollowsItsShapes() {
        func estimate(kernelSize: Int = 3, channels: Int = 16, pooling: Pooling = .gap, kernel: KernelChoice = .empirical,
                      threads: Int = 1) -> Double {
            var a = NetworkArchitecture(inputDim: 256, width: channels, depth: 3, outputs: 1)
            a.family = .cnn(ConvolutionShape(height: 16, width: 16, inputChannels: 1, kernelSize: kernelSize, pooling: pooling))
            return MemoryEstimate(architecture: a, samples: 64, testSamples: 16, kernel: kernel, threads: threads).bytes
        }
        #expect(estimate(kernelSize: 5) > estimate())
        #expect(estimate(channels: 32) > estimate())
        #expect(estimate(kernel: .analytic, threads: 4) > estimate(kernel: .analytic, threads: 1))
        // gap Θ on 16×16 images: 4 threads × 16 pairs × 256² × 4 layers × 2 values × 8 bytes more than one thread's ×… .
        let perThread = MemoryEstimate.gapKernelBlockValues(positions: 256, depth: 3, threads: 1) * 8
        #expect(abs(estimate(kernel: .analytic, threads: 4) - estimate(kernel: .analytic, threads: 1) - 3 * perThread) < 1)
        let mlp = NetworkArchitecture(inputDim: 8, width: 256, depth: 2)
        var asFamily = mlp
        asFamily.family = .mlp
        #expect(MemoryEstimate(architecture: mlp, samples: 256, testSamples: 64, kernel: .empirical)
                == MemoryEstimate(architecture: asFamily, samples: 256, testSamples: 64, kernel: .empirical, threads: 8))
    }

    // MARK: - End to end (need the block model)

    @Test(.tags(.endToEnd), .endToEndEnabled,
          arguments: [
              (["--architecture", "cnn", "--dataset", "digits", "--classes", "3,8", "--width", "8", "--samples", "32", "--steps", "5"], "cnn"),
              (["--architecture", "resnet", "--depth", "8", "--width", "16", "--samples", "16", "--steps", "5", "--branch-scale", "sqrt-depth"],
               "resnet"),
          ])
    func runsRecordTheirArchitecture(_ arguments: [String], _ name: String) throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(arguments + ["--out", dir.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file(RunFormat.config))) as? [String: Any])
        #expect(config["architecture"] as? String == name)
        if name == "cnn" {
            #expect(config["kernel_size"] as? Int == 3 && config["pool"] as? String == "gap" && config["branch_scale"] is NSNull)
            // the parameters: 2 convolutions (9·1·8 + 8, 9·8·8 + 8) and the gap readout 8 + 1
            #expect(config["parameter_count"] as? Int == 80 + 584 + 9)
        } else {
            #expect(config["branch_scale"] as? String == "sqrt-depth" && config["kernel_size"] is NSNull)
        }
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.file(RunFormat.summary))) as? [String: Any])
        #expect(summary["architecture"] as? String == name)
        let page = try String(contentsOf: dir.file(RunFormat.report), encoding: .utf8)
        #expect(page.contains(name + ", depth"))
    }

    @Test(.tags(.endToEnd), .endToEndEnabled)
    func sweepOverArchitecturesWritesTheColumn() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let r = try ToolProcess.run(["sweep", "--widths", "8,16", "--seeds", "1", "--samples", "8", "--test-samples", "2", "--steps", "5",
                                     "--architectures", "mlp,resnet", "--depth", "2", "--jobs", "1", "--out", dir.path, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = try String(contentsOf: dir.file(RunFormat.sweep), encoding: .utf8).split(separator: "\n")
        #expect(csv.first?.hasSuffix(",architecture") == true)
        #expect(csv.dropFirst().filter { $0.hasSuffix(",resnet") }.count == 2 && csv.dropFirst().filter { $0.hasSuffix(",mlp") }.count == 2)
        #expect(FileManager.default.fileExists(atPath: dir.file("runs/resnet-w16-s0/summary.json").path))
    }
}

extension SweepConfiguration {
    /// The same configuration with another network record.
    func with(network: NetworkRecord) -> SweepConfiguration {
        SweepConfiguration(network: network, training: training, sweep: sweep)
    }
}
