#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A PostgreSQL server of the process's own (a test run's, or a benchmark's): `initdb` into a temporary folder, the
/// server on a Unix socket in that folder only (`listen_addresses=''`: nothing listens on
/// TCP), started on first use and shared by every test of the process, each test in a
/// database of its own. It is stopped and its folder removed when the process exits, and
/// also when the process dies without exiting (a watchdog of its own session waits for the
/// process to disappear). As root, the server runs as an unprivileged system user
/// (`winnow-pg`, made when missing; `nobody` if it cannot be made): initdb refuses root.
///
/// The binaries: `$WINNOW_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin` (Debian's
/// `postgresql` package; `make test` installs it).
public final class ThrowawayPostgres: @unchecked Sendable {
    /// The one server of this test process (nil with the reason when it cannot start).
    public static let shared: Result<ThrowawayPostgres, StartFailure> = {
        do { return .success(try ThrowawayPostgres()) } catch let error as StartFailure { return .failure(error) } catch {
            return .failure(StartFailure(description: "\(error)"))
        }
    }()

    /// The server, started on first use; a test fails with the reason when it cannot start.
    public static func server() throws -> ThrowawayPostgres { try shared.get() }

    /// A server of the caller's own, for tests that stop and restart it (never the shared
    /// one: other tests run on it at the same time). Stopped and removed like the shared one;
    /// `remove()` does it at once.
    public static func own() throws -> ThrowawayPostgres { try ThrowawayPostgres() }

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    public let folder: String
    public let binaries: String
    public let port = 5432
    /// The superuser: trusted on the socket, no password.
    public let superuser = "postgres"
    /// A role that must give a password (SCRAM), for the tests of credentials.
    public let passwordRole = "winnow_password"
    public let password = "right horse battery"
    /// The running postmaster (nil while stopped); a restart starts a new one.
    private var server: Process?
    private let owner: (uid: uid_t, gid: gid_t)?
    private var databases = 0
    private let lock = NSLock()

    /// Whether the server runs as a production server does (see `init(durable:)`).
    private let durable: Bool

    /// Starts a server. `durable`: as a production server runs (fsync and full-page writes
    /// on, so a commit is on disk before it returns, as the SQLite store's `synchronous =
    /// FULL`): what a benchmark compares; tests run without (`shared`, `own`).
    public init(durable: Bool = false) throws(StartFailure) {
        self.durable = durable
        guard let binaries = Self.findBinaries() else {
            throw StartFailure(
                description:
                    "no PostgreSQL server binaries (initdb, postgres) in /usr/lib/postgresql/*/bin or $WINNOW_PG_BIN\n    fix: apt-get install postgresql (make test does)"
            )
        }
        self.binaries = binaries
        var template = Array("/tmp/winnow-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw StartFailure(description: "cannot make a temporary folder: \(String(cString: strerror(errno)))")
        }
        folder = String(cString: made)
        let owner = try Self.serverUser()
        self.owner = owner
        if let owner, chown(folder, owner.uid, owner.gid) != 0 {
            throw StartFailure(description: "cannot hand \(folder) to uid \(owner.uid): \(String(cString: strerror(errno)))")
        }
        let initdb = Self.run(
            binaries + "/initdb",
            [
                "-D", folder + "/data", "-U", "postgres", "--auth=trust", "--no-sync",
                "--encoding=UTF8", "--locale=C", "--no-instructions"
            ], as: owner)
        guard initdb.status == 0 else {
            throw StartFailure(description: "initdb failed (\(initdb.status)): \(initdb.output)")
        }
        // The password role must use its password; everybody else is trusted on the socket.
        let hba = "local all \(passwordRole) scram-sha-256\nlocal all all trust\n"
        guard (try? hba.write(toFile: folder + "/data/pg_hba.conf", atomically: false, encoding: .utf8)) != nil else {
            throw StartFailure(description: "cannot write pg_hba.conf in \(folder)")
        }
        let log = folder + "/server.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        if let owner { chown(log, owner.uid, owner.gid) }
        let server = try launch(log: log)
        Self.startWatchdog(parent: getpid(), server: server.processIdentifier, folder: folder)
        ThrowawayPostgres.register(self)
        try waitUntilReady(log: log)
        let role = psql("CREATE ROLE \(passwordRole) LOGIN PASSWORD '\(password)'")
        guard role.status == 0 else { throw StartFailure(description: "cannot create the password role: \(role.output)") }
    }

