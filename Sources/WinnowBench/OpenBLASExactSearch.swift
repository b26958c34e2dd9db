#if canImport(Glibc)
import Glibc
#endif
import COpenBLAS
import Dispatch
import WinnowCore
import WinnowNeighbours
import WinnowSession

/// Exact search as Winnow did it before its own kernels, kept only to measure against:
/// blocks of 256 queries × 8,192 database rows multiplied with OpenBLAS `sgemm` (whatever
/// core type OpenBLAS picked when it loaded: OPENBLAS_CORETYPE, or its CPU-name table),
/// each query's best k kept in a small sorted list. float32 scores: near-ties may order
/// differently from the float64 reference.
enum OpenBLASExactSearch {
    static let queryBlock = 256
    static let databaseBlock = 8192

    static func search(_ matrix: EmbeddingMatrix, k: Int, threads: Int) -> NeighbourGraph {
        let n = matrix.rows, d = matrix.dimension
        let k = min(k, max(n - 1, 0))
        var ids = [Int32](repeating: -1, count: n * k)
        var sims = [Float](repeating: 0, count: n * k)
        guard n > 1, k > 0 else { return NeighbourGraph(count: n, k: k, ids: ids, similarities: sims) }
        openblas_set_num_threads(1) // one worker per core, each with one BLAS thread
        let blocks = (n + queryBlock - 1) / queryBlock
        ids.withUnsafeMutableBufferPointer { idsOut in
            sims.withUnsafeMutableBufferPointer { simsOut in
                let output = UnsafeSendable((ids: idsOut, sims: simsOut))
                matrix.values.withUnsafeBufferPointer { v in
                    let vectors = UnsafeSendable(v.baseAddress!)
                    let next = SharedCounter()
                    DispatchQueue.concurrentPerform(iterations: min(max(1, threads), blocks)) { _ in
                        var scores = [Float](repeating: 0, count: queryBlock * databaseBlock)
                        while let block = next.take(below: blocks) {
                            let q0 = block * queryBlock, qn = min(queryBlock, n - q0)
                            var lists = [TopK](repeating: TopK(k: k), count: qn)
                            var d0 = 0
                            while d0 < n {
                                let dn = min(databaseBlock, n - d0)
                                scores.withUnsafeMutableBufferPointer { s in
                                    cblas_sgemm(
                                        CblasRowMajor, CblasNoTrans, CblasTrans, Int32(qn), Int32(dn), Int32(d),
                                        1, vectors.value + q0 * d, Int32(d), vectors.value + d0 * d, Int32(d),
                                        0, s.baseAddress, Int32(dn))
                                    for q in 0..<qn {
                                        let row = s.baseAddress! + q * dn
                                        for j in 0..<dn where row[j] >= lists[q].worst && d0 + j != q0 + q {
                                            lists[q].offer(row[j], Int32(d0 + j))
                                        }
                                    }
                                }
                                d0 += dn
                            }
                            for q in 0..<qn {
                                for j in 0..<k where lists[q].ids[j] != .max {
                                    output.value.ids[(q0 + q) * k + j] = lists[q].ids[j]
                                    output.value.sims[(q0 + q) * k + j] = lists[q].sims[j]
                                }
                            }
                        }
                    }
                }
            }
        }
        return NeighbourGraph(count: n, k: k, ids: ids, similarities: sims)
    }

    /// The best k (similarity, id) pairs seen, best first; ties go to the lower id.
    struct TopK {
        let k: Int
        var sims: [Float]
        var ids: [Int32]

        init(k: Int) {
            self.k = k
            sims = [Float](repeating: -.infinity, count: k)
            ids = [Int32](repeating: .max, count: k)
        }

        var worst: Float { sims[k - 1] }

        mutating func offer(_ sim: Float, _ id: Int32) {
            if sim < sims[k - 1] || (sim == sims[k - 1] && id > ids[k - 1]) { return }
            var position = k - 1
            while position > 0 && (sims[position - 1] < sim || (sims[position - 1] == sim && ids[position - 1] > id)) {
                sims[position] = sims[position - 1]
                ids[position] = ids[position - 1]
                position -= 1
            }
            sims[position] = sim
            ids[position] = id
        }
    }

    /// The core type OpenBLAS runs in this process ("Haswell", "SkylakeX", "Prescott", …).
    static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
