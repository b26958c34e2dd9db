import Testing
@testable import WinnowNeighbours

@Suite("A graph searched over some items, spread back to item positions")
struct NeighbourGraphSpreadTests {
    @Test("rows become items, neighbours are renamed, unsearched items and missing neighbours stay empty")
    func spread() {
        // Searched: items 4, 1, 2 (rows 0, 1, 2); row 2 has one neighbour only.
        let searched = NeighbourGraph(count: 3, k: 2, ids: [1, 2, 0, 2, 0, -1], similarities: [0.9, 0.5, 0.9, 0.4, 0.8, 0])
        let graph = searched.spread(to: [4, 1, 2], count: 5)
        #expect(graph.count == 5 && graph.k == 2)
        #expect(graph.neighbours(of: 4).map(\.id) == [1, 2])
        #expect(graph.neighbours(of: 1).map(\.id) == [4, 2])
        #expect(graph.neighbours(of: 2).map(\.id) == [4])
        #expect(graph.neighbours(of: 2).map(\.similarity) == [0.8])
        #expect(graph.neighbours(of: 0).isEmpty && graph.neighbours(of: 3).isEmpty)
    }
}