    /// Starts the postmaster on the folder's data (appending to its log).
    private func launch(log: String) throws(StartFailure) -> Process {
        // No fsync in tests: a test database need not survive a power cut, and tests run faster.
        let arguments =
            [
                "-D", folder + "/data", "-k", folder, "-p", String(port), "-c", "listen_addresses=", "-c", "max_connections=200"
            ] + (durable ? [] : ["-c", "fsync=off", "-c", "full_page_writes=off"])
        let server = Process()
        if let owner {
            // setpriv execs the server itself, so the process is the postmaster (its pid is the one to stop).
            server.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            server.arguments = ["--reuid=\(owner.uid)", "--regid=\(owner.gid)", "--clear-groups", binaries + "/postgres"] + arguments
        } else {
            server.executableURL = URL(fileURLWithPath: binaries + "/postgres")
            server.arguments = arguments
        }
        server.standardInput = FileHandle.nullDevice
        let output = FileHandle(forWritingAtPath: log)
        output?.seekToEndOfFile()
        server.standardOutput = output
        server.standardError = output
        do { try server.run() } catch { throw StartFailure(description: "cannot start postgres: \(error)") }
        lock.withLock { self.server = server }
        return server
    }

    /// How `stop` ends the server.
    public enum StopMode: Sendable {
        /// SIGINT: sessions are ended (their clients see the connection close), then it exits.
        case fast
        /// SIGQUIT: every process exits at once, as in a crash; recovery runs at the next start.
        case immediate
    }

    /// Stops the server and waits until it has exited (its socket is gone).
    public func stop(_ mode: StopMode = .fast) {
        guard let server = lock.withLock({ self.server }) else { return }
        kill(server.processIdentifier, mode == .fast ? SIGINT : SIGQUIT)
        server.waitUntilExit()
        lock.withLock { self.server = nil }
    }

    /// Starts the stopped server again on the same folder and socket, and waits until it
    /// accepts connections.
    public func start() throws {
        guard lock.withLock({ server == nil }) else { return }
        _ = try launch(log: folder + "/server.log")
        try waitUntilReady(log: folder + "/server.log")
    }

    /// Stop, then start: what clients see of a server restart.
    public func restart(_ mode: StopMode = .fast) throws {
        stop(mode)
        try start()
    }

