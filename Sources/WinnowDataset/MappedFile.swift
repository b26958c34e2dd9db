#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WinnowCore

/// A read-only memory mapping of a whole file. Large inputs (a 1M × 512 embedding matrix
/// is 2 GB) are read through the page cache instead of being copied into the heap.
public final class MappedFile: @unchecked Sendable {
    // Safety: the mapping is read-only and immutable for the object's lifetime.
    public let path: String
    public let size: Int
    public let modificationTime: Double
    private let base: UnsafeRawPointer?

    /// Maps `path`. `displayName` is how errors name the file (relative to the dataset).
    public init(path: String, displayName: String) throws(DataProblem) {
        self.path = path
        // Opened without blocking and checked to be a regular file: a FIFO named labels.csv
        // must not hang the import, nor a link to /dev/zero feed it forever.
        let file: RegularFile
        do { file = try RegularFile(path: path) } catch {
            switch error {
            case .notRegular(let mode):
                throw DataProblem(
                    file: displayName, message: "is not a regular file (it is \(RegularFile.Failure.kind(mode)))",
                    hint: "replace it with a regular file")
            case .system(let code) where code == EACCES || code == EPERM:
                throw DataProblem(file: displayName, message: "cannot be opened: \(error.reason)", hint: "check the file's permissions")
            case .system:
                throw DataProblem(
                    file: displayName, message: "cannot be opened: \(error.reason)",
                    hint: "check that the file exists and that you may read it")
            }
        }
        let info = file.status
        let fd = file.descriptor
        size = Int(info.st_size)
        modificationTime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        if size == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw DataProblem(
                file: displayName, message: "cannot be mapped into memory: \(String(cString: strerror(errno)))",
                hint: "check free address space and the file system")
        }
        madvise(mapped, size, MADV_SEQUENTIAL)
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), size) }
    }

    /// The file's bytes; valid while `self` is alive.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }
}
