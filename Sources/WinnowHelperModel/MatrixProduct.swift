import COpenBLAS

/// The one place the helper model calls BLAS: single-precision products of row-major
/// matrices. Everything else goes through these functions, so how BLAS kernels are chosen
/// (and which BLAS it is) can change without touching the model.
enum MatrixProduct {
    /// C (m × n) = A (m × k) · Bᵀ, with B stored n × k: m rows' scores against n weight rows.
    static func rowsTimesTransposed(
        _ a: UnsafePointer<Float>, rows m: Int, inner k: Int,
        _ b: UnsafePointer<Float>, columns n: Int, into c: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k),
            1, a, Int32(k), b, Int32(k), 0, c, Int32(n))
    }

    /// C (n × k) = Aᵀ · B with A stored m × n and B m × k: the sum over m rows of each row's
    /// residual (n values) times its features (k values).
    static func transposedTimesRows(
        _ a: UnsafePointer<Float>, rows m: Int, columns n: Int,
        _ b: UnsafePointer<Float>, inner k: Int, into c: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(k), Int32(m),
            1, a, Int32(n), b, Int32(k), 0, c, Int32(k))
    }

    /// The model's workers (one per core) each multiply small blocks: BLAS must not start
    /// threads of its own inside them. Call before the workers start (the neighbour search
    /// sets the same).
    static func oneThreadPerCaller() { openblas_set_num_threads(1) }
}