    /// Stops the server and removes its folder (an own server, at the end of its test).
    public func remove() {
        stop()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Polls until the server accepts connections (or has died, or 60 s passed).
    private func waitUntilReady(log: String) throws(StartFailure) {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            guard let server = lock.withLock({ self.server }), server.isRunning else {
                throw StartFailure(description: "postgres stopped while starting: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            if Self.run(binaries + "/pg_isready", ["-h", folder, "-p", String(port), "-U", superuser, "-q"], as: nil).status == 0 { return }
            usleep(50_000)
        }
        throw StartFailure(
            description: "postgres did not accept connections within 60 s: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    /// A URL for `database` on this server, as `user` (the superuser by default).
    public func url(database: String, user: String? = nil, password: String? = nil) -> String {
        let credentials = (user ?? superuser) + (password.map { ":" + $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! } ?? "")
        return "postgresql://\(credentials)@/\(database)?host=\(folder)&port=\(port)"
    }

    /// A new, empty database (named after the test) and its URL.
    public func createDatabase(function: String = #function) throws -> (name: String, url: String) {
        lock.lock()
        databases += 1
        let name =
            "t\(databases)_"
            + String(function.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.prefix(40).map(Character.init))
        lock.unlock()
        let created = psql("CREATE DATABASE \(name)")
        guard created.status == 0 else { throw StartFailure(description: "CREATE DATABASE \(name) failed: \(created.output)") }
        return (name, url(database: name))
    }

    /// Drops a database made by `createDatabase`, closing whatever is still connected.
    public func dropDatabase(_ name: String) {
        psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// Runs a new database for `body`, then drops it.
    public func withDatabase<T>(function: String = #function, _ body: (_ url: String, _ name: String) throws -> T) throws -> T {
        let (name, url) = try createDatabase(function: function)
        defer { dropDatabase(name) }
        return try body(url, name)
    }

    /// Runs SQL as the superuser with psql (stops at the first error).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") -> (status: Int32, output: String) {
        Self.run(
            binaries + "/psql", ["-h", folder, "-p", String(port), "-U", superuser, "-d", database, "-v", "ON_ERROR_STOP=1", "-Atq", "-c", sql],
            as: nil)
    }

    // MARK: - Finding, running, stopping

    static func findBinaries() -> String? {
        if let explicit = ProcessInfo.processInfo.environment["WINNOW_PG_BIN"] { return explicit }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted()
        for version in versions.reversed() {
            let bin = "/usr/lib/postgresql/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: bin + "/initdb") && FileManager.default.isExecutableFile(atPath: bin + "/postgres") {
                return bin
            }
        }
        return nil
    }

    /// Who runs the server: nil (this process's user) unless this is root.
    static func serverUser() throws(StartFailure) -> (uid: uid_t, gid: gid_t)? {
        guard geteuid() == 0 else { return nil }
        let name = "winnow-pg"
        if getpwnam(name) == nil {
            _ = run(
                "/usr/sbin/useradd",
                [
                    "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                    "--user-group", name
                ], as: nil)
        }
        guard let entry = getpwnam(name) ?? getpwnam("nobody") else {
            throw StartFailure(description: "running as root, and there is no unprivileged user to run initdb as (useradd failed, no nobody)")
        }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// Runs a program (as `user` when given), returning its status and everything it printed.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], as user: (uid: uid_t, gid: gid_t)?) -> (status: Int32, output: String) {
        let process = Process()
        if let user {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups", program] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        }
        var environment = ProcessInfo.processInfo.environment
        for key in ["PGPASSWORD", "PGPASSFILE", "PGUSER", "PGDATABASE", "PGHOST", "PGPORT"] { environment[key] = nil }
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "cannot run \(program): \(error)") }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// A shell in a session of its own (so it outlives this process and its process group):
    /// once `parent` is gone, it stops the server (fast shutdown, then KILL after 10 s) and
    /// removes the folder. It also ends when the folder is already gone (a normal exit).
    static func startWatchdog(parent: pid_t, server: pid_t, folder: String) {
        // A killed parent that nobody has reaped yet is a zombie: gone, though kill -0 answers.
        let script = """
            alive() { [ -r /proc/$1/stat ] && [ "$(sed 's/.*) //' /proc/$1/stat | cut -c1)" != Z ]; }
            while alive \(parent) && [ -d '\(folder)' ]; do sleep 0.5; done
            [ -d '\(folder)' ] || exit 0
            pid=$(head -1 '\(folder)/data/postmaster.pid' 2>/dev/null); pid=${pid:-\(server)}
            kill -INT $pid 2>/dev/null
            i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
            kill -KILL $pid 2>/dev/null
            rm -rf '\(folder)'
            """
        let watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        watchdog.arguments = ["/bin/sh", "-c", script]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        try? watchdog.run()
    }

    /// The servers to stop when the process exits (each registered once it runs).
    nonisolated(unsafe) static var running: [ThrowawayPostgres] = []
    static let runningLock = NSLock()

    static func register(_ server: ThrowawayPostgres) {
        runningLock.withLock {
            if running.isEmpty { atexit { ThrowawayPostgres.stopAtExit() } }
            running.append(server)
        }
    }

    /// At exit: fast shutdown (the server ends its sessions), wait for it, remove the folder.
    static func stopAtExit() {
        for server in runningLock.withLock({ running }) {
            guard let process = server.lock.withLock({ server.server }) else {
                try? FileManager.default.removeItem(atPath: server.folder)
                continue
            }
            let pid = process.processIdentifier
            kill(pid, SIGINT)
            for _ in 0..<100 where kill(pid, 0) == 0 {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { break }
                usleep(100_000)
            }
            try? FileManager.default.removeItem(atPath: server.folder)
        }
    }
}
