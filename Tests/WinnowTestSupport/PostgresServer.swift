// The throwaway PostgreSQL server lives in its own module (winnow-bench starts one too);
// test files that import WinnowTestSupport see it as before.
@_exported import WinnowPostgresServer
