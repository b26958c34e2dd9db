import WinnowStore

// The roles of the store contract (WinnowStore/ProjectStoring.swift) this store fulfils in
// full. Not yet `ProjectReading` (info, evidence, the analysis context and its signature,
// annotations, the state folder, the export snapshot as an `ExportSnapshot`), so not yet
// `ProjectStoring`: `openProjectStore` cannot choose it.
extension PostgresProjectStore: ProjectImporting, DecisionRecording, LeaseKeeping, AnalysisCaching {}
