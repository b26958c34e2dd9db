#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who may read and write a project's state folder, decided by its dataset folder.
///
/// The operating system's permissions are the real security boundary of a project: Winnow's
/// roles only guard against mistakes. So the state follows the dataset folder (never the
/// folder the state happens to be put in: `--state /tmp/x` must not make a private
/// dataset's decisions world-readable because /tmp is). When the dataset folder is
/// group-writable (a team's shared folder), the state folder is created group-shared:
/// setgid, owned by the dataset folder's group (so every file keeps it), group read and
/// write, which SQLite's journal files copy from the database file. Otherwise it is private
/// to the owner plus whatever read access the dataset folder gives. The process umask is
/// set to match on every open, so what is created later (caches, saved queues, matrices)
/// is never more open than the folder, whatever umask the user runs with.
enum StatePermissions {
    struct Modes: Equatable {
        var shared: Bool
        var folder: mode_t
        var database: mode_t
        var umask: mode_t
    }

    /// The modes for a project of a dataset folder with permission bits `mode`.
    static func modes(forDatasetMode mode: mode_t) -> Modes {
        let othersRead = mode & S_IROTH != 0
        if mode & S_IWGRP != 0 {
            return Modes(
                shared: true, folder: 0o2770 | (othersRead ? 0o005 : 0), database: 0o660 | (othersRead ? 0o004 : 0),
                umask: othersRead ? 0o002 : 0o007)
        }
        // Nobody but the owner writes; the group and others read what the dataset lets them.
        let readable = mode & 0o055
        return Modes(shared: false, folder: 0o700 | readable, database: 0o600 | (mode & 0o044), umask: 0o077 & ~readable)
    }

    /// Creates `folder` (when missing) and the database file in it with the modes of
    /// `datasetFolder` (default: the state folder's parent, where `.winnow` normally is),
    /// and sets the process umask for what follows.
    static func prepare(stateDirectory folder: String, databasePath: String, datasetFolder: String? = nil) {
        let parent = folder.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let dataset = datasetFolder ?? (parent.isEmpty ? "/" : parent)
        var info = stat()
        var modes = stat(dataset, &info) == 0 ? Self.modes(forDatasetMode: info.st_mode) : Self.modes(forDatasetMode: 0o755)
        // Shared means shared with the dataset folder's group: when this process cannot give
        // the state that group, a group-writable folder would be shared with the wrong
        // people (the creator's own group), so it stays private instead.
        let group = info.st_gid
        if modes.shared, !canUseGroup(group) { modes = Self.modes(forDatasetMode: info.st_mode & ~S_IWGRP) }
        umask(modes.umask)
        if mkdir(folder, modes.folder) == 0 {
            if modes.shared, chown(folder, uid_t.max, group) != 0 {
                modes = Self.modes(forDatasetMode: info.st_mode & ~S_IWGRP)
                umask(modes.umask)
            }
            chmod(folder, modes.folder) // mkdir applies the umask; the setgid bit needs chmod
        }
        let fd = open(databasePath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, modes.database)
        if fd >= 0 {
            fchmod(fd, modes.database)
            close(fd)
        }
    }

    /// Whether this process may give its files `group`: its own, one of its supplementary
    /// groups, or any when it runs as root.
    static func canUseGroup(_ group: gid_t) -> Bool {
        if geteuid() == 0 || getegid() == group { return true }
        let count = getgroups(0, nil)
        guard count > 0 else { return false }
        var groups = [gid_t](repeating: 0, count: Int(count))
        let filled = getgroups(count, &groups)
        return filled > 0 && groups.prefix(Int(filled)).contains(group)
    }
}
