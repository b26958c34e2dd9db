#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole dataset file read the one safe way (`RegularFile`), for callers outside this
/// module, such as the analysis' full read of every image: opened without blocking, checked
/// to be a regular file (a FIFO, a device or a link to /dev/zero is refused at once), refused
/// above `limit` before anything is read, and read up to the size it had when opened.
public enum DatasetFileContents {
    public enum Failure: Error, Sendable {
        /// Not opened or not read: why, in words ("it is a named pipe (FIFO), not a regular
        /// file", "Permission denied").
        case unreadable(reason: String)
        /// Larger than the caller's limit; nothing was read.
        case tooLarge(byteCount: Int)
    }

    public static func bytes(atPath path: String, limit: Int) throws(Failure) -> [UInt8] {
        let file: RegularFile
        do { file = try RegularFile(path: path) } catch { throw .unreadable(reason: error.reason) }
        let size = file.size, descriptor = file.descriptor // closed when `file` ends, after the reads
        guard size <= limit else { throw .tooLarge(byteCount: size) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        let failure: Int32? = bytes.withUnsafeMutableBytes { buffer in
            while filled < size {
                let count = read(descriptor, buffer.baseAddress! + filled, size - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if count == 0 { break } // the file shrank while being read
                filled += count
            }
            return nil
        }
        if let failure { throw .unreadable(reason: String(cString: strerror(failure))) }
        if filled < size { bytes.removeSubrange(filled...) }
        return bytes
    }
}
