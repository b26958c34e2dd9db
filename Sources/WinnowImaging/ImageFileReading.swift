#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole image file, refusing before reading when it is larger than the limit or is
/// not a regular file (a FIFO or a device would block or never end). The file is opened
/// non-blocking, so even opening a FIFO (which waits for a writer) cannot hang the caller.
public enum ImageFileReading {
    public static func bytes(atPath path: String, limit: Int) throws(ImageDecodeError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw .unreadableFile(path: path, reason: lastErrorDescription()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadableFile(path: path, reason: lastErrorDescription()) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .unreadableFile(path: path, reason: status.st_mode & S_IFMT == S_IFDIR ? "it is a directory" : "it is not a regular file")
        }
        let size = Int(status.st_size)
        guard size <= limit else { throw .fileTooLarge(byteCount: size, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        let failure: String? = bytes.withUnsafeMutableBytes { buffer in
            while filled < size {
                let count = read(descriptor, buffer.baseAddress! + filled, size - filled)
                if count < 0 {
                    if errno == EINTR { continue }
                    return lastErrorDescription()
                }
                if count == 0 { break } // the file shrank while being read
                filled += count
            }
            return nil
        }
        if let failure { throw .unreadableFile(path: path, reason: failure) }
        if filled < size { bytes.removeSubrange(filled...) }
        return bytes
    }

    private static func lastErrorDescription() -> String {
        String(cString: strerror(errno))
    }
}
