import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowDataset

func read(_ dataset: TemporaryDataset) throws -> DatasetSnapshot {
    let config = try DatasetReader.loadConfig(root: dataset.root)
    return try DatasetReader(root: dataset.root, config: config).read()
}

/// The problems a refused import reports (empty when the import is accepted).
func problems(_ dataset: TemporaryDataset) -> [DataProblem] {
    do { _ = try read(dataset); return [] } catch let invalid as DatasetInvalid { return invalid.problems } catch { return [] }
}

/// A malformed-input case: how to break a valid dataset, and where the error must point.
struct Malformation: Sendable, CustomTestStringConvertible {
    let name: String
    let file: String
    let line: Int?
    let column: Int?
    let message: String
    let apply: @Sendable (TemporaryDataset) -> Void
    var testDescription: String { name }
}

@Suite("Dataset reader: malformed input is refused with file, line, column and a fix")
struct MalformedInputTests {
    /// Three images, classes, labels, one CSV model, embeddings: valid until a case breaks it.
    static func base() -> TemporaryDataset {
        let d = TemporaryDataset()
        for name in ["a.png", "b.png", "c.png"] { d.image(name) }
        d.write("items.csv", "image,source\na.png,cam1\nb.png,cam2\nc.png,cam1\n")
        d.write("classes.txt", "cat\ndog\n")
        d.write("labels.csv", "image,label\na.png,cat\nb.png,dog\nc.png,cat\n")
        d.write("predictions/m1.csv", "image,cat,dog\na.png,0.9,0.1\nb.png,0.2,0.8\nc.png,0.6,0.4\n")
        d.npy("embeddings.npy", rows: 3, columns: 2, [1, 0, 0, 1, 0.7, 0.7])
        return d
    }

    @Test func theBaseDatasetIsValid() throws {
        let s = try read(Self.base())
        #expect(s.items.count == 3 && s.models.count == 1 && s.embeddings?.dimension == 2)
    }

