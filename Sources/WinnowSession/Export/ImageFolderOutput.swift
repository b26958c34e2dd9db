#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WinnowCore
import WinnowStore

/// An imagefolder export: `OUT/<class>/<image file name>`, the layout torchvision's
/// `ImageFolder`, Keras' `image_dataset_from_directory` and Hugging Face's `imagefolder`
/// load directly (a class folder is created only when an image goes into it, since empty
/// class folders make some loaders fail). A multi-label item goes into the folder of each
/// of its classes.
///
/// The folder is built aside, in `OUT.tmp-PID`, and renamed into place at `commit`, so
/// OUT is never half-written; without a commit (an error) the folder built so far is
/// removed. An existing OUT is replaced only with `force`, and only when it is a previous
/// imagefolder export (its `manifest.json` says so): the old folder is renamed aside, the
/// new one renamed in, then the old one deleted.
///
/// Names: class names and file names are untrusted. Each becomes one safe path component
/// (`SafeFileName`); a class folder whose name had to change gets `-<hash>` (of the class
/// name) appended, and so do classes whose folders would differ only in letter case. An
/// image whose file name had to change, or whose name is already taken in its class folder
/// (same file name in two source folders), is written as `<hash>-<name>`, the hash being
/// of its path relative to images/; which one of two same-named images keeps the plain
/// name is decided by items order. Every renamed file is listed in the manifest.
package final class ImageFolderOutput {
    package enum LinkMode: String, CaseIterable, Sendable {
        /// Hard links: no space used, and the export stays valid if the dataset moves;
        /// needs the same file system.
        case hard
        /// Symbolic links to the images' absolute paths.
        case sym
        /// Copies.
        case copy
    }

    package let path: String
    package let temporaryPath: String
    package let imagesRoot: String
    /// The dataset folder and images/, resolved (images/ may be a link to another disk):
    /// images whose files resolve outside both are left out.
    package let allowedRoots: [String]
    package let mode: LinkMode
    package let force: Bool
    package private(set) var classFolders: [String: String]
    private var createdFolders = Set<String>()
    /// Output file (relative to OUT) → image path, for files not written under their own name.
    package private(set) var renamed: [String: String] = [:]
    package private(set) var missing: [String] = []
    /// Images left out, with why: a problem the import found (not a regular file, not an
    /// image), or a symbolic link that leads out of the dataset folder (an export must
    /// never copy /etc/passwd because a dataset linked to it).
    package private(set) var leftOut: [String: String] = [:]
    package private(set) var copiedInsteadOfLinked = 0
    private var committed = false

    package static let manifestName = "manifest.json"

    package init(path: String, imagesRoot: String, classes: [String], mode: LinkMode, force: Bool) throws {
        let trimmed = Self.withoutTrailingSlash(path)
        self.path = trimmed
        self.imagesRoot = imagesRoot
        let dataset = (imagesRoot as NSString).deletingLastPathComponent
        allowedRoots = [Self.resolved(dataset) ?? dataset, Self.resolved(imagesRoot) ?? imagesRoot]
        self.mode = mode
        self.force = force
        self.classFolders = Self.folderNames(for: classes)
        temporaryPath = trimmed + ".tmp-\(getpid())"
        try Self.checkReplaceable(trimmed, force: force)
        removeTree(temporaryPath) // a leftover of a killed run that had this process id
        guard mkdir(temporaryPath, 0o755) == 0 else {
            throw SessionError(
                .projectState, "cannot create \(TerminalText.sanitize(temporaryPath)): \(String(cString: strerror(errno)))",
                fix: "check that the folder exists and that you may write there")
        }
    }

    deinit {
        closeFolders()
        if !committed { removeTree(temporaryPath) }
    }

    /// The layout, for the manifest.
    package var layout: ImageFolderLayout {
        ImageFolderLayout(
            classFolders: classFolders, renamedFiles: renamed,
            naming: """
                OUT/<class folder>/<file name>. Unsafe characters (/, \\, control and bidirectional characters) become _, a leading . becomes _, \
                names are cut to \(SafeFileName.maxBytes) bytes; a class folder whose name changed gets -<hash of the class name>; a file whose \
                name changed or was already taken in its folder is written as <hash of its path under images/>-<name>.
                """)
    }

    /// Leaves an image out of the export, saying why (listed in the manifest).
    package func leaveOut(_ imagePath: String, reason: String) {
        leftOut[imagePath] = reason
    }

    /// Links (or copies) one image into the folder of each of `classes`. An image whose
    /// file is missing is not written (listed in `missing`, and false is returned), nor one
    /// whose file leads out of the dataset or is not a regular file (listed in `leftOut`).
    @discardableResult
    package func add(imagePath: String, classes: [String]) throws -> Bool {
        let slash = imagePath.lastIndex(of: "/")
        let base = slash.map { String(imagePath[imagePath.index(after: $0)...]) } ?? imagePath
        let source = sourceLocation(folder: slash.map { String(imagePath[..<$0]) } ?? "", name: base)
        if let reason = reasonToLeaveOut(source) {
            if reason == Self.missingReason { missing.append(imagePath) } else { leftOut[imagePath] = reason }
            return false
        }
        let safe = SafeFileName.make(base)
        for label in classes {
            let folder = folderName(for: label)
            let destinationFolder = try openFolder(folder)
            var name = safe.altered ? SafeFileName.shortHash(imagePath) + "-" + safe.name : safe.name
            var attempt = 0
            while true {
                let destination =
                    destinationFolder == AT_FDCWD ? Location(AT_FDCWD, temporaryPath + "/" + folder + "/" + name) : Location(destinationFolder, name)
                let status = place(source, destination)
                if status == 0 { break }
                if status == ENOENT, faccessat(source.folder, source.name, F_OK, 0) != 0 {
                    missing.append(imagePath)
                    return false
                }
                if status == Self.notRegularFile {
                    leftOut[imagePath] = "not a regular file"
                    return false
                }
                guard status == EEXIST else { throw failure(status, source: imagesRoot + "/" + imagePath, destination: folder + "/" + name) }
                // Taken in this folder: a same-named image from another source folder came first.
                attempt += 1
                name = SafeFileName.shortHash(imagePath) + (attempt > 1 ? "-\(attempt)" : "") + "-" + safe.name
            }
            if name != base { renamed[folder + "/" + name] = imagePath }
        }
        return true
    }

    /// Writes the manifest into the folder and renames the folder into place.
    package func commit(manifest: ExportManifest) throws {
        closeFolders()
        try manifest.write(to: temporaryPath + "/" + Self.manifestName)
        var info = stat()
        if lstat(path, &info) == 0 {
            try Self.checkReplaceable(path, force: force) // again: it may have appeared meanwhile
            let aside = path + ".old-\(getpid())"
            guard rename(path, aside) == 0 else { throw cannotReplace() }
            guard rename(temporaryPath, path) == 0 else {
                let failure = cannotReplace()
                rename(aside, path)
                throw failure
            }
            committed = true
            removeTree(aside)
        } else {
            guard rename(temporaryPath, path) == 0 else { throw cannotReplace() }
            committed = true
        }
    }

    // MARK: - Placing files

    /// A file named relative to an open folder (or to the working directory, by its path).
    package struct Location {
        package var folder: Int32
        package var name: String
        package init(_ folder: Int32, _ name: String) {
            self.folder = folder
            self.name = name
        }
    }

    /// Open folders: the source folder of the last image, and the class folders being
    /// filled (up to `maxOpenFolders`). Naming files inside them spares the kernel a walk
    /// down the whole path for each of a million files.
    private var source: (folder: String, descriptor: Int32, insideDataset: Bool)?
    private var folderDescriptors: [String: Int32] = [:]
    package static let maxOpenFolders = 256

    private func sourceLocation(folder: String, name: String) -> Location {
        if let source, source.folder == folder { return Location(source.descriptor, name) }
        if let source { close(source.descriptor) }
        source = nil
        let folderPath = imagesRoot + (folder.isEmpty ? "" : "/" + folder)
        let descriptor = open(folderPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return Location(AT_FDCWD, imagesRoot + "/" + (folder.isEmpty ? "" : folder + "/") + name) }
        // Resolved once per folder: a folder reached through a link out of the dataset
        // (items.csv can name one) puts all of its images outside.
        source = (folder, descriptor, Self.resolved(folderPath).map(isInsideDataset) ?? false)
        return Location(descriptor, name)
    }

    package static let missingReason = "missing"
    package static let outsideReason = "a symbolic link to a file outside the dataset folder"

    /// Why the image at `location` must not be placed, or nil. One `fstatat` per image;
    /// `realpath` only for the rare image that is itself a symbolic link.
    private func reasonToLeaveOut(_ location: Location) -> String? {
        if location.folder != AT_FDCWD, source?.insideDataset == false { return Self.outsideReason }
        var info = stat()
        guard fstatat(location.folder, location.name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return errno == ENOENT ? Self.missingReason : nil }
        let isLink = info.st_mode & S_IFMT == S_IFLNK
        if isLink || location.folder == AT_FDCWD {
            guard let target = Self.resolved(absolutePath(location)) else { return Self.missingReason } // dangling
            if !isInsideDataset(target) { return Self.outsideReason }
            guard stat(target, &info) == 0 else { return Self.missingReason }
        }
        return info.st_mode & S_IFMT == S_IFREG ? nil : "not a regular file"
    }

    private func isInsideDataset(_ resolvedPath: String) -> Bool {
        allowedRoots.contains { resolvedPath == $0 || resolvedPath.hasPrefix($0 == "/" ? "/" : $0 + "/") }
    }

    /// `path` with every symbolic link resolved, or nil when it does not exist.
    package static func resolved(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Creates a class folder on first use; its descriptor, or AT_FDCWD when too many are open.
    private func openFolder(_ folder: String) throws -> Int32 {
        if let descriptor = folderDescriptors[folder] { return descriptor }
        try createFolder(folder)
        guard folderDescriptors.count < Self.maxOpenFolders else { return AT_FDCWD }
        let descriptor = open(temporaryPath + "/" + folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return AT_FDCWD }
        folderDescriptors[folder] = descriptor
        return descriptor
    }

    private func closeFolders() {
        if let source { close(source.descriptor) }
        source = nil
        for descriptor in folderDescriptors.values { close(descriptor) }
        folderDescriptors = [:]
    }

    /// Places one file; returns 0 or the errno of the failure.
    private func place(_ source: Location, _ destination: Location) -> Int32 {
        switch mode {
        case .hard:
            // AT_SYMLINK_FOLLOW: an image that is a symbolic link is linked to its target.
            if linkat(source.folder, source.name, destination.folder, destination.name, AT_SYMLINK_FOLLOW) == 0 { return 0 }
            guard errno == EMLINK else { return errno }
            // The file already has as many hard links as the file system allows.
            let status = copyFile(source, destination)
            if status == 0 { copiedInsteadOfLinked += 1 }
            return status
        case .sym:
            if faccessat(source.folder, source.name, F_OK, 0) != 0 { return ENOENT }
            return symlinkat(absolutePath(source), destination.folder, destination.name) == 0 ? 0 : errno
        case .copy:
            return copyFile(source, destination)
        }
    }

    /// `place`'s status for a source that is not a regular file (not an errno value).
    package static let notRegularFile: Int32 = -2

    /// Copies a file, in the kernel (sendfile). The source is opened without blocking and
    /// must be a regular file: a FIFO would block the export, a device never end it.
    private func copyFile(_ source: Location, _ destination: Location) -> Int32 {
        let input = openat(source.folder, source.name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard input >= 0 else { return errno }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { return errno }
        guard info.st_mode & S_IFMT == S_IFREG else { return Self.notRegularFile }
        let output = openat(destination.folder, destination.name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { return errno }
        var status: Int32 = 0
        var remaining = Int(info.st_size) // at most the size it had when opened
        while remaining > 0 {
            let n = sendfile(output, input, nil, min(remaining, 1 << 30))
            if n == 0 { break }
            if n > 0 { remaining -= n }
            if n < 0 {
                if errno == EINTR { continue }
                status = errno
                break
            }
        }
        close(output)
        if status != 0 { unlinkat(destination.folder, destination.name, 0) }
        return status
    }

    /// The absolute path of a source file (the target of a symbolic link).
    private func absolutePath(_ location: Location) -> String {
        if location.folder == AT_FDCWD { return location.name }
        return imagesRoot + "/" + (source.map { $0.folder.isEmpty ? "" : $0.folder + "/" } ?? "") + location.name
    }

    private func createFolder(_ folder: String) throws {
        guard !createdFolders.contains(folder) else { return }
        let folderPath = temporaryPath + "/" + folder
        guard mkdir(folderPath, 0o755) == 0 || errno == EEXIST else {
            throw SessionError(.projectState, "cannot create \(TerminalText.sanitize(folderPath)): \(String(cString: strerror(errno)))")
        }
        createdFolders.insert(folder)
    }

    private func failure(_ status: Int32, source: String, destination: String) -> SessionError {
        let shown = TerminalText.sanitize(path + "/" + destination)
        switch status {
        case EXDEV:
            return SessionError(
                .projectState,
                "cannot hard-link \(TerminalText.sanitize(source)) as \(shown): the dataset and the export are on different file systems",
                fix: "use --link sym (symbolic links) or --link copy, or write the export on the dataset's file system")
        case EPERM where mode == .hard:
            return SessionError(
                .projectState,
                "cannot hard-link \(TerminalText.sanitize(source)) as \(shown): not permitted (the file system, or the kernel's protected_hardlinks for files you do not own)",
                fix: "use --link sym or --link copy")
        case _ where DiskSpace.isFull(errno: status):
            return SessionError.cannotWrite(path + "/" + destination, errno: status)
        default:
            return SessionError(
                .projectState, "cannot write \(shown) (from \(TerminalText.sanitize(source))): \(String(cString: strerror(status)))",
                fix: "check free space and permissions")
        }
    }

    private func cannotReplace() -> SessionError {
        SessionError(.projectState, "cannot put the export in place at \(TerminalText.sanitize(path)): \(String(cString: strerror(errno)))")
    }

    // MARK: - Names and replacing

    /// The folder of `label`. A label outside the taxonomy the folder names were made for
    /// (a class a re-import removed, still named by an old decision) gets one by the same rules.
    private func folderName(for label: String) -> String {
        if let folder = classFolders[label] { return folder }
        let taken = Set(classFolders.values.map { $0.lowercased() })
        var folder = Self.folderNames(for: [label])[label]!
        if taken.contains(folder.lowercased()) { folder = SafeFileName.make(label).name + "-" + SafeFileName.shortHash(label) }
        var n = 2
        let base = folder
        while taken.contains(folder.lowercased()) { folder = base + "-\(n)"; n += 1 }
        classFolders[label] = folder
        return folder
    }

    /// Every class's folder name: safe, unique, and unique ignoring letter case (for
    /// case-insensitive file systems), never the manifest's name.
    package static func folderNames(for classes: [String]) -> [String: String] {
        var folders: [String: String] = [:]
        for name in classes {
            let safe = SafeFileName.make(name)
            folders[name] = safe.altered || safe.name == manifestName ? safe.name + "-" + SafeFileName.shortHash(name) : safe.name
        }
        let byFold = Dictionary(grouping: classes) { folders[$0]!.lowercased() }
        for (_, group) in byFold where group.count > 1 {
            for name in group where folders[name] == name { folders[name] = name + "-" + SafeFileName.shortHash(name) }
        }
        // Two hashes alike (one chance in four billion): number them in taxonomy order.
        var seen = Set<String>()
        for (position, name) in classes.enumerated() where !seen.insert(folders[name]!.lowercased()).inserted {
            folders[name]! += "-\(position)"
            seen.insert(folders[name]!.lowercased())
        }
        return folders
    }

    /// Refuses an existing `path` unless `force` is set and it is a previous imagefolder export.
    package static func checkReplaceable(_ path: String, force: Bool) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        let shown = TerminalText.sanitize(path)
        guard force else {
            throw SessionError(
                .refused, "\(shown) already exists", fix: "pass --force to replace it (a previous imagefolder export), or choose another -o")
        }
        guard isPreviousExport(path) else {
            throw SessionError(
                .refused,
                "\(shown) exists and is not an imagefolder export of Winnow (no manifest.json of one): refusing to replace it, even with --force",
                fix: "remove it yourself, or choose another -o")
        }
    }

    /// `OUT/` names the folder OUT: its siblings (`OUT.tmp-PID`, `OUT.held-back`) are beside it.
    package static func withoutTrailingSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    package static func isPreviousExport(_ path: String) -> Bool {
        var info = stat()
        var manifest = stat() // a regular file: a FIFO named manifest.json must not hang --force
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
            lstat(path + "/" + manifestName, &manifest) == 0, manifest.st_mode & S_IFMT == S_IFREG, manifest.st_size < 64 << 20,
            let data = FileManager.default.contents(atPath: path + "/" + manifestName),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return false }
        return object["winnow_version"] != nil && object["format"] as? String == "imagefolder"
    }
}

/// Removes a file or a folder tree (symbolic links are removed, never followed).
package func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    try? FileManager.default.removeItem(atPath: path)
}
