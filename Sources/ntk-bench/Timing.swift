/// Median wall-clock seconds of `repetitions` calls of `body`, after `warmup` calls.
func medianSeconds(repetitions: Int, warmup: Int = 1, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    for _ in 0..<warmup { try body() }
    var times: [Double] = []
    for _ in 0..<repetitions {
        let start = clock.now
        try body()
        let d = (clock.now - start).components
        times.append(Double(d.seconds) + Double(d.attoseconds) * 1e-18)
    }
    times.sort()
    return times[times.count / 2]
}
