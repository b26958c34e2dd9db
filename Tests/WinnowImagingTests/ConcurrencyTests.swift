import Dispatch
import Synchronization
import Testing
import WinnowCore
import WinnowImaging

@Suite("Concurrency: decoders share no state")
struct ConcurrencyTests {
    @Test func decodingOnManyThreadsAtOnceGivesTheSameResults() throws {
        let names = Fixture.valid
        let inputs = names.map(Fixture.bytes)
        let expected = try inputs.map { try ImageDecoder.decode(data: $0, fitting: PixelSize(width: 40, height: 40)) }
        let mismatches = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8 * names.count) { iteration in
            let index = iteration % names.count
            let result = try? ImageDecoder.decode(data: inputs[index], fitting: PixelSize(width: 40, height: 40))
            if result != expected[index] { mismatches.withLock { $0.append(names[index]) } }
        }
        #expect(mismatches.withLock { $0 }.isEmpty)
    }
}
