import WinnowStore

// The roles of the store contract (WinnowStore/ProjectStoring.swift) this store fulfils in
// full. Not yet `ProjectReading` (it lacks `stateDirectory` and
// `analysisContext(policy:)`, whose models' matrices are file paths in a state folder while
// this store keeps them in the database), so not yet `ProjectStoring`: `openProjectStore`
// cannot choose it.
extension PostgresProjectStore: ProjectImporting, DecisionRecording, LeaseKeeping, AnalysisCaching {}
