import Foundation
import WinnowCore

/// Where a PostgreSQL project lives, from a libpq-style connection URL:
/// `postgresql://[user[:password]@][host][:port][/database][?param=value&…]`.
///
/// `host` is a name (TCP) or, as in libpq, a folder holding the server's Unix socket (a
/// path, given percent-encoded in the host part or as `?host=/run/postgresql`). Parameters
/// understood: `host`, `port`, `user`, `password`, `dbname`, `sslmode`
/// (`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`); others are refused,
/// so a typo is not silently ignored. A password in the URL works but is discouraged: the
/// URL may be committed with a dataset. `redacted` is the URL as every message shows it.
public struct PostgresURL: Sendable, Equatable {
    public enum TLSMode: String, Sendable, Equatable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var user: String?
    public var password: String?
    /// A host name or address, or the folder of a Unix socket (it starts with `/`); nil:
    /// libpq's default socket folder, `/var/run/postgresql`.
    public var host: String?
    public var port: Int
    public var database: String?
    public var tls: TLSMode

    public static let defaultSocketFolder = "/var/run/postgresql"
    public static let defaultPort = 5432

    /// True when the URL names a PostgreSQL store (as opposed to a folder).
    public static func isPostgresURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    public init(_ text: String) throws(PostgresURLError) {
        guard Self.isPostgresURL(text) else { throw .init(url: text, problem: "it does not start with postgresql://") }
        let rest = text.hasPrefix("postgresql://") ? text.dropFirst("postgresql://".count) : text.dropFirst("postgres://".count)
        var authorityAndPath = Substring(rest)
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            authorityAndPath = rest[..<mark]
            query = rest[rest.index(after: mark)...]
        }
        var authority = authorityAndPath
        var path: Substring = ""
        if let slash = authorityAndPath.firstIndex(of: "/") {
            authority = authorityAndPath[..<slash]
            path = authorityAndPath[authorityAndPath.index(after: slash)...]
        }
        func decode(_ part: Substring, _ what: String) throws(PostgresURLError) -> String {
            guard let decoded = String(part).removingPercentEncoding else {
                throw PostgresURLError(url: text, problem: "its \(what) has a bad %-escape")
            }
            return decoded
        }
        var hostPart = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            hostPart = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = try decode(userInfo[..<colon], "user name")
                password = try decode(userInfo[userInfo.index(after: colon)...], "password")
            } else {
                user = try decode(userInfo, "user name")
            }
        }
        port = Self.defaultPort
        tls = .prefer
        // host[:port]; an IPv6 address in brackets.
        var hostText = hostPart
        if hostPart.hasPrefix("["), let close = hostPart.firstIndex(of: "]") {
            hostText = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { port = try Self.port(after.dropFirst(), text) }
        } else if let colon = hostPart.lastIndex(of: ":") {
            hostText = hostPart[..<colon]
            port = try Self.port(hostPart[hostPart.index(after: colon)...], text)
        }
        host = hostText.isEmpty ? nil : try decode(hostText, "host")
        database = path.isEmpty ? nil : try decode(path, "database name")
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try decode(parts[0], "parameter name")
            let value = parts.count > 1 ? try decode(parts[1], "parameter \(key)") : ""
            switch key {
            case "host": host = value.isEmpty ? nil : value
            case "port": port = try Self.port(Substring(value), text)
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw PostgresURLError(url: text, problem: "sslmode=\(value) is none of disable, allow, prefer, require, verify-ca, verify-full")
                }
                tls = mode
            default:
                throw PostgresURLError(
                    url: text, problem: "the parameter \(key) is not one Winnow understands (host, port, user, password, dbname, sslmode)")
            }
        }
    }

    private static func port(_ text: Substring, _ url: String) throws(PostgresURLError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw PostgresURLError(url: url, problem: "the port \"\(text)\" is not a number from 1 to 65535")
        }
        return port
    }

    /// True when the server is reached through a Unix socket (no TLS there).
    public var usesUnixSocket: Bool { host == nil || host!.hasPrefix("/") }

    /// The socket file: `<folder>/.s.PGSQL.<port>`, as the server names it.
    public var unixSocketPath: String? {
        guard usesUnixSocket else { return nil }
        return (host ?? Self.defaultSocketFolder) + "/.s.PGSQL.\(port)"
    }

    /// The URL as messages show it: never the password.
    public var redacted: String {
        var text = "postgresql://"
        if let user { text += Self.escape(user) + "@" }
        if let host, !host.hasPrefix("/") { text += host.contains(":") ? "[\(host)]" : Self.escape(host) }
        if port != Self.defaultPort, host.map({ !$0.hasPrefix("/") }) ?? false { text += ":\(port)" }
        text += "/" + Self.escape(database ?? "")
        var parameters: [String] = []
        if let host, host.hasPrefix("/") { parameters.append("host=" + host) }
        if port != Self.defaultPort, usesUnixSocket { parameters.append("port=\(port)") }
        if tls != .prefer { parameters.append("sslmode=" + tls.rawValue) }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return TerminalText.sanitize(text)
    }

    private static func escape(_ part: String) -> String {
        var allowed = CharacterSet.urlUserAllowed
        allowed.remove(charactersIn: ":@/?#[]")
        return part.addingPercentEncoding(withAllowedCharacters: allowed) ?? part
    }
}

/// A connection URL that cannot be used; names the URL without its password.
public struct PostgresURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The URL as given (kept to compare; never shown).
    let url: String
    public let problem: String

    public var description: String {
        "the store URL \(Self.redact(url)) cannot be used: \(problem)\n    fix: write it as postgresql://USER@HOST:PORT/DATABASE (the password belongs in ~/.pgpass or $PGPASSWORD)"
    }

    /// The URL with whatever stands between `://` and `@` after a `:` (the password) removed,
    /// and any `password=` parameter dropped: for URLs too broken to parse.
    public static func redact(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://") {
            let afterScheme = text[scheme.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
            if let at = afterScheme[..<authorityEnd].lastIndex(of: "@"),
                let colon = afterScheme[..<at].firstIndex(of: ":")
            {
                text.replaceSubrange(colon..<at, with: "")
            }
        }
        if let mark = text.firstIndex(of: "?") {
            let query = text[text.index(after: mark)...].split(separator: "&").filter { !$0.hasPrefix("password=") }
            text = String(text[..<mark]) + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        }
        return TerminalText.sanitize(text)
    }
}
