#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB

/// Recognises a full disk behind a failed write, so the user is told that, and not to
/// check permissions. SQLite says SQLITE_FULL when a write comes up short, but a failed
/// WAL or journal write reaches it as a plain "disk I/O error"; then the file system's free
/// space (and the process's file size limit, `ulimit -f`) decide.
public enum DiskSpace {
    /// errno values of a write that ran out of space: the disk, the user's quota, or the
    /// process's file size limit (EFBIG once SIGXFSZ is ignored).
    public static func isFull(errno code: Int32) -> Bool {
        code == ENOSPC || code == EDQUOT || code == EFBIG
    }

    /// Below this many free bytes an I/O error on the file system is taken for a full disk:
    /// SQLite's writes are pages and WAL frames, a few kilobytes each.
    static let nearlyFull: UInt64 = 16 << 20

    /// Whether `error` (from SQLite, through GRDB) means that `folder`'s disk is full.
    static func isFull(_ error: any Error, folder: String) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        if error.resultCode == .SQLITE_FULL { return true }
        guard error.resultCode == .SQLITE_IOERR || error.resultCode == .SQLITE_CANTOPEN else { return false }
        return (freeBytes(folder).map { $0 < nearlyFull } ?? false) || reachedFileSizeLimit(in: folder)
    }

    /// Whether a database file in `folder` has grown to within a few pages of `ulimit -f`
    /// (a write past it fails part-way, leaving the file at the limit).
    static func reachedFileSizeLimit(in folder: String) -> Bool {
        guard let limit = fileSizeLimit else { return false }
        return ["", "-wal", "-journal"].contains { suffix in
            var info = stat()
            return stat(folder + "/winnow.sqlite" + suffix, &info) == 0 && UInt64(info.st_size) + (64 << 10) >= limit
        }
    }

    /// What is full, in words, and what to do: the disk (with the space left), or the
    /// process's file size limit when the disk has room.
    public static func explain(folder: String) -> (reason: String, fix: String) {
        let free = freeBytes(folder)
        if let limit = fileSizeLimit, free.map({ $0 >= nearlyFull }) ?? true {
            return (
                "no file may grow past \(formatBytes(limit)) (the file size limit, ulimit -f)",
                "raise the limit (ulimit -f unlimited), then run the command again"
            )
        }
        return (
            "the disk is full" + (free.map { " (\(formatBytes($0)) free)" } ?? ""),
            "free space on that disk (df -h shows it), then run the command again"
        )
    }

    /// Bytes an unprivileged user may still write on the file system holding `path`.
    static func freeBytes(_ path: String) -> UInt64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    /// The process's file size limit (RLIMIT_FSIZE), when it has one.
    static var fileSizeLimit: UInt64? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return UInt64(limit.rlim_cur)
    }

    static func formatBytes(_ bytes: UInt64) -> String {
        if bytes < 1 << 20 { return "\(bytes / 1024) KiB" }
        if bytes < 1 << 30 { return "\(bytes >> 20) MiB" }
        return String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
    }
}
