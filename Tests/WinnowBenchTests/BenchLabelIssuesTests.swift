import Foundation
import Testing
import WinnowTestSupport

/// `winnow-bench label-issues --suite --seeds`: a generated suite is reused, not generated
/// again, and the margins are summed up per dataset over the seeds.
@Suite("bench label-issues over several seeds")
struct BenchLabelIssuesTests {
    /// A suite root with one small dataset per seed, recorded as generated (suite.json), so
    /// no Python is needed: one model, two classes, three known label errors.
    func suiteRoot(seeds: [Int]) -> TemporaryDataset {
        let root = TemporaryDataset()
        for seed in seeds {
            let folder = "s\(seed)/tiny"
            let n = 20
            var items = "image\n", labels = "image,label\n", truth = "image,true_label,given_label,is_label_error\n"
            var probabilities: [Float] = []
            for i in 0..<n {
                let name = "img\(i).png"
                let trueClass = i % 2
                let error = i < 3
                let given = error ? 1 - trueClass : trueClass
                root.write("\(folder)/images/\(name)", bytes: TemporaryDataset.onePixelPNG)
                items += name + "\n"
                labels += "\(name),c\(given)\n"
                truth += "\(name),c\(trueClass),c\(given),\(error ? 1 : 0)\n"
                // The model sees the true class, more or less sharply (the seed moves it).
                let confidence = Float(0.6) + Float((i * 7 + seed * 3) % 10) / 30
                probabilities += trueClass == 0 ? [confidence, 1 - confidence] : [1 - confidence, confidence]
            }
            root.write("\(folder)/items.csv", items).write("\(folder)/labels.csv", labels).write("\(folder)/ground_truth.csv", truth)
                .write("\(folder)/classes.txt", "c0\nc1\n").write("\(folder)/winnow.toml", "[analysis]\nexact_duplicates = false\n")
                .npy("\(folder)/predictions/model.npy", rows: n, columns: 2, probabilities)
                .write("s\(seed)/suite.json", #"{"cleanlab_version": "2.9.0", "datasets": [{"name": "tiny"}]}"#)
        }
        return root
    }

    @Test func aGeneratedSuiteIsReusedAndTheMarginsAreSummedUpPerDataset() {
        let root = suiteRoot(seeds: [3, 5])
        let run = WinnowProcess.runBench([
            "label-issues", "--suite", "--seeds", "3,5", "--suite-directory", root.root, "--python", "/nonexistent/python"
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("reusing the suite generated in \(root.root)/s3"))
        #expect(!run.stderr.contains("running /nonexistent/python"))
        #expect(run.stdout.contains("[seed 3] tiny: 20 labelled items, 2 classes, 1 model, no embeddings, K = 3 real errors"))
        #expect(run.stdout.contains("[seed 5] tiny:"))
        // One model, no embeddings: the fused score is its self-confidence, so margin 0 on both.
        #expect(
            run.stdout.contains("margins over seeds 3, 5 (fused P@K minus the best other ranking's):\n  tiny: 3 +0.000, 5 +0.000; worst +0.000"),
            "\(run.stdout)")
        #expect(run.stdout.contains("fused ≥ best other ranking (precision at K) on 2 of 2 datasets; worst margin +0.000"))
    }

    @Test func aSeedNotGeneratedYetRunsTheGeneratorAndSaysWhatIsMissing() {
        let root = suiteRoot(seeds: [0])
        let run = WinnowProcess.runBench([
            "label-issues", "--suite", "--seeds", "0,1", "--suite-directory", root.root, "--python", "/nonexistent/python"
        ])
        #expect(run.status != 0)
        #expect(run.stderr.contains("cannot run /nonexistent/python"), "\(run.stderr)")
        #expect(run.stderr.contains("make bench-venv"))
        let bad = WinnowProcess.runBench(["label-issues", "--suite", "--seeds", "0,x", "--suite-directory", root.root])
        #expect(bad.status == 1 && bad.stderr.contains("--seeds: 'x' is not a whole number"), "\(bad.stderr)")
    }
}