    static let cases: [Malformation] = [
        .init(name: "items.csv without an image column", file: "items.csv", line: 1, column: nil, message: "no \"image\" column") {
            $0.write("items.csv", "path,source\na.png,x\n")
        },
        .init(name: "labels.csv without a label column", file: "labels.csv", line: 1, column: nil, message: "no \"label\" column") {
            $0.write("labels.csv", "image,class\na.png,cat\n")
        },
        .init(name: "labels.csv with both label and labels", file: "labels.csv", line: 1, column: nil, message: "both") {
            $0.write("labels.csv", "image,label,labels\na.png,cat,cat\n")
        },
        .init(name: "a label not in classes.txt", file: "labels.csv", line: 3, column: 2, message: "\"kat\" is not a class") {
            $0.write("labels.csv", "image,label\na.png,cat\nb.png,kat\n")
        },
        .init(name: "an empty label", file: "labels.csv", line: 2, column: 2, message: "empty") {
            $0.write("labels.csv", "image,label\na.png,\n")
        },
        .init(name: "a duplicate item row", file: "items.csv", line: 4, column: 1, message: "listed twice (first on line 2)") {
            $0.write("items.csv", "image,source\na.png,x\nb.png,y\na.png,z\nc.png,w\n")
        },
        .init(name: "an image labelled twice by the same annotator", file: "labels.csv", line: 3, column: 1, message: "labelled twice") {
            $0.write("labels.csv", "image,label\na.png,cat\na.png,dog\n")
        },
        .init(name: "a path escaping images/", file: "items.csv", line: 3, column: 1, message: "escapes images/") {
            $0.write("items.csv", "image,source\na.png,x\n../secret.png,y\nc.png,z\n")
        },
        .init(name: "an absolute path", file: "labels.csv", line: 2, column: 1, message: "absolute path") {
            $0.write("labels.csv", "image,label\n/etc/passwd,cat\n")
        },
        .init(name: "non-UTF-8 text", file: "items.csv", line: 3, column: 2, message: "not valid UTF-8") {
            $0.write("items.csv", bytes: Array("image,source\na.png,x\nb.png,caf".utf8) + [0xE9] + Array("\nc.png,y\n".utf8))
        },
        .init(name: "a label for an image not in items.csv", file: "labels.csv", line: 2, column: 1, message: "not listed in items.csv") {
            $0.write("labels.csv", "image,label\nz.png,cat\n")
        },
        .init(
            name: "a probability row of the wrong width", file: "predictions/m1.csv", line: 3, column: nil, message: "2 fields but the header has 3"
        ) {
            $0.write("predictions/m1.csv", "image,cat,dog\na.png,0.9,0.1\nb.png,1.0\nc.png,0.5,0.5\n")
        },
        .init(name: "a NaN probability", file: "predictions/m1.csv", line: 2, column: 3, message: "is NaN") {
            $0.write("predictions/m1.csv", "image,cat,dog\na.png,0.9,nan\nb.png,0.2,0.8\nc.png,0.5,0.5\n")
        },
        .init(name: "a negative probability", file: "predictions/m1.csv", line: 4, column: 2, message: "negative") {
            $0.write("predictions/m1.csv", "image,cat,dog\na.png,0.9,0.1\nb.png,0.2,0.8\nc.png,-0.5,1.5\n")
        },
        .init(name: "a probability that is not a number", file: "predictions/m1.csv", line: 2, column: 2, message: "not a number") {
            $0.write("predictions/m1.csv", "image,cat,dog\na.png,high,0.1\nb.png,0.2,0.8\nc.png,0.5,0.5\n")
        },
        .init(name: "a row that does not sum to 1", file: "predictions/m1.csv", line: 3, column: nil, message: "sum to 0.5, not 1 (allowed: ±0.01)") {
            $0.write("predictions/m1.csv", "image,cat,dog\na.png,0.9,0.1\nb.png,0.2,0.3\nc.png,0.5,0.5\n")
        },
        .init(
            name: "an item without probabilities", file: "predictions/m1.csv", line: nil, column: nil,
            message: "1 item(s) have no probabilities, e.g. \"c.png\""
        ) {
            $0.write("predictions/m1.csv", "image,cat,dog\na.png,0.9,0.1\nb.png,0.2,0.8\n")
        },
        .init(name: "probabilities for an unknown image", file: "predictions/m1.csv", line: 5, column: 1, message: "not an item") {
            $0.write("predictions/m1.csv", "image,cat,dog\na.png,0.9,0.1\nb.png,0.2,0.8\nc.png,0.5,0.5\nd.png,0.5,0.5\n")
        },
        .init(name: "a probability column that is not a class", file: "predictions/m1.csv", line: 1, column: 3, message: "\"dgo\" is not a class") {
            $0.write("predictions/m1.csv", "image,cat,dgo\na.png,0.9,0.1\n")
        },
        .init(
            name: "a .npy probability matrix of the wrong shape", file: "predictions/m2.npy", line: nil, column: nil,
            message: "is 3 × 3 but the dataset has 3 items and 2 classes"
        ) {
            $0.npy("predictions/m2.npy", rows: 3, columns: 3, [Float](repeating: 1.0 / 3, count: 9))
        },
        .init(name: "a NaN in a .npy probability matrix", file: "predictions/m2.npy", line: nil, column: nil, message: "row 1, column 0") {
            $0.npy("predictions/m2.npy", rows: 3, columns: 2, [0.5, 0.5, .nan, 0.5, 0.5, 0.5])
        },
        .init(name: "the same model twice", file: "predictions/m1.npy", line: nil, column: nil, message: "also has predictions/m1.csv") {
            $0.npy("predictions/m1.npy", rows: 3, columns: 2, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
        },
        .init(
            name: "embeddings with the wrong row count", file: "embeddings.npy", line: nil, column: nil,
            message: "has 2 rows but the dataset has 3 items"
        ) {
            $0.npy("embeddings.npy", rows: 2, columns: 2, [1, 0, 0, 1])
        },
        .init(name: "embeddings with a NaN", file: "embeddings.npy", line: nil, column: nil, message: "row 2 (item \"c.png\"), column 1 is NaN") {
            $0.npy("embeddings.npy", rows: 3, columns: 2, [1, 0, 0, 1, 0, .nan])
        },
        .init(name: "a class listed twice in classes.txt", file: "classes.txt", line: 3, column: nil, message: "listed twice (first on line 1)") {
            $0.write("classes.txt", "cat\ndog\ncat\n")
        },
        .init(name: "an unterminated quote", file: "labels.csv", line: 3, column: nil, message: "never closed") {
            $0.write("labels.csv", "image,label\na.png,cat\n\"b.png,dog\nc.png,cat\n")
        },
        .init(name: "an unknown key in winnow.toml", file: "winnow.toml", line: 2, column: nil, message: "unknown setting import.tolerance") {
            $0.write("winnow.toml", "[import]\ntolerance = 0.1\n")
        }
    ]

    @Test(arguments: cases)
    func refused(_ malformation: Malformation) throws {
        let dataset = Self.base()
        malformation.apply(dataset)
        let found = problems(dataset)
        let problem = try #require(found.first, "the import should have been refused")
        #expect(problem.file == malformation.file, "\(problem)")
        #expect(problem.line == malformation.line, "\(problem)")
        if let column = malformation.column { #expect(problem.column == column, "\(problem)") }
        #expect(problem.message.contains(malformation.message), "\(problem)")
        #expect(!problem.hint.isEmpty)
        #expect(problem.description.hasPrefix(malformation.file))
    }

    @Test func aDatasetWithoutImagesFolderIsRefused() {
        let dataset = TemporaryDataset()
        dataset.remove("images")
        #expect(problems(dataset).first?.message.contains("no images/ folder") == true)
    }

    @Test func severalProblemsAreReportedTogetherUpToALimit() {
        let dataset = Self.base()
        var labels = "image,label\n"
        for i in 0..<100 { labels += "x\(i).png,cat\n" }
        dataset.write("labels.csv", labels)
        let invalid = try? read(dataset)
        #expect(invalid == nil)
        do { _ = try read(dataset) } catch let error as DatasetInvalid {
            #expect(error.problems.count == 20)
            #expect(error.truncated)
            #expect(error.description.contains("more problems were not listed"))
        } catch { Issue.record("unexpected \(error)") }
    }
}

@Suite("Dataset reader: layouts and per-image problems")
struct DatasetLayoutTests {
    @Test func theShapesSampleImportsCompletely() throws {
        let s = try read(Repository.copyOfSample(Repository.sampleShapes))
        #expect(s.layout == .labelsFile)
        #expect(s.items.count == 593)
        #expect(s.taxonomy.count == 8)
        #expect(s.annotators == ["ann-a", "ann-b"])
        #expect(Set(s.models.map(\.name)) == ["forest", "logreg"])
        #expect(s.embeddings?.dimension == 64)
        #expect(s.itemsWithProblems == 0)
        #expect(s.metadataColumns == ["source", "captured_at", "site"])
        #expect(s.items.contains { $0.path == "batch-01/café_0042.jpg" })
    }

    @Test func imageFolderLayoutUsesFolderNamesAsLabels() throws {
        let s = try read(Repository.copyOfSample(Repository.sampleImageFolder))
        #expect(s.layout == .imageFolder)
        #expect(s.taxonomy.names == ["circle", "square", "triangle"])
        let broken = try #require(s.items.first { $0.path == "circle/broken.png" })
        #expect(broken.givenLabels == LabelSet(single: "circle"))
        #expect(s.items.allSatisfy { $0.givenLabels?.first == String($0.path.split(separator: "/")[0]) })
    }

    @Test func withoutItemsCSVItemsFollowLabelsOrder() throws {
        let d = TemporaryDataset()
        for n in ["z.png", "a.png", "m.png"] { d.image(n) }
        d.write(
            "labels.csv",
            "image,label\nz.png,b\na.png,a\nz.png,b\n".replacingOccurrences(of: "\nz.png,b\n", with: "\nz.png,b\n", options: [], range: nil))
        d.write("labels.csv", "image,label,annotator\nz.png,b,x\na.png,a,x\nz.png,a,y\n")
        let s = try read(d)
        #expect(s.items.map(\.path) == ["z.png", "a.png"])
        #expect(s.taxonomy.names == ["a", "b"], "classes are inferred, sorted")
        #expect(s.notices.contains { $0.contains("1 image(s) under images/ have no row in labels.csv") })
        #expect(s.items[0].givenLabels == LabelSet(single: "b"), "a tie goes to the first listed annotator")
    }

    @Test func multiLabelDataKeepsLabelSets() throws {
        let d = TemporaryDataset()
        d.image("a.png").image("b.png")
        d.write("classes.txt", "sea\nsky\nsand\n")
        d.write("labels.csv", "image,labels\na.png,sky|sea\nb.png,\n")
        let s = try read(d)
        #expect(s.isMultiLabel)
        #expect(s.items[0].givenLabels?.names == ["sea", "sky"])
        #expect(s.items[1].givenLabels == LabelSet.empty)
    }

    @Test func missingEmptyAndNonImageFilesAreMarkedNotFatal() throws {
        let d = TemporaryDataset()
        d.image("ok.png")
        d.write("images/empty.png", bytes: [])
        d.write("images/text.jpg", "just text, not a JPEG")
        d.write("items.csv", "image\nok.png\nempty.png\ntext.jpg\ngone.png\n")
        let s = try read(d)
        let problems = Dictionary(uniqueKeysWithValues: s.items.map { ($0.path, $0.problem) })
        #expect(problems["ok.png"]! == nil)
        #expect(problems["empty.png"]! == "empty file")
        #expect(problems["text.jpg"]! == "not a PNG, JPEG or WebP image")
        #expect(problems["gone.png"]! == "missing file")
    }

    @Test func unlabelledFolderImportsEveryImageSorted() throws {
        let d = TemporaryDataset()
        for n in ["b.png", "a.jpg", ".hidden.png", "notes.txt"] { d.image(n) }
        let s = try read(d)
        #expect(s.layout == .unlabelled)
        #expect(s.items.map(\.path) == ["a.jpg", "b.png"])
    }

    @Test func anEmptyLabelsFileStopsFolderNamesBecomingLabels() throws {
        let d = TemporaryDataset()
        d.image("batch1/a.png").image("batch2/b.png")
        #expect(try read(d).layout == .imageFolder)
        d.write("labels.csv", "image,label\n")
        d.write("items.csv", "image\nbatch1/a.png\nbatch2/b.png\n")
        let s = try read(d)
        #expect(s.layout == .labelsFile)
        #expect(s.items.allSatisfy { $0.givenLabels == nil })
    }

    @Test func probabilityToleranceComesFromWinnowToml() throws {
        let d = MalformedInputTests.base()
        d.write("predictions/m1.csv", "image,cat,dog\na.png,0.9,0.05\nb.png,0.2,0.8\nc.png,0.5,0.5\n")
        #expect(problems(d).first?.message.contains("0.95") == true)
        d.write("winnow.toml", "[import]\nprobability_tolerance = 0.1\n")
        #expect(problems(d).isEmpty)
    }

    @Test func predictionColumnsAreMappedByName() throws {
        let d = MalformedInputTests.base()
        d.write("predictions/m1.csv", "dog,image,cat\n0.1,a.png,0.9\n0.8,b.png,0.2\n0.4,c.png,0.6\n")
        let s = try read(d)
        #expect(s.models[0].probabilities == [0.9, 0.1, 0.2, 0.8, 0.6, 0.4])
    }

    @Test func crlfBomAndQuotedPathsAreAccepted() throws {
        let d = TemporaryDataset()
        d.image("a, b.png").image("c.png")
        d.write("labels.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("image,label\r\n\"a, b.png\",cat\r\nc.png,dog\r\n\r\n".utf8))
        let s = try read(d)
        #expect(s.items.map(\.path) == ["a, b.png", "c.png"])
    }
}
