import Foundation
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowDataset

/// Multi-label and multi-annotator input: per-class probabilities are accepted, and bad
/// cells, annotators and probabilities are clear errors or notes.
@Suite("Dataset reader: multi-label probabilities and annotators")
struct MultiLabelImportTests {
    /// Three images with label sets over sea, sky, sand.
    static func base() -> TemporaryDataset {
        let d = TemporaryDataset()
        for name in ["a.png", "b.png", "c.png"] { d.image(name) }
        d.write("classes.txt", "sea\nsky\nsand\n")
        d.write("labels.csv", "image,labels\na.png,sea|sky\nb.png,\nc.png,sand\n")
        return d
    }

    @Test func perClassProbabilitiesNeedNotSumToOne() throws {
        let d = Self.base()
        d.write("predictions/sigmoid.csv", "image,sea,sky,sand\na.png,0.9,0.8,0.1\nb.png,0.05,0.1,0.02\nc.png,0.2,0.3,0.97\n")
        d.npy("predictions/other.npy", rows: 3, columns: 3, [1, 1, 0, 0, 0, 0, 0.5, 0.5, 0.5])
        let s = try read(d)
        #expect(s.models.count == 2)
        #expect(s.models.first { $0.name == "sigmoid" }?.probabilities == [0.9, 0.8, 0.1, 0.05, 0.1, 0.02, 0.2, 0.3, 0.97])
        #expect(!s.notices.contains { $0.contains("without model probabilities") })
    }

    @Test func aProbabilityAboveOneIsRefused() throws {
        let d = Self.base()
        d.write("predictions/logits.csv", "image,sea,sky,sand\na.png,2.5,0.8,0.1\nb.png,0.05,0.1,0.02\nc.png,0.2,0.3,0.97\n")
        let problem = try #require(problems(d).first)
        #expect(problem.file == "predictions/logits.csv" && problem.line == 2)
        #expect(problem.message.contains("class 0 (\"sea\") the probability 2.5, above 1"), "\(problem)")
        #expect(problem.hint.contains("each from 0 to 1"))
        let npy = Self.base()
        npy.npy("predictions/m.npy", rows: 3, columns: 3, [0.5, 0.5, 0.5, 0.5, 1.25, 0.5, 0.5, 0.5, 0.5])
        let second = try #require(problems(npy).first)
        #expect(second.message.contains("row 1") && second.message.contains("class 1 (\"sky\")"), "\(second)")
    }

    @Test func singleLabelRowsMustStillSumToOne() {
        let d = TemporaryDataset.simple(count: 2, classes: ["cat", "dog"])
        d.write("predictions/m.csv", "image,cat,dog\nimg0.png,0.9,0.8\nimg1.png,0.5,0.5\n")
        #expect(problems(d).first?.message.contains("sum to 1.7") == true)
    }

    @Test func anUnknownClassInACellIsRefused() throws {
        let d = Self.base()
        d.write("labels.csv", "image,labels\na.png,sea|skye\n")
        let problem = try #require(problems(d).first)
        #expect(problem.line == 2 && problem.column == 2 && problem.message.contains("\"skye\" is not a class in classes.txt"), "\(problem)")
    }

    @Test func aClassTwiceInOneCellIsRefused() throws {
        let d = Self.base()
        d.write("labels.csv", "image,labels\na.png,sea|sky\nb.png,sky| sky\n")
        let problem = try #require(problems(d).first)
        #expect(problem.file == "labels.csv" && problem.line == 3 && problem.column == 2)
        #expect(problem.message == "\"sky\" is listed twice in this cell", "\(problem)")
    }

    @Test func anEmptyAnnotatorIsRefused() throws {
        let d = TemporaryDataset.simple(count: 2, classes: ["cat", "dog"])
        d.write("labels.csv", "image,label,annotator\nimg0.png,cat,ann\nimg0.png,dog, \nimg1.png,dog,ann\n")
        let problem = try #require(problems(d).first)
        #expect(problem.line == 3 && problem.column == 3 && problem.message == "the annotator is empty", "\(problem)")
        #expect(problem.hint.contains("remove the annotator column"))
    }

    @Test func multiLabelDataWithoutAModelGetsANote() throws {
        let s = try read(Self.base())
        #expect(s.notices.contains { $0.contains("multi-label data without model probabilities: no label-quality signals") })
    }
}
