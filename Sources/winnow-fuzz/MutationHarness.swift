#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WinnowCore

/// Winnow's own mutation fuzzer, for builds without libFuzzer (`make fuzz` uses libFuzzer,
/// which is coverage-guided and several times more effective; see scripts/fuzz.sh).
///
/// A worker process mutates the seeds (bit flips, interesting integers of 1, 2 and 4 bytes
/// in both byte orders, inserted, deleted and duplicated runs, splices, truncation) and runs
/// the target on each result, writing every input to memory it shares with the parent
/// first. The parent watches: a worker killed by a signal is a crash, one whose input
/// counter stops for `timeout` seconds is a hang; either way the input is saved and a fresh
/// worker carries on, until the time is up.
struct MutationHarness {
    var target: FuzzTarget
    var seconds: Double
    var timeout: Double
    var seeds: [[UInt8]]
    var artifacts: String
    var maxLength = 1 << 20
    /// Keeps every `keepEvery`-th input in `keep` (to measure the coverage the loop reaches
    /// with a coverage-instrumented build: `winnow-fuzz -runs=0 KEEP`).
    var keep: String?
    var keepEvery = 1000

    /// The parent's view of a worker: inputs run, and the one running now.
    struct Shared {
        var executed: UInt64
        var length: Int
    }

    func run() -> Int32 {
        let size = MemoryLayout<Shared>.stride + maxLength
        guard let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0), memory != MAP_FAILED else {
            print("winnow-fuzz: cannot map shared memory"); return 2
        }
        let shared = memory.bindMemory(to: Shared.self, capacity: 1)
        let buffer = (memory + MemoryLayout<Shared>.stride).assumingMemoryBound(to: UInt8.self)
        var crashes = 0, hangs = 0, total: UInt64 = 0, workers = 0
        let started = MonotonicTime.now, deadline = started + seconds
        try? FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)

        while MonotonicTime.now < deadline {
            shared.pointee = Shared(executed: 0, length: 0)
            workers += 1
            let seed = UInt64(workers) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(getpid())
            let pid = fork()
            if pid == 0 { work(shared: shared, buffer: buffer, seed: seed) }
            var lastCount: UInt64 = 0, lastProgress = MonotonicTime.now
            var status: Int32 = 0
            while true {
                usleep(20_000)
                if waitpid(pid, &status, WNOHANG) == pid {
                    if status & 0x7F != 0 {
                        crashes += 1
                        save("crash", buffer, shared.pointee.length, note: "signal \(status & 0x7F)")
                    }
                    break
                }
                let count = shared.pointee.executed
                if count != lastCount { lastCount = count; lastProgress = MonotonicTime.now }
                if MonotonicTime.now - lastProgress > timeout {
                    hangs += 1
                    save("hang", buffer, shared.pointee.length, note: "no progress for \(timeout) s")
                    kill(pid, SIGKILL); waitpid(pid, &status, 0)
                    break
                }
                if MonotonicTime.now >= deadline { kill(pid, SIGKILL); waitpid(pid, &status, 0); break }
            }
            total += shared.pointee.executed
        }
        let elapsed = MonotonicTime.now - started
        print(
            String(
                format:
                    "winnow-fuzz %@ (mutation harness): %llu inputs in %.0f s (%.0f/s), %d crashes, %d hangs, leaks not measured (no sanitizer), %d worker(s)",
                target.rawValue, total, elapsed, Double(total) / max(elapsed, 1e-9), crashes, hangs, workers))
        return crashes + hangs == 0 ? 0 : 1
    }

    private func save(_ kind: String, _ buffer: UnsafeMutablePointer<UInt8>, _ length: Int, note: String) {
        let bytes = Array(UnsafeBufferPointer(start: buffer, count: min(length, maxLength)))
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        let path = artifacts + "/\(kind)-\(target.rawValue)-" + String(hash, radix: 16)
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        print("winnow-fuzz: \(kind) (\(note)): input saved as \(path); replay with: winnow-fuzz \(target.rawValue) --replay \(path)")
    }

    /// The worker: never returns (the parent ends it).
    private func work(shared: UnsafeMutablePointer<Shared>, buffer: UnsafeMutablePointer<UInt8>, seed: UInt64) -> Never {
        var random = SplitMix64(seed: seed)
        let corpus = seeds.isEmpty ? [[UInt8](repeating: 0, count: 16)] : seeds
        while true {
            var input = corpus[Int(random.next() % UInt64(corpus.count))]
            let rounds = 1 + Int(random.next() % 8)
            for _ in 0..<rounds { mutate(&input, corpus: corpus, random: &random) }
            if input.count > maxLength { input.removeLast(input.count - maxLength) }
            input.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: $0.count) }
            shared.pointee.length = input.count
            shared.pointee.executed += 1
            if let keep, shared.pointee.executed % UInt64(keepEvery) == 0 {
                _ = FileManager.default.createFile(atPath: keep + "/\(seed)-\(shared.pointee.executed)", contents: Data(input))
            }
            input.withUnsafeBytes { target.run($0) }
        }
    }

    static let textBytes = Array(",\"\n\r'()[]{}=:#\\ 0123456789-.eE".utf8)
    static let interesting: [UInt32] = [
        0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFE
    ]

    private func mutate(_ input: inout [UInt8], corpus: [[UInt8]], random: inout SplitMix64) {
        func position() -> Int { input.isEmpty ? 0 : Int(random.next() % UInt64(input.count)) }
        switch random.next() % 9 {
        case 0 where !input.isEmpty: input[position()] ^= UInt8(1 << (random.next() % 8))
        case 1 where !input.isEmpty:
            input[position()] = UInt8(truncatingIfNeeded: Self.interesting[Int(random.next() % UInt64(Self.interesting.count))])
        case 2 where input.count >= 4:
            let value = Self.interesting[Int(random.next() % UInt64(Self.interesting.count))]
            let width = random.next() % 2 == 0 ? 2 : 4
            let at = Int(random.next() % UInt64(input.count - width + 1))
            let bigEndian = random.next() % 2 == 0
            for i in 0..<width { input[at + i] = UInt8(truncatingIfNeeded: value >> (8 * (bigEndian ? width - 1 - i : i))) }
        case 3: input.insert(contentsOf: (0..<(1 + Int(random.next() % 32))).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position())
        case 4 where !input.isEmpty:
            let at = position()
            input.removeSubrange(at..<min(input.count, at + 1 + Int(random.next() % 64)))
        case 5 where !input.isEmpty:
            let at = position(), length = min(input.count - at, 1 + Int(random.next() % 256))
            input.insert(contentsOf: input[at..<(at + length)], at: position())
        case 6:
            let other = corpus[Int(random.next() % UInt64(corpus.count))]
            guard !other.isEmpty else { return }
            let from = Int(random.next() % UInt64(other.count))
            input.replaceSubrange(position()..<input.count, with: other[from...])
        case 7 where input.count > 1: input.removeLast(Int(random.next() % UInt64(input.count)))
        default:
            // A printable or separator byte: CSV, TOML and NPY headers are text.
            guard !input.isEmpty else { return }
            input[position()] = Self.textBytes[Int(random.next() % UInt64(Self.textBytes.count))]
        }
    }
}

/// Seconds on the monotonic clock.
enum MonotonicTime {
    static var now: Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
