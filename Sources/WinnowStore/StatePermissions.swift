#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who may read and write a project's state folder, decided by its dataset folder.
///
/// The operating system's permissions are the real security boundary of a project: Winnow's
/// roles only guard against mistakes. So the state follows the dataset: when the dataset
/// folder is group-writable (a team's shared folder), the state folder is created
/// group-shared (setgid, so every file keeps the folder's group; group read and write, which
/// SQLite's journal files copy from the database file); otherwise it is private to the
/// owner plus whatever read access the dataset folder gives.
enum StatePermissions {
    /// The modes for a state folder inside `parent`, and the umask that keeps files made
    /// later (by SQLite, caches, exports) accessible to the same people.
    static func forState(inside parent: String) -> (shared: Bool, folder: mode_t, database: mode_t, umask: mode_t) {
        var info = stat()
        guard stat(parent, &info) == 0 else { return (false, 0o755, 0o644, 0o022) }
        let mode = info.st_mode
        let shared = mode & S_IWGRP != 0
        let othersRead = mode & S_IROTH != 0
        if shared {
            return (true, 0o2770 | (othersRead ? 0o005 : 0), 0o660 | (othersRead ? 0o004 : 0), othersRead ? 0o002 : 0o007)
        }
        return (false, 0o700 | (mode & 0o055), 0o600 | (mode & 0o044), 0o022 | (othersRead ? 0 : 0o005))
    }

    /// Creates `folder` (when missing) and the database file in it with those modes, and sets
    /// the process umask for what follows.
    static func prepare(stateDirectory folder: String, databasePath: String) {
        let parent = folder.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let modes = forState(inside: parent.isEmpty ? "/" : parent)
        if modes.shared { umask(modes.umask) }
        if mkdir(folder, modes.folder) == 0 {
            chmod(folder, modes.folder)  // mkdir applies the umask; the setgid bit needs chmod
        }
        let fd = open(databasePath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, modes.database)
        if fd >= 0 {
            fchmod(fd, modes.database)
            close(fd)
        }
    }
}
