/// Median wall-clock seconds of `repetitions` calls of `body`, after `warmup` calls.
func medianSeconds(repetitions: Int, warmup: Int = 1, _ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    for _ in 0..<warmup { try body() }
    var times: [Double] = []
    for _ in 0..<repetitions {
        let start = clock.now
        try body()
        times.append((clock.now - start).seconds)
    }
    times.sort()
    return times[times.count / 2]
}
