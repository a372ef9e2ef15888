import Foundation
import NTKTestSupport
import Testing
@testable import NTKDynamics
@testable import NTKReport

/// The report reads config.json and summary.json under the keys of the records that write them
/// (Docs/Architecture.md, "One set of records"), leniently.
@Suite struct ReportRecordKeysTests {
    @Test func aRecordKeyReadsWhatTheRecordWrote() throws {
        let record = BLASRecord(threads: 3, core: "Haswell", coreLibrary: nil, coreReason: "library")
        let object = try JSONObject(data: JSONText.encode(record))
        #expect(object.int(BLASRecord.CodingKeys.threads) == 3)
        #expect(object.string(BLASRecord.CodingKeys.core) == "Haswell")
        #expect(object[BLASRecord.CodingKeys.coreReason]?.string == "library")
        // Written as null, read as nil; a key of another record that this file does not hold, likewise.
        #expect(object.values[BLASRecord.CodingKeys.coreLibrary.stringValue] == .null)
        #expect(object.string(BLASRecord.CodingKeys.coreLibrary) == nil)
        #expect(object.int(RunSummary.CodingKeys.lastStep) == nil)
    }

    @Test func summaryTableShowsTheFiguresUnderTheSummarysKeysAndAStatusItDoesNotKnow() throws {
        let scratch = ScratchDirectory()
        defer { scratch.cleanup() }
        let run = try SyntheticRun.completed(at: scratch.url, steps: 20)
        try run.write("summary.json", #"{"status": "paused", "last_step": 12, "steps_requested": 20, "lambda_min": 0.125, "lr_crit": 4, "clipped_eigenvalues": 2}"#)
        let logs = try RunLogs(directory: scratch.url)
        let rows = Dictionary(RunReport.summaryRows(logs).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(rows["status"] == "paused")
        #expect(rows["last step"] == "12")
        #expect(rows["λ_min, λ_max"] == "0.125, —")
        #expect(rows["η, η_crit, η/η_crit"] == "—, 4, —")
        #expect(rows["clipped eigenvalues"] == "2")
        #expect(RunReport.statusLines(logs).map(\.0) == ["Status: paused."])
    }
}
