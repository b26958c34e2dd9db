import Testing
import WinnowCore
@testable import WinnowGraphics

@Suite("Encoded image cache")
struct EncodedImageCacheTests {
    func key(_ name: String, colors: Int = 256) -> EncodedImageKey {
        EncodedImageKey(identity: name, pixelSize: PixelSize(width: 10, height: 12), colors: colors, imageProtocol: .sixel)
    }

    func image(bytes count: Int) -> EncodedImage {
        EncodedImage(sequences: [[UInt8](repeating: 1, count: count)], pixelSize: PixelSize(width: 10, height: 12))
    }

    @Test func leastRecentlyUsedGoesFirst() {
        let cache = EncodedImageCache(byteLimit: 300)
        cache.insert(image(bytes: 100), for: key("a"))
        cache.insert(image(bytes: 100), for: key("b"))
        cache.insert(image(bytes: 100), for: key("c"))
        #expect(cache.image(for: key("a")) != nil) // a is now the most recent
        cache.insert(image(bytes: 100), for: key("d"))
        #expect(cache.image(for: key("b")) == nil)
        #expect(cache.image(for: key("a")) != nil && cache.image(for: key("c")) != nil && cache.image(for: key("d")) != nil)
        #expect(cache.totalBytes == 300)
        #expect(cache.count == 3)
    }

    @Test func keysDifferBySizeColoursAndProtocol() {
        let cache = EncodedImageCache()
        cache.insert(image(bytes: 10), for: key("a", colors: 256))
        #expect(cache.image(for: key("a", colors: 64)) == nil)
        var kitty = key("a")
        kitty.imageProtocol = .kitty
        #expect(cache.image(for: kitty) == nil)
    }

    @Test func replacingAndOversizedEntries() {
        let cache = EncodedImageCache(byteLimit: 100)
        cache.insert(image(bytes: 40), for: key("a"))
        cache.insert(image(bytes: 60), for: key("a"))
        #expect(cache.totalBytes == 60)
        cache.insert(image(bytes: 101), for: key("huge"))
        #expect(cache.image(for: key("huge")) == nil)
        #expect(cache.totalBytes == 60)
        cache.removeAll()
        #expect(cache.count == 0 && cache.totalBytes == 0)
    }

    @Test func concurrentUseKeepsTheBooksStraight() async {
        let cache = EncodedImageCache(byteLimit: 5_000)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<200 {
                        let name = "\(task)-\(index % 50)"
                        if cache.image(for: key(name)) == nil { cache.insert(image(bytes: 10 + index % 30), for: key(name)) }
                    }
                }
            }
        }
        #expect(cache.totalBytes <= 5_000)
        #expect(cache.totalBytes > 0)
    }
}
