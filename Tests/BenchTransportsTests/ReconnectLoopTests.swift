import BenchCore
import Synchronization
import Testing

@testable import BenchTransports

@Suite("Reconnect loop")
struct ReconnectLoopTests {
    /// A connection failure that prints as "failure n".
    struct Failure: Error, CustomStringConvertible {
        let number: Int
        var description: String { "failure \(number)" }
    }

    /// The waits a loop asked for, in seconds, each returning at once.
    final class Waits: Sendable {
        private let seconds = Mutex<[Double]>([])
        var all: [Double] { seconds.withLock { $0 } }
        func record(_ delay: Double) { seconds.withLock { $0.append(delay) } }
    }

    /// A loop whose waits are recorded instead of slept.
    static func loop(seed: UInt64 = 7, retryBaseSeconds: Double = 0, waits: Waits) -> ReconnectLoop {
        var loop = ReconnectLoop(seed: seed, retryBaseSeconds: retryBaseSeconds)
        loop.sleep = { waits.record($0) }
        return loop
    }

    @Test("attempts that fail 3 times and then finish give 3 recorded errors, 3 reconnects and 3 waits")
    func failThenSucceed() async {
        let waits = Waits()
        var loop = Self.loop(waits: waits)
        var recorder = DeliveryRecorder()
        var attempts = 0
        await loop.run(recorder: &recorder) { _, _ in
            attempts += 1
            if attempts <= 3 { throw Failure(number: attempts) }
            return .finished
        }
        #expect(attempts == 4)
        #expect(recorder.connectionErrors == ["failure 1", "failure 2", "failure 3"])
        #expect(recorder.reconnects == 3)
        #expect(waits.all.count == 3)
    }

    @Test("the waits are Backoff's delays for the same seed, after the retry base, starting over on a reset")
    func delaysAreTheBackoffs() async {
        let waits = Waits()
        var loop = Self.loop(seed: 0x55E ^ 3, retryBaseSeconds: 0.25, waits: waits)
        var recorder = DeliveryRecorder()
        var attempts = 0
        await loop.run(recorder: &recorder) { loop, _ in
            attempts += 1
            // The fourth attempt makes progress before it fails.
            if attempts == 4 { loop.resetBackoff() }
            if attempts <= 6 { throw Failure(number: attempts) }
            return .finished
        }
        var reference = Backoff(seed: 0x55E ^ 3)
        var expected: [Double] = []
        for attempt in 1...6 {
            if attempt == 4 { reference.reset() }
            expected.append(0.25 + reference.nextDelaySeconds())
        }
        #expect(waits.all == expected)
        // Full jitter under Backoff's defaults (base 0.05 s): attempt n waits at most 0.05 × 2ⁿ
        // after the retry base, and the reset brings the ceiling back to 0.05 s.
        for (delay, ceiling) in zip(waits.all, [0.05, 0.1, 0.2, 0.05, 0.1, 0.2]) {
            #expect(delay >= 0.25 && delay <= 0.25 + ceiling)
        }
    }

    @Test("again retries at once uncounted; ended early counts a reconnect, with its error if it names one")
    func outcomes() async {
        let waits = Waits()
        var loop = Self.loop(waits: waits)
        var outcomes: [ReconnectLoop.Outcome] = [.again, .endedEarly(noting: nil), .endedEarly(noting: Failure(number: 9)), .finished]
        var causes: [String] = []
        await loop.run(until: ClientProgress(), onReconnect: { cause in causes.append(cause.map { String(describing: $0) } ?? "none") }) { _ in
            outcomes.removeFirst()
        }
        #expect(outcomes.isEmpty)
        #expect(causes == ["none", "failure 9"])
        #expect(waits.all.count == 2)
    }

    @Test("a stop request during a wait ends the loop without another attempt")
    func stopDuringWait() async {
        var recorder = DeliveryRecorder()
        let progress = recorder.progress
        var loop = ReconnectLoop(seed: 7)
        loop.sleep = { _ in progress.requestStop() }
        var attempts = 0
        await loop.run(recorder: &recorder) { _, _ in
            attempts += 1
            throw Failure(number: attempts)
        }
        #expect(attempts == 1)
        #expect(recorder.reconnects == 1)
        #expect(recorder.connectionErrors == ["failure 1"])
    }

    /// How an attempt ends without the loop recording anything.
    enum QuietEnding: CaseIterable {
        case failsAfterStopRequest, endsEarlyAfterStopRequest, throwsCancellation
    }

    @Test("an attempt that fails or ends after a stop request, or throws CancellationError, ends the loop quietly",
          arguments: QuietEnding.allCases)
    func quietEndings(ending: QuietEnding) async {
        let waits = Waits()
        var loop = Self.loop(waits: waits)
        var recorder = DeliveryRecorder()
        var attempts = 0
        await loop.run(recorder: &recorder) { _, recorder in
            attempts += 1
            switch ending {
            case .failsAfterStopRequest:
                recorder.progress.requestStop()
                throw Failure(number: attempts)
            case .endsEarlyAfterStopRequest:
                recorder.progress.requestStop()
                return .endedEarly(noting: Failure(number: attempts))
            case .throwsCancellation:
                throw CancellationError()
            }
        }
        #expect(attempts == 1)
        #expect(recorder.reconnects == 0)
        #expect(recorder.connectionErrors.isEmpty)
        #expect(waits.all.isEmpty)
    }

    @Test("cancelling the task during a 10 s backoff wait ends the loop quietly within a second")
    func cancelDuringWait() async throws {
        let (waitStarts, waitStarted) = AsyncStream.makeStream(of: Double.self)
        let task = Task {
            var loop = ReconnectLoop(seed: 7, retryBaseSeconds: 10)
            loop.sleep = { seconds in
                waitStarted.yield(seconds)
                try await Task.sleep(for: .seconds(seconds))
            }
            var recorder = DeliveryRecorder()
            var attempts = 0
            await loop.run(recorder: &recorder) { _, _ in
                attempts += 1
                throw Failure(number: attempts)
            }
            waitStarted.finish()
            return (recorder, attempts)
        }
        var starts = waitStarts.makeAsyncIterator()
        let wait = try #require(await starts.next())
        #expect(wait >= 10)
        let cancelled = ContinuousClock.now
        task.cancel()
        let (recorder, attempts) = await task.value
        #expect(ContinuousClock.now - cancelled < .seconds(1))
        #expect(attempts == 1)
        #expect(recorder.reconnects == 1)
        #expect(recorder.connectionErrors == ["failure 1"])
        #expect(await starts.next() == nil, "no second wait")
    }
}
