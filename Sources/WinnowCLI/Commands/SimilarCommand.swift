import ArgumentParser
import Foundation
import WinnowCore
import WinnowDataset
import WinnowSession

struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Show an image's nearest neighbours by embedding similarity, with their labels.",
        discussion: """
            EXAMPLES:
              winnow similar SampleProjects/shapes batch-01/img_0007.png
              winnow similar SampleProjects/shapes batch-01/img_0007.png -k 25

            \(WinnowExit.helpText)
            """)

    @OptionGroup var project: ProjectOptions
    @Argument(help: ArgumentHelp("The image, as a path relative to images/.", valueName: "image")) var image: String
    @Option(name: .short, help: "How many neighbours.") var k = 10

    func validate() throws {
        guard k > 0 else { throw ValidationError("-k must be at least 1") }
    }

    func run() throws {
        let opened = try Project.open(project)
        let session = try AnalysisSession(opened)
        let context = session.context
        guard let item = context.items.firstIndex(where: { $0.path == image }) else {
            throw CLIFailure(
                message: "no item has the image path \"\(TerminalText.sanitize(image))\"\n    fix: give the path relative to images/", exit: .refused)
        }
        let neighbours: [(id: Int, similarity: Float)]
        let cached = try session.neighbourGraph()
        if let cached, cached.graph.k >= k || context.embeddings == nil {
            // Without embeddings the graph comes from Winnow's image features (the
            // neighbours it holds are all there is).
            neighbours = Array(cached.graph.neighbours(of: item).prefix(k))
        } else if let embeddings = context.embeddings {
            // More neighbours than cached: one exact scan of the memory-mapped matrix.
            let matrix = try NPYMatrix(path: context.datasetRoot + "/" + embeddings.source, displayName: embeddings.source)
            func row(_ r: Int) -> [Double] {
                let v = (0..<matrix.columns).map { matrix.value(row: r, column: $0) }
                let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                return norm > 0 ? v.map { $0 / norm } : v
            }
            let query = row(item)
            var scored: [(id: Int, similarity: Float)] = []
            scored.reserveCapacity(matrix.rows)
            for r in 0..<matrix.rows where r != item {
                let other = row(r)
                var dot = 0.0
                for c in 0..<other.count { dot += query[c] * other[c] }
                scored.append((r, Float(dot)))
            }
            scored.sort { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : $0.id < $1.id }
            neighbours = Array(scored.prefix(k))
        } else {
            throw CLIFailure(
                message: "the dataset has no embeddings.npy, and fewer than two of its images could be described by Winnow's own features",
                exit: .refused)
        }
        let s = TerminalText.sanitize
        var out = "\(s(image))  [\(s(context.items[item].resolution.labels?.description ?? "-"))]\n"
        for (rank, n) in neighbours.enumerated() {
            let other = context.items[n.id]
            out += String(format: "%3d  %.4f  ", rank + 1, n.similarity) + "\(s(other.path))  [\(s(other.resolution.labels?.description ?? "-"))]\n"
        }
        print(out, terminator: "")
    }
}
