import Foundation
import WinnowCore
import WinnowStore

extension HelperEvidence {
    /// The helper in `winnow info`: whether it is on and why, and its last training (read
    /// from the state folder; `info` never trains it).
    package struct Info {
        package var text: String
        package var json: [String: Any]
    }

    package static func info(_ info: ProjectInfo, config: WinnowConfig, stateDirectory: String) -> Info {
        let status = self.status(
            config: config, multiLabel: info.multiLabel, models: info.models.count,
            embeddings: info.embeddings.map { ($0.source, $0.dimension) })
        let cache = status.on ? newestCache(stateDirectory: stateDirectory, config: config) : nil
        var json: [String: Any] = [
            "enabled": status.on, "status": status.reason, "folds": config.helperFolds,
            "regularisation": config.helperRegularisation.map { $0 as Any } ?? "auto",
            "retrain_every": config.helperRetrainEvery
        ]
        if let summary = cache?.summary {
            var trained: [String: Any] = [
                "trained_at": summary.trainedAt, "seconds": summary.seconds, "features": summary.features,
                "folds": summary.folds, "regularisation": summary.regularisation, "notes": summary.notes,
                "trained_items": summary.trainedItems
            ]
            if let accuracy = summary.outOfFoldAccuracy { trained["out_of_fold_accuracy"] = accuracy }
            if let loss = summary.outOfFoldLogLoss { trained["out_of_fold_log_loss"] = loss }
            if let unused = summary.unused { trained["unused"] = unused }
            json["last_training"] = trained
        }
        return Info(text: describe(status: status, cache: cache), json: json)
    }

    /// `info --json` with the helper added under "helper" (keys sorted, as the rest).
    package static func adding(_ helper: Info, toJSON data: Data) throws -> Data {
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return data }
        object["helper"] = helper.json
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
