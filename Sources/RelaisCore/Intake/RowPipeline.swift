import Foundation

/// Reads a file's rows on one thread while another records them, so that parsing and SQLite
/// writing overlap on a two-core machine. The queue between them holds a few batches at most,
/// so memory stays flat however large the file.
///
/// The recording side runs on the caller's thread, inside the caller's transaction; the reading
/// side on a thread of its own. An error on either side stops both, and is thrown to the caller.
enum RowPipeline {
    static let batchSize = 256
    static let batchesInFlight = 4

    /// `read` is called on the reading thread with a function to hand on each outcome; `record`
    /// is called on the caller's thread for each outcome, in file order.
    static func run(
        read: @escaping @Sendable (_ emit: (RowOutcome) throws -> Void) throws -> Void,
        record: (RowOutcome) throws -> Void
    ) throws {
        let queue = BatchQueue(capacity: batchesInFlight)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { finished.signal() }
            var batch: [RowOutcome] = []
            batch.reserveCapacity(batchSize)
            do {
                try read { outcome in
                    batch.append(outcome)
                    if batch.count == batchSize {
                        try queue.push(batch)
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { try queue.push(batch) }
                queue.finish(error: nil)
            } catch {
                queue.finish(error: error)
            }
        }
        thread.stackSize = 1 << 22
        thread.start()

        do {
            while let batch = try queue.pop() {
                for outcome in batch { try record(outcome) }
            }
        } catch {
            queue.cancel()
            finished.wait()
            throw error
        }
        finished.wait()
    }
}

/// The bounded queue between the two sides of a `RowPipeline`.
///
/// `@unchecked Sendable`: every field is read and written only with `condition` locked.
private final class BatchQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var batches: [[RowOutcome]] = []
    private let capacity: Int
    private var done = false
    private var failure: Error?
    private var cancelled = false

    struct Cancelled: Error {}

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; throws if the recording side gave up.
    func push(_ batch: [RowOutcome]) throws {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        batches.append(batch)
        condition.broadcast()
    }

    /// The next batch, nil at the end; rethrows the reading side's error.
    func pop() throws -> [RowOutcome]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !done { condition.wait() }
        if !batches.isEmpty {
            let batch = batches.removeFirst()
            condition.broadcast()
            return batch
        }
        if let failure { throw failure }
        return nil
    }

    func finish(error: Error?) {
        condition.lock()
        done = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
