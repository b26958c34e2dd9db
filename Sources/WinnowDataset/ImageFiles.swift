#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import WinnowCore

/// A file found under `images/`.
public struct ImageFileInfo: Sendable, Equatable {
    public var size: Int64
    public var modificationTime: Double
}

/// Walks `images/` with POSIX calls (a million `URL` objects from FileManager would take
/// several times longer). Hidden entries (`.DS_Store`, `._x.jpg` resource forks) are
/// skipped; symbolic links to files are followed, links to folders are not (no loops).
public enum ImageScanner {
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "webp"]

    public struct Result: Sendable {
        /// Every regular file below images/, by relative path.
        public var files: [String: ImageFileInfo] = [:]
        /// Relative paths of the files with an image extension, sorted.
        public var imagePaths: [String] = []
        public var skippedFolderLinks = 0
    }

    public static func hasImageExtension(_ path: String) -> Bool {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return false }
        return imageExtensions.contains(path[path.index(after: dot)...].lowercased())
    }

    public static func scan(root: String) -> Result {
        var result = Result()
        var pending: [String] = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : root + "/" + relative
            guard let dir = opendir(directory) else { continue }
            let fd = dirfd(dir)
            while let entry = readdir(dir) {
                let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                    pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name.hasPrefix(".") { continue }
                let child = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                let type = entry.pointee.d_type
                if type == UInt8(DT_DIR) { pending.append(child); continue }
                guard fstatat(fd, name, &info, 0) == 0 else {
                    // A dangling link or unreadable entry: record it so the item is flagged, not lost.
                    continue
                }
                let mode = info.st_mode & S_IFMT
                if mode == S_IFDIR {
                    if type == UInt8(DT_LNK) { result.skippedFolderLinks += 1 } else { pending.append(child) }
                    continue
                }
                guard mode == S_IFREG else { continue }
                result.files[child] = ImageFileInfo(
                    size: Int64(info.st_size),
                    modificationTime: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
                if hasImageExtension(child) { result.imagePaths.append(child) }
            }
            closedir(dir)
        }
        result.imagePaths.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return result
    }
}

/// Recognises image files by their first bytes, cheaply enough to check every image at import.
/// Full decoding (and its hostile-file defences) happens in the image pipeline, lazily.
public enum ImageSniffer {
    public enum Format: String, Sendable { case png, jpeg, webp }

    public static func format(of header: UnsafeRawBufferPointer) -> Format? {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if header.count >= 8, zip(header.prefix(8), png).allSatisfy({ $0 == $1 }) { return .png }
        if header.count >= 3, header[0] == 0xFF, header[1] == 0xD8, header[2] == 0xFF { return .jpeg }
        if header.count >= 12, header[0] == 0x52, header[1] == 0x49, header[2] == 0x46, header[3] == 0x46,
           header[8] == 0x57, header[9] == 0x45, header[10] == 0x42, header[11] == 0x50 { return .webp }
        return nil
    }

    /// The problem with the file at `path`, or nil when it looks like a supported image.
    public static func problem(atPath path: String, size: Int64) -> String? {
        if size == 0 { return "empty file" }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "cannot be read: \(String(cString: strerror(errno)))" }
        defer { close(fd) }
        return withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { buffer -> String? in
            let count = read(fd, buffer.baseAddress, 16)
            guard count >= 0 else { return "cannot be read: \(String(cString: strerror(errno)))" }
            if format(of: UnsafeRawBufferPointer(rebasing: buffer[0..<count])) == nil {
                return "not a PNG, JPEG or WebP image"
            }
            return nil
        }
    }

    /// Checks many files on every core; results are in the order of `paths`.
    public static func problems(root: String, paths: [String], sizes: [Int64?],
                                progress: any ProgressReporter) -> [String?] {
        var results = [String?](repeating: nil, count: paths.count)
        let chunk = 4096
        let chunks = (paths.count + chunk - 1) / chunk
        let done = AtomicCounter()
        results.withUnsafeMutableBufferPointer { buffer in
            let output = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let range = (c * chunk)..<min(paths.count, (c + 1) * chunk)
                for i in range {
                    if let size = sizes[i] {
                        output.value[i] = problem(atPath: root + "/" + paths[i], size: size)
                    } else {
                        output.value[i] = "missing file"
                    }
                }
                progress.update(done.add(range.count))
            }
        }
        return results
    }
}

/// Wraps a value for hand-off to `concurrentPerform` when the workers touch disjoint parts of it.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A counter shared by worker threads, for progress.
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private var lock = pthread_mutex_t()
    init() { pthread_mutex_init(&lock, nil) }
    deinit { pthread_mutex_destroy(&lock) }
    func add(_ n: Int) -> Int {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        value += n
        return value
    }
}
