import Foundation

/// Notes a reviewer typed on the review screen without deciding the image yet. A note is
/// stored with a decision (the decision log's `note`); one typed before any decision is kept
/// here until the reviewer's next decision on that image takes it, across sessions: nothing
/// typed is lost when the reviewer moves on or quits.
///
/// One small JSON file per reviewer, `<state>/notes/<reviewer>.json`, image path → note.
/// Every change is a read-modify-write under an exclusive lock on the file's lock file, and
/// the file is replaced atomically, so two sessions of the same reviewer keep both notes.
package final class NoteDrafts: Sendable {
    private let path: String
    private let lockPath: String

    package init(stateDirectory: String, reviewer: String) {
        // Any reviewer name gives one plain file name (no "/" or "..").
        let name = reviewer.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "reviewer"
        path = stateDirectory + "/notes/\(name).json"
        lockPath = stateDirectory + "/notes/\(name).lock"
    }

    /// Every kept note, by image path (empty when there are none).
    package func all() throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        return try locked { try read() }
    }

    /// Keeps `text` as the note of the image at `path` (nil: none any more).
    package func keep(_ text: String?, forImage image: String) throws {
        // Removing a note that was never kept needs no folder, lock or file.
        if text == nil, !FileManager.default.fileExists(atPath: path) { return }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try locked {
            var notes = try read()
            guard notes[image] != text else { return }
            notes[image] = text
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let file = try OutputFile(path: path)
            try file.write(String(decoding: try encoder.encode(notes), as: UTF8.self) + "\n")
            try file.commit()
        }
    }

    private func read() throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        do { return try JSONDecoder().decode([String: String].self, from: data) } catch {
            throw SessionError(
                .projectState, "the kept notes in \(path) are not readable (\(error.localizedDescription))",
                fix: "move the file away (its notes are plain JSON text), then review again")
        }
    }

    private func locked<T>(_ body: () throws -> T) throws -> T {
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw SessionError(.projectState, "cannot lock \(lockPath): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw SessionError(.projectState, "cannot lock \(lockPath): \(String(cString: strerror(errno)))") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
