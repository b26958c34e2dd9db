#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WinnowCore

/// Writes a file aside (`.NAME.tmp-PID` in the same folder) and renames it into place on
/// `commit()`, so readers see the old file or the whole new one, never half of one.
/// Without `commit()` (an error, a crash) the temporary file is removed and the target
/// is untouched. Output is buffered; `path == nil` writes to stdout instead.
///
/// Written to a terminal (standard output, or `-o /dev/tty`), the text is sanitised like
/// every other thing the CLI prints: CSV cells and JSON are data from the dataset, and a
/// terminal would run the escape sequences in them. Files and pipes get the bytes verbatim.
package final class OutputFile {
    package let path: String?
    private let temporaryPath: String?
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    private lazy var isTerminal = isatty(fd) == 1

    package init(path: String?) throws {
        self.path = path
        buffer.reserveCapacity(1 << 20)
        guard let path else {
            temporaryPath = nil
            fd = STDOUT_FILENO
            return
        }
        // A device or a pipe (`-o /dev/null`, `-o /dev/stdout`) is written in place: renaming
        // a file over it would replace the device itself.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG, info.st_mode & S_IFMT != S_IFDIR {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SessionError.cannotWrite(path, errno: errno) }
            self.fd = fd
            temporaryPath = nil
            return
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SessionError.cannotWrite(path, errno: errno) }
        self.fd = fd
        temporaryPath = temporary
    }

    deinit {
        guard !committed else { return }
        if let temporaryPath {
            close(fd)
            unlink(temporaryPath)
        } else if path != nil {
            close(fd)
        }
    }

    package func write(_ text: String) throws {
        if temporaryPath == nil, isTerminal {
            buffer.append(contentsOf: TerminalText.sanitizeKeepingLineBreaks(text).utf8)
        } else {
            buffer.append(contentsOf: text.utf8)
        }
        if buffer.count >= 1 << 20 { try flush() }
    }

    package func write(bytes: UnsafeRawBufferPointer) throws {
        if temporaryPath == nil, isTerminal { return try write(String(decoding: bytes, as: UTF8.self)) }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        try buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw SessionError.cannotWrite(path ?? "standard output", errno: errno)
                }
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the file into place.
    package func commit() throws {
        try flush()
        guard let path, let temporaryPath else {
            if path != nil, !committed { close(fd) }
            committed = true
            return
        }
        guard fsync(fd) == 0 else { throw SessionError.cannotWrite(path, errno: errno) }
        close(fd)
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw SessionError(.projectState, "cannot replace \(path): \(String(cString: strerror(errno)))")
        }
        committed = true
    }
}
