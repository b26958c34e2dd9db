import Dispatch

/// The one serial worker every libsixel call runs on.
///
/// libsixel is not thread-safe: its quantizer sorts through a global key, and it keeps
/// static buffers and a global error message. All encoders and decoders in the process
/// therefore share this queue. It is a dedicated thread rather than the Swift concurrency
/// pool, so a 70 ms encode never holds up one of the pool's few threads (two on this
/// project's machines).
enum LibSixelWorker {
    private static let queue = DispatchQueue(label: "winnow.graphics.libsixel", qos: .userInitiated)

    /// Runs `work` on the libsixel queue and returns its result.
    static func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
