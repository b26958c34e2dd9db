#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import WinnowTestSupport
@testable import WinnowStore

/// Issue 17, items 7 and 8 at the level of the store: the state's modes come from the
/// dataset folder, and a full disk is recognised.
@Suite("Hardening: state permissions and full disks")
struct HardeningStoreTests {
    @Test func modesFollowTheDatasetFolder() {
        let shared = StatePermissions.modes(forDatasetMode: 0o2775)
        #expect(shared == .init(shared: true, folder: 0o2775, database: 0o664, umask: 0o002))
        #expect(StatePermissions.modes(forDatasetMode: 0o770) == .init(shared: true, folder: 0o2770, database: 0o660, umask: 0o007))
        #expect(StatePermissions.modes(forDatasetMode: 0o755) == .init(shared: false, folder: 0o755, database: 0o644, umask: 0o022))
        #expect(StatePermissions.modes(forDatasetMode: 0o750) == .init(shared: false, folder: 0o750, database: 0o640, umask: 0o027))
        #expect(StatePermissions.modes(forDatasetMode: 0o700) == .init(shared: false, folder: 0o700, database: 0o600, umask: 0o077))
        // A world-writable dataset folder does not make the state world-writable.
        #expect(StatePermissions.modes(forDatasetMode: 0o777).folder & 0o002 == 0)
    }

    @Test func aStateFolderElsewhereTakesTheDatasetsModesNotItsParents() throws {
        let dataset = TemporaryDataset.simple()
        chmod(dataset.root, 0o700)
        let parent = dataset.root + "-parent"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        chmod(parent, 0o1777)
        defer { try? FileManager.default.removeItem(atPath: parent); umask(0o022) } // as the permissions test does
        let store = try ProjectStore(stateDirectory: parent + "/state", datasetFolder: dataset.root)
        var info = stat()
        #expect(stat(parent + "/state", &info) == 0 && info.st_mode & 0o7777 == 0o700)
        #expect(stat(store.databasePath, &info) == 0 && info.st_mode & 0o777 == 0o600)
        // (The umask it sets is process-wide, so it is checked through the binary: HardeningCLITests.)
    }

    @Test func fullDisksAreRecognised() {
        #expect(DiskSpace.isFull(errno: ENOSPC) && DiskSpace.isFull(errno: EDQUOT) && DiskSpace.isFull(errno: EFBIG))
        #expect(!DiskSpace.isFull(errno: EACCES) && !DiskSpace.isFull(errno: EIO))
        let (reason, fix) = DiskSpace.explain(folder: "/")
        #expect(reason.contains("full") || reason.contains("ulimit -f"))
        #expect(!fix.contains("permission"))
        #expect(StoreError.diskFull(folder: "/x").description.contains("everything saved before is intact"))
    }
}
