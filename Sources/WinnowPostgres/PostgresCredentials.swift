#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Who connects, to which database, with what password: the URL first, then libpq's
/// environment and password file, so credentials never have to be in `winnow.toml`.
///
/// - user: the URL's, else `$PGUSER`, else the login name of this process.
/// - database: the URL's, else `$PGDATABASE`, else the user name.
/// - password: the URL's, else `$PGPASSWORD`, else the first matching line of `$PGPASSFILE`
///   (default `~/.pgpass`), which, as libpq does, is ignored when group or others can read
///   it. None at all is fine: the server may trust the socket or check the peer's identity.
struct PostgresCredentials: Equatable {
    var user: String
    var database: String
    var password: String?

    init(_ url: PostgresURL, environment: [String: String] = ProcessInfo.processInfo.environment) {
        user = url.user ?? environment["PGUSER"] ?? Self.loginName()
        database = url.database ?? environment["PGDATABASE"] ?? user
        if let password = url.password {
            self.password = password
        } else if let password = environment["PGPASSWORD"] {
            self.password = password
        } else {
            let file = environment["PGPASSFILE"] ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.pgpass"
            // libpq matches a socket connection under the host name "localhost" (or the folder).
            let host = url.usesUnixSocket ? ["localhost", url.host ?? PostgresURL.defaultSocketFolder] : [url.host ?? ""]
            self.password = Self.passwordFile(file, hosts: host, port: url.port, database: database, user: user)
        }
    }

    static func loginName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "postgres"
    }

    /// The password of the first line of a pgpass file that matches (`*` matches anything;
    /// `\:` and `\\` escape). nil when there is none, or the file is readable by others.
    static func passwordFile(_ path: String, hosts: [String], port: Int, database: String, user: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o077 == 0,
            let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = splitEscaped(line)
            guard fields.count == 5 else { continue }
            func matches(_ field: String, _ values: [String]) -> Bool { field == "*" || values.contains(field) }
            if matches(fields[0], hosts), matches(fields[1], [String(port)]), matches(fields[2], [database]), matches(fields[3], [user]) {
                return fields[4]
            }
        }
        return nil
    }

    /// A pgpass line's fields: split at `:`, with `\` escaping the next character.
    static func splitEscaped(_ line: Substring) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
