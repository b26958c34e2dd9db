import Foundation
import GRDB
import Testing
import WinnowCore
import WinnowTestSupport
@testable import WinnowStore

/// A team shares one state folder: its permissions follow the dataset folder's. (Leases and
/// roles are tested on both stores in WinnowPostgresTests' shared store tests.)
@Suite("Store: the shared state folder's permissions")
struct TeamStoreTests {
    @Test("the state folder is group-shared when the dataset folder is, private otherwise")
    func permissions() throws {
        let shared = TemporaryDataset.simple()
        chmod(shared.root, 0o2775)
        let store = try ProjectStore(stateDirectory: shared.root + "/.winnow")
        var info = stat()
        stat(shared.root + "/.winnow", &info)
        #expect(info.st_mode & 0o7777 == 0o2775)
        stat(store.databasePath, &info)
        #expect(info.st_mode & 0o777 == 0o664)
        umask(0o022)

        let solo = TemporaryDataset.simple()
        chmod(solo.root, 0o700)
        let own = try ProjectStore(stateDirectory: solo.root + "/.winnow")
        stat(solo.root + "/.winnow", &info)
        #expect(info.st_mode & 0o777 == 0o700)
        stat(own.databasePath, &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }
}
