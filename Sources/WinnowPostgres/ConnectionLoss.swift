import NIOCore
import PostgresNIO

/// Which failures mean the server cannot be reached now (stopped, restarting, the network
/// or the socket gone, the session ended by an administrator) rather than that it refused
/// the request: those are worth retrying once it is back, the others never are.
enum ConnectionLoss {
    /// SQLSTATEs of a server that is going away or not accepting yet: class 08 (connection
    /// exception), admin_shutdown (57P01, also pg_terminate_backend), crash_shutdown (57P02),
    /// cannot_connect_now (57P03: starting up, shutting down), idle_session_timeout (57P05).
    static let serverStates: Set<String> = ["57P01", "57P02", "57P03", "57P05"]

    static func isLoss(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            switch error.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
                return true
            case .server:
                guard let state = error.serverInfo?[.sqlState] else { return false }
                return state.hasPrefix("08") || serverStates.contains(state)
            default:
                return error.underlying.map(isLoss) ?? false
            }
        }
        return error is ChannelError || error is IOError
    }

    /// In words, for the status line and messages (no password: errors never hold one).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if error.code == .server, let message = error.serverInfo?[.message] { return "the server ended the connection (\(message))" }
            if let underlying = error.underlying { return "no connection (\(underlying))" }
            return error.code == .serverClosedConnection ? "the server closed the connection" : "no connection (\(error.code))"
        }
        return "no connection (\(error))"
    }
}
