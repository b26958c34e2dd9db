#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file of a project's state folder (a model's matrix, by import, by copy, or out
/// of a PostgreSQL database) the one way: into a temporary file beside it (`NAME.tmp-PID`,
/// which `removeUnreferencedMatrices` clears if a process dies mid-write), synced, then
/// renamed into place, so a reader never sees half a file. `write` writes the bytes to the
/// descriptor it is given (with `writeAll`) and says whether all went out.
package func writeStateFileAtomically(_ path: String, stateDirectory: String, _ write: (Int32) -> Bool) throws(StoreError) {
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw stateWriteFailure(temporary, stateDirectory: stateDirectory) }
    let ok = write(fd) && fsync(fd) == 0
    close(fd)
    guard ok, rename(temporary, path) == 0 else {
        let failure = stateWriteFailure(path, stateDirectory: stateDirectory)
        unlink(temporary)
        throw failure
    }
}

/// The error for a file of the state that could not be written (errno says why): a full
/// disk said as such.
package func stateWriteFailure(_ path: String, stateDirectory: String) -> StoreError {
    let code = errno
    if DiskSpace.isFull(errno: code) { return .diskFull(folder: stateDirectory) }
    return .io("cannot write \(path): \(String(cString: strerror(code)))")
}

/// Writes every byte of `buffer` to `fd`, retrying short writes.
package func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < buffer.count {
        #if canImport(Glibc)
        let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        #else
        let n = Darwin.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        #endif
        if n < 0 { if errno == EINTR { continue }; return false }
        offset += n
    }
    return true
}
