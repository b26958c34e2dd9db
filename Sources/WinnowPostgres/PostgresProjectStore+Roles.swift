import WinnowStore

// The store contract (WinnowStore/ProjectStoring.swift), every role of it. Chosen by
// WinnowSession's `StoreLocation` (`--store`, `$WINNOW_STORE`, winnow.toml's `[store] url`).
extension PostgresProjectStore: ProjectReading, ProjectImporting, DecisionRecording, LeaseKeeping, AnalysisCaching {}
