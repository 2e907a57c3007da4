import CSystem
import Foundation
import Synchronization

/// The pool's threads and their job queue (first in, first out). Threads start when jobs wait and no
/// thread is idle, up to `limit`; each marks itself as the pool's (`isCurrentThreadMember`) and, for a
/// background pool, lowers its own priority before taking its first job. A thread out of jobs yields the CPU a
/// few hundred times, watching for new ones, before it sleeps: the loops of a training step come every few hundred
/// microseconds, and waking a sleeping thread for each would cost about as much as the work it shares.
/// `@unchecked Sendable`: every stored var is only touched with `condition` locked (`queued` mirrors the queue's
/// length for the yielding threads, which only read it).
final class JobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private let queued = Atomic<Int>(0)
    private var jobs: [() -> Void] = []
    private var head = 0
    private var started = 0
    private var idle = 0
    private var stopping = false
    private var tids: [Int32] = []
    private let limit: Int
    private let name: String
    private let background: Bool

    init(limit: Int, name: String, background: Bool) {
        self.limit = limit
        self.name = name
        self.background = background
    }

    var threadIDs: [Int32] {
        condition.lock()
        defer { condition.unlock() }
        return tids
    }

    var isCurrentThreadMember: Bool {
        pthread_getspecific(poolMembershipKey) == Unmanaged.passUnretained(self).toOpaque()
    }

    /// Queues `newJobs`, starting threads for those no idle thread will take. After `stop`, runs them on
    /// the caller instead.
    func enqueue(_ newJobs: [() -> Void]) {
        condition.lock()
        if stopping {
            condition.unlock()
            for job in newJobs { job() }
            return
        }
        jobs.append(contentsOf: newJobs)
        queued.add(newJobs.count, ordering: .releasing)
        let waiting = jobs.count - head
        let starting = max(0, min(limit - started, waiting - idle))
        let first = started
        started += starting
        if idle > 0 { newJobs.count == 1 ? condition.signal() : condition.broadcast() }
        condition.unlock()
        for index in first ..< first + starting { startThread(index) }
    }

    /// Lets queued jobs finish, then ends the threads.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func startThread(_ index: Int) {
        // The thread holds the queue, not the pool, so that releasing the pool stops it.
        let threadName = "\(name).\(index)"
        let thread = Thread { [self] in
            pthread_setspecific(poolMembershipKey, Unmanaged.passUnretained(self).toOpaque())
            // The kernel's name (`comm`, 15 bytes): what ps, top and /proc show; longer names are cut.
            _ = herd_set_thread_name(threadName)
            // Per thread on Linux; failures (a kernel without SCHED_IDLE) leave it at normal priority.
            if background { _ = herd_background_thread() }
            condition.lock()
            tids.append(Int32(herd_thread_id()))
            condition.unlock()
            loop()
        }
        thread.name = threadName
        thread.start()
    }

    /// Calls of sched_yield(2) a thread out of jobs makes before it sleeps (each gives the CPU to any other
    /// runnable thread; on an idle core one takes about a microsecond).
    static let yieldsBeforeSleep = 200

    private func loop() {
        while true {
            yieldWhile { queued.load(ordering: .acquiring) == 0 }
            condition.lock()
            while head == jobs.count && !stopping {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            queued.subtract(1, ordering: .relaxed)
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024 && head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}

/// Yields the CPU up to `JobQueue.yieldsBeforeSleep` times while `waiting()` holds.
@inline(__always)
func yieldWhile(_ waiting: () -> Bool) {
    var yields = 0
    while yields < JobQueue.yieldsBeforeSleep && waiting() {
        sched_yield()
        yields += 1
    }
}

/// Marks a thread as one of a pool's (the value is its `JobQueue`); a process-wide key, since pools come
/// and go and the keys of a process are few.
private let poolMembershipKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()
