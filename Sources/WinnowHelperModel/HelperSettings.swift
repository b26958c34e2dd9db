#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the helper model is trained (`winnow.toml` [helper]).
public struct HelperSettings: Sendable, Equatable {
    /// Folds of the cross-validation that gives every item its out-of-fold probabilities.
    public var folds = 5
    /// scikit-learn's C (inverse L2 strength, the same scaling); nil: chosen by an inner
    /// cross-validation within each fold's training items.
    public var regularisation: Double?
    public var seed: UInt64 = 0
    /// The inner cross-validation: its folds, the most training items it uses (a stratified
    /// sample; the regularisation that suits a sample this size suits more data nearly as
    /// well, since the penalty's weight against the data shrinks as items are added), and
    /// the values of C it tries (half decades, from strong to weak regularisation, stopping
    /// once the held-out log-loss has risen twice in a row).
    public var innerFolds = 3
    public var selectionSample = 10_000
    public static let candidateRegularisations: [Double] = stride(from: -3.0, through: 3.0, by: 0.5).map { pow(10, $0) }
    /// Optimisation: converged when every gradient component of the (per-item) objective is
    /// at most this: scikit-learn's default tolerance for the same objective (its out-of-fold
    /// log-loss and Winnow's agree to 0.1 % at it).
    public var gradientTolerance = 1e-4
    public var selectionTolerance = 3e-4
    public var maxIterations = 1000
    /// Worker threads (BLAS runs single-threaded inside each).
    public var threads = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    public init() {}
}
