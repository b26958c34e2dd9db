import Testing
import WinnowCore
import WinnowImaging

@Suite("Perceptual features: near-duplicates close, unrelated images far")
struct ImageFeaturesTests {
    static func features(_ name: String) throws -> ImageFeatures {
        ImageFeatures(of: try Fixture.decode(name).image)
    }

    @Test(arguments: ["scene-a-q30.jpg", "scene-a-resized.jpg", "scene-a-brighter.jpg", "scene-a.webp"])
    func reencodedResizedAndBrightenedCopiesStayClose(name: String) throws {
        let original = try Self.features("scene-a.png"), copy = try Self.features(name)
        #expect(original.hash.distance(to: copy.hash) <= 6, "hash distance \(original.hash.distance(to: copy.hash))")
        #expect(original.similarity(to: copy) > 0.95, "similarity \(original.similarity(to: copy))")
    }

    @Test func unrelatedScenesAreFar() throws {
        let scenes = try ["scene-a.png", "scene-b.jpg", "scene-c.jpg", "scene-d.jpg", "scene-e.jpg"].map(Self.features)
        for i in scenes.indices {
            for j in scenes.indices where j > i {
                #expect(scenes[i].hash.distance(to: scenes[j].hash) >= 16, "scenes \(i), \(j): \(scenes[i].hash.distance(to: scenes[j].hash))")
                #expect(scenes[i].similarity(to: scenes[j]) < 0.75, "scenes \(i), \(j): \(scenes[i].similarity(to: scenes[j]))")
            }
        }
    }

    @Test func transformsDoneHereStayClose() {
        let photo = syntheticPhoto(width: 160, height: 120, seed: 7)
        let original = ImageFeatures(of: photo)
        var brighter = photo
        for index in brighter.pixels.indices { brighter.pixels[index] = UInt8(clamping: Int(brighter.pixels[index]) + 20) }
        let copies = [photo.resized(width: 111, height: 83), photo.blurred(radius: 1), brighter, photo.resized(width: 320, height: 240)]
        for copy in copies.map(ImageFeatures.init(of:)) {
            #expect(original.hash.distance(to: copy.hash) <= 6)
            #expect(original.similarity(to: copy) > 0.95, "similarity \(original.similarity(to: copy))")
        }
        let other = ImageFeatures(of: syntheticPhoto(width: 160, height: 120, seed: 8))
        #expect(original.similarity(to: other) < 0.75)
        #expect(original.hash.distance(to: other.hash) >= 16)
    }

    @Test func theEmbeddingHasAFixedDimensionAndUnitLength() {
        for image in [
            syntheticPhoto(width: 50, height: 40, seed: 3), RGBImage(width: 10, height: 10, fill: RGB(90, 10, 200)), RGBImage(width: 1, height: 1)
        ] {
            let features = ImageFeatures(of: image)
            #expect(features.embedding.count == ImageFeatures.dimension)
            let length = features.embedding.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(length - 1) < 1e-4)
            #expect(abs(features.similarity(to: features) - 1) < 1e-4)
        }
        let empty = ImageFeatures(of: RGBImage(width: 0, height: 0))
        #expect(empty.embedding == [Float](repeating: 0, count: 128) && empty.hash.bits == 0)
    }

    @Test func hashHelpers() {
        #expect(PerceptualHash.hammingDistance(0b1011, 0b0001) == 2)
        #expect(PerceptualHash.hammingDistance(.max, 0) == 64)
        #expect(PerceptualHash(bits: 0xAB).description == "00000000000000ab")
        let photo = syntheticPhoto(width: 64, height: 48, seed: 11)
        #expect(PerceptualHash(of: photo) == ImageFeatures(of: photo).hash)
        // About half the bits are set: the threshold is the median.
        #expect((28...36).contains(PerceptualHash(of: photo).bits.nonzeroBitCount))
    }
}
