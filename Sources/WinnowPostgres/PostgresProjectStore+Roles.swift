import WinnowStore

// The store contract (WinnowStore/ProjectStoring.swift), every role of it. Not yet chosen by
// `openProjectStore` (the CLI's `[store] url`, `--store`, `$WINNOW_STORE` are to come).
extension PostgresProjectStore: ProjectReading, ProjectImporting, DecisionRecording, LeaseKeeping, AnalysisCaching {}
