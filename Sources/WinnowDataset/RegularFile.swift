#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens a file named by a dataset for reading, the one safe way: without blocking (opening
/// a FIFO would otherwise wait forever for a writer), then checked to be a regular file (a
/// device such as /dev/zero never ends). Callers read at most `size` bytes.
struct RegularFile: ~Copyable {
    let descriptor: Int32
    let size: Int
    let status: stat

    enum Failure: Error {
        /// `open` or `fstat` failed with this errno.
        case system(Int32)
        /// Not a regular file: a folder, a FIFO, a socket or a device.
        case notRegular(mode_t)

        var reason: String {
            switch self {
            case .system(let code): return String(cString: strerror(code))
            case .notRegular(let mode): return "it is \(Self.kind(mode)), not a regular file"
            }
        }

        static func kind(_ mode: mode_t) -> String {
            switch mode {
            case S_IFDIR: return "a folder"
            case S_IFIFO: return "a named pipe (FIFO)"
            case S_IFCHR: return "a character device"
            case S_IFBLK: return "a block device"
            case S_IFSOCK: return "a socket"
            default: return "something else"
            }
        }
    }

    init(path: String) throws(Failure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw .system(errno) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .system(code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .notRegular(info.st_mode & S_IFMT)
        }
        descriptor = fd
        size = Int(info.st_size)
        status = info
    }

    deinit { close(descriptor) }
}
