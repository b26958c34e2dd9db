#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import WinnowCore

/// Walks `images/` with POSIX calls (a million `URL` objects from FileManager would take
/// several times longer). Hidden entries (`.DS_Store`, `._x.jpg` resource forks) are
/// skipped; symbolic links to files are followed, links to folders are not (no loops).
public enum ImageScanner {
    public struct Result: Sendable {
        /// Relative paths of the files with an image extension (only when asked to list them).
        public var imagePaths: [String] = []
        /// How many files with an image extension there are.
        public var imageCount = 0
        public var skippedFolderLinks = 0
        /// Folders, and files with an image extension, whose names are not UTF-8: shown with
        /// each such byte as `\xNN`, relative to images/. They cannot be named in a dataset's
        /// files (which are UTF-8), so they are never items; the reader says so.
        public var nonUTF8Names: [String] = []
        /// Entries with an image extension that are not regular files (FIFOs, devices,
        /// sockets, or links to them): never items of a scanned dataset.
        public var specialFiles = 0

        /// `imagePaths` sorted by their UTF-8 bytes (the order of items when no file lists them).
        public var sortedImagePaths: [String] { imagePaths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
    }

    /// `.png`, `.jpg`, `.jpeg` or `.webp`, in any letter case, judged on the bytes of a name:
    /// it runs once per file of a possibly million-file tree.
    public static func hasImageExtension<Bytes: BidirectionalCollection<UInt8>>(_ name: Bytes) -> Bool {
        var ext: UInt32 = 0
        var length = 0
        for byte in name.reversed() {
            if byte == 0x2E { break }
            if byte == 0x2F || length == 4 { return false }
            ext = ext << 8 | UInt32(byte | 0x20) // ASCII lower case, read backwards
            length += 1
        }
        // "png", "jpg", "jpeg", "webp", each reversed into the integer.
        return ext == 0x676E70 || ext == 0x67706A || ext == 0x6765706A || ext == 0x70626577
    }

    public static func hasImageExtension(_ path: String) -> Bool { hasImageExtension(path.utf8) }

    /// A name that is not UTF-8, readable: printable ASCII as it is, every other byte `\xNN`.
    public static func escapedName<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var text = ""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7F && byte != 0x5C {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return text
    }

    /// Walks the tree; `listPaths` also collects every image's relative path (needed only
    /// when no items.csv or labels.csv lists the items). Names are read as bytes: one that
    /// is not UTF-8 is reported in `nonUTF8Names`, never silently turned into another name.
    public static func scan(root: String, listPaths: Bool) -> Result {
        var result = Result()
        var pending: [String] = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : root + "/" + relative
            guard let dir = opendir(directory) else { continue }
            let fd = dirfd(dir)
            while let entry = readdir(dir) {
                let type = entry.pointee.d_type
                // The name's bytes: hidden (or ignored) or not, an image extension or not, valid UTF-8 or not.
                let (hidden, isImage, name, badName): (Bool, Bool, String?, String?) = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    let length = raw.firstIndex(of: 0) ?? raw.count
                    let bytes = raw[0..<length]
                    if bytes.first == 0x2E { return (true, false, nil, nil) }
                    let image = hasImageExtension(bytes)
                    // Other files are ignored: no need to read their names.
                    if type == UInt8(DT_REG) && !image { return (true, false, nil, nil) }
                    guard let decoded = String(validating: bytes, as: UTF8.self) else {
                        return (false, image, nil, escapedName(bytes))
                    }
                    return (false, image, decoded, nil)
                }
                if hidden { continue }
                let isFolderType = type == UInt8(DT_DIR)
                var isFolder = isFolderType
                if type == UInt8(DT_LNK) || type == UInt8(DT_UNKNOWN) {
                    var info = stat()
                    let statted = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        raw.withMemoryRebound(to: CChar.self) { fstatat(fd, $0.baseAddress!, &info, 0) == 0 }
                    }
                    guard statted else { continue } // dangling link
                    let mode = info.st_mode & S_IFMT
                    if mode == S_IFDIR {
                        if type == UInt8(DT_LNK) { result.skippedFolderLinks += 1; continue }
                        isFolder = true
                    } else if mode != S_IFREG {
                        if isImage { result.specialFiles += 1 }
                        continue
                    }
                } else if !isFolderType && type != UInt8(DT_REG) {
                    if isImage { result.specialFiles += 1 }
                    continue
                }
                guard isFolder || isImage else { continue }
                guard let name else {
                    // Not UTF-8: a folder (it may hold images) or an image file.
                    result.nonUTF8Names.append((relative.isEmpty ? "" : relative + "/") + badName! + (isFolder ? "/" : ""))
                    continue
                }
                let path = relative.isEmpty ? name : relative + "/" + name
                if isFolder { pending.append(path); continue }
                result.imageCount += 1
                if listPaths { result.imagePaths.append(path) }
            }
            closedir(dir)
        }
        result.nonUTF8Names.sort()
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
            header[8] == 0x57, header[9] == 0x45, header[10] == 0x42, header[11] == 0x50
        {
            return .webp
        }
        return nil
    }

    /// What the import learns about one image file.
    public struct Check: Sendable, Equatable {
        public var problem: String?
        public var size: Int64?
        public var modificationTime: Double?
    }

    /// Checks the file at `path`: it exists, is a regular file, and (when `sniff` is on)
    /// starts like a PNG, JPEG or WebP image. Size and time come from the same `fstat`.
    public static func check(path: String, sniff: Bool) -> Check {
        let fd = sniff ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) : -1
        var info = stat()
        let statted = sniff ? (fd >= 0 && fstat(fd, &info) == 0) : stat(path, &info) == 0
        defer { if fd >= 0 { close(fd) } }
        guard statted else {
            return Check(problem: errno == ENOENT || errno == ENOTDIR ? "missing file" : "cannot be read: \(String(cString: strerror(errno)))")
        }
        var check = Check(
            problem: nil, size: Int64(info.st_size),
            modificationTime: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        if info.st_mode & S_IFMT != S_IFREG { check.problem = "not a regular file"; return check }
        if info.st_size == 0 { check.problem = "empty file"; return check }
        guard sniff else { return check }
        check.problem = withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { buffer -> String? in
            let count = read(fd, buffer.baseAddress, 16)
            guard count >= 0 else { return "cannot be read: \(String(cString: strerror(errno)))" }
            return format(of: UnsafeRawBufferPointer(rebasing: buffer[0..<count])) == nil ? "not a PNG, JPEG or WebP image" : nil
        }
        return check
    }

    /// Checks many files on every core; results are in the order of `paths`.
    public static func check(root: String, paths: [String], sniff: Bool, progress: any ProgressReporter) -> [Check] {
        parallelMap(count: paths.count, chunk: 4096, initial: Check(), progress: progress) { i in
            check(path: root + "/" + paths[i], sniff: sniff)
        }
    }
}

/// `body(i)` for every i in 0..<count, on every core in chunks, results in order; reports
/// the number done to `progress`. For per-file work over a million files.
func parallelMap<T>(
    count: Int, chunk: Int, initial: T, progress: any ProgressReporter,
    _ body: @Sendable (Int) -> T
) -> [T] {
    var results = [T](repeating: initial, count: count)
    let chunks = (count + chunk - 1) / chunk
    let done = SharedCounter()
    results.withUnsafeMutableBufferPointer { buffer in
        let output = UnsafeSendable(buffer)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let range = (c * chunk)..<min(count, (c + 1) * chunk)
            for i in range { output.value[i] = body(i) }
            progress.update(done.add(range.count))
        }
    }
    return results
}
