import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowImaging
import WinnowTestSupport
@testable import WinnowCLI
@testable import WinnowSession

/// Near-duplicates in a plain folder of images, with no embeddings.npy: Winnow's own
/// image features, cached in the project.
@Suite("Image features instead of embeddings")
struct ImageFeatureCLITests {
    func winnow(_ arguments: String...) -> WinnowProcess.Result { WinnowProcess.run(arguments) }

    /// A made-up photo: a two-colour gradient, a few discs and bars, a little noise.
    static func picture(seed: UInt64, width: Int = 96, height: Int = 72) -> RGBImage {
        var random = SplitMix64(seed: seed)
        func byte() -> Int { Int(random.next() % 256) }
        let from = (byte(), byte(), byte()), to = (byte(), byte(), byte())
        var shapes: [(x: Int, y: Int, r: Int, disc: Bool, colour: RGB)] = []
        for _ in 0..<5 {
            shapes.append(
                (
                    byte() * width / 256, byte() * height / 256, 6 + byte() % (width / 5), random.next() % 2 == 0,
                    RGB(UInt8(byte()), UInt8(byte()), UInt8(byte()))
                ))
        }
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let t = (x + y) * 255 / (width + height - 2)
                func mix(_ a: Int, _ b: Int) -> Int { (a * (255 - t) + b * t) / 255 }
                var colour = RGB(UInt8(mix(from.0, to.0)), UInt8(mix(from.1, to.1)), UInt8(mix(from.2, to.2)))
                for s in shapes {
                    let dx: Int = x - s.x, dy: Int = y - s.y
                    let inside: Bool
                    if s.disc { inside = dx * dx + dy * dy < s.r * s.r } else { inside = abs(dx) < s.r && abs(dy) < s.r / 3 }
                    if inside { colour = s.colour }
                }
                let noise = Int(random.next() % 7) - 3
                image[x, y] = RGB(
                    UInt8(clamping: Int(colour.red) + noise), UInt8(clamping: Int(colour.green) + noise), UInt8(clamping: Int(colour.blue) + noise))
            }
        }
        return image
    }

    static func png(_ image: RGBImage) throws -> [UInt8] { try PNGEncoder.encode(image) }

    /// a.png and its resized copy a-copy.png (other bytes, same picture); b, c, d unrelated;
    /// two broken files that differ from each other.
    static func folder(function: String = #function) throws -> TemporaryDataset {
        let dataset = TemporaryDataset(function: function)
        let a = picture(seed: 1)
        dataset.write("images/a.png", bytes: try png(a))
        dataset.write("images/a-copy.png", bytes: try png(a.resized(width: 80, height: 60)))
        for (name, seed) in [("b", 2), ("c", 3), ("d", 4)] { dataset.write("images/\(name).png", bytes: try png(picture(seed: UInt64(seed)))) }
        let whole = try png(picture(seed: 5))
        dataset.write("images/broken.png", bytes: Array(whole.prefix(whole.count / 3)))
        dataset.write("images/garbage.jpg", bytes: [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0x41, count: 200))
        return dataset
    }

    /// Every cached vector (hex; "null" for none) by image path; every row has a duplicate
    /// descriptor exactly when it has a vector.
    static func cachedFeatures(_ dataset: TemporaryDataset) throws -> [String: String] {
        try DatabaseQueue(path: dataset.statePath + "/winnow.sqlite").read { db in
            var result: [String: String] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT i.path, f.vector, f.descriptor, f.version, f.dimension FROM image_features f JOIN items i ON i.id = f.item_id")
            {
                #expect(row["version"] as Int == ImageFeatureIndex.version && row["dimension"] as Int == 128)
                let vector = row["vector"] as Data?
                #expect((row["descriptor"] as Data?)?.count == (vector == nil ? nil : 32 * 32))
                result[row["path"]] = vector.map { $0.map { String(format: "%02x", $0) }.joined() } ?? "null"
            }
            return result
        }
    }

    @Test("a plain folder: the resized copy is the one near-duplicate group; features are cached and only a changed image is decoded again")
    func plainFolder() throws {
        let dataset = try Self.folder()
        let components = winnow("components", dataset.root, "--format", "jsonl")
        #expect(components.status == 0, "\(components.stderr)")
        #expect(components.stderr.contains("described 7 images for near-duplicates"), "\(components.stderr)")
        #expect(components.stderr.contains("2 cannot be decoded"), "\(components.stderr)")
        let lines = components.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 1, "\(components.stdout)")
        let first = try #require(lines.first)
        let group = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        let images = try #require(group["images"] as? [String])
        #expect(Set(images) == ["a.png", "a-copy.png"])

        let cached = try Self.cachedFeatures(dataset)
        #expect(cached.count == 7)
        #expect(cached["broken.png"] == "null" && cached["garbage.jpg"] == "null")
        #expect(cached["a.png"]?.count == 128 * 4 * 2)

        // Analysing again decodes nothing: every vector comes from the cache.
        let analyze = winnow("analyze", dataset.root)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        #expect(!analyze.stderr.contains("described"), "\(analyze.stderr)")
        #expect(
            analyze.stdout.contains("neighbours   4 per item, " + AnalysisSession.imageFeaturesMethodPrefix + "exact search"), "\(analyze.stdout)")
        #expect(analyze.stdout.contains("near-duplicates 1 groups of 2 images"), "\(analyze.stdout)")
        #expect(try Self.cachedFeatures(dataset) == cached)

        // A changed image (new bytes, new time) is decoded again after the import notices it; only it.
        dataset.write("images/c.png", bytes: try Self.png(Self.picture(seed: 6)))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: dataset.root + "/images/c.png")
        #expect(winnow("import", dataset.root).status == 0)
        let again = winnow("components", dataset.root, "--format", "jsonl")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("described 1 image for near-duplicates (6 cached)"), "\(again.stderr)")
        #expect(again.stdout.split(separator: "\n").count == 1)
        let after = try Self.cachedFeatures(dataset)
        #expect(after.keys.filter { after[$0] != cached[$0] } == ["c.png"])

        // A reviewer's split-off cuts the pair, as it cuts an embedding graph's edge.
        #expect(winnow("decide", dataset.root, "a-copy.png", "--split-off", "--reviewer", "alice").status == 0)
        #expect(winnow("components", dataset.root).stdout.contains("no near-duplicate groups"))
    }

    @Test("broken images get no neighbours and are nobody's neighbour")
    func brokenImagesHaveNoNeighbours() throws {
        let dataset = try Self.folder()
        #expect(winnow("import", dataset.root).status == 0)
        let opened = try Project.open(ProjectOptions.parse([dataset.root]))
        let session = try AnalysisSession(opened, progress: SilentProgress())
        let found = try #require(try session.neighbourGraph())
        #expect(!found.cached && found.method.hasPrefix(AnalysisSession.imageFeaturesMethodPrefix))
        let paths = session.context.items.map(\.path)
        let broken = Set(["broken.png", "garbage.jpg"].compactMap { paths.firstIndex(of: $0) })
        #expect(broken.count == 2)
        for item in 0..<found.graph.count {
            let neighbours = found.graph.neighbours(of: item)
            if broken.contains(item) {
                #expect(neighbours.isEmpty)
            } else {
                #expect(neighbours.count == 4 && neighbours.allSatisfy { !broken.contains($0.id) })
            }
        }
        let a = paths.firstIndex(of: "a.png")!, copy = paths.firstIndex(of: "a-copy.png")!
        #expect(found.graph.neighbours(of: a).first?.id == copy)
        #expect(try #require(found.graph.neighbours(of: a).first).similarity > 0.99)
        #expect(found.graph.neighbours(of: a)[1].similarity < 0.9)
        // The analysis gets the pair as a near-duplicate group, not the graph as label evidence.
        let input = try session.input(graph: found.graph)
        #expect(input.neighbours == nil)
        #expect(input.identical.isEmpty)
        #expect(input.duplicatePairs.map { [$0.first, $0.second] } == [[Int32(min(a, copy)), Int32(max(a, copy))]])
        // The second time, the graph comes from the cache.
        let reopened = try #require(try AnalysisSession(opened, progress: SilentProgress()).neighbourGraph())
        #expect(reopened.cached && reopened.graph == found.graph)
    }

    @Test("the decoding box keeps the shorter side at 64 pixels, and very small images get no features")
    func decodingBoxAndSmallImages() throws {
        #expect(ImageFeatureIndex.decodingBox(for: PixelSize(width: 4000, height: 3000)) == PixelSize(width: 86, height: 64))
        #expect(ImageFeatureIndex.decodingBox(for: PixelSize(width: 480, height: 1000)) == PixelSize(width: 64, height: 134))
        #expect(ImageFeatureIndex.decodingBox(for: PixelSize(width: 16000, height: 100)) == PixelSize(width: 1024, height: 64))
        #expect(ImageFeatureIndex.decodingBox(for: PixelSize(width: 64, height: 500)) == nil)
        let dataset = TemporaryDataset()
        dataset.write("images/dot.png", bytes: TemporaryDataset.onePixelPNG)
        dataset.write("images/wide.png", bytes: try Self.png(Self.picture(seed: 9, width: 640, height: 300)))
        guard case .tooSmall = ImageFeatureIndex.features(ofFileAt: dataset.root + "/images/dot.png") else {
            Issue.record("a 1×1 image has features"); return
        }
        let large = try #require(ImageFeatureIndex.features(ofFileAt: dataset.root + "/images/wide.png").vector)
        // Decoding small gives (nearly) the features of the full-size picture.
        let full = ImageFeatures(of: try ImageDecoder.decode(contentsOf: dataset.root + "/images/wide.png").image).embedding
        #expect(zip(large, full).reduce(0) { $0 + $1.0 * $1.1 } > 0.995)
        guard case .undecodable = ImageFeatureIndex.features(ofFileAt: dataset.root + "/images/none.png") else {
            Issue.record("a missing file has features"); return
        }
    }

    @Test("the ImageFolder sample (no embeddings, one corrupt PNG) analyses")
    func imageFolderSample() throws {
        let dataset = Repository.copyOfSample(Repository.sampleImageFolder)
        let analyze = winnow("analyze", dataset.root)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        // The image pass's one decode of each file gave the features too: no second decode
        // for near-duplicates (no note), and the corrupt PNG is a problem of its item.
        #expect(!analyze.stderr.contains("described"), "\(analyze.stderr)")
        #expect(analyze.stdout.contains("problems 1"), "\(analyze.stdout)")
        #expect(analyze.stdout.contains(AnalysisSession.imageFeaturesMethodPrefix), "\(analyze.stdout)")
        // Pixel features join near-duplicates only: they are no evidence about labels.
        #expect(!analyze.stdout.contains("evidence"), "\(analyze.stdout)")
        #expect(analyze.stdout.contains("label-issues 0") && analyze.stdout.contains("outliers 0"), "\(analyze.stdout)")
        let cached = try Self.cachedFeatures(dataset)
        #expect(cached.count == 16 && cached["circle/broken.png"] == "null")
        #expect(cached.values.filter { $0 == "null" }.count == 1)
        let queue = winnow("queue", dataset.root, "--limit", "5", "--format", "jsonl")
        #expect(queue.status == 0, "\(queue.stderr)")
        #expect(!queue.stderr.contains("described"))
    }
}
