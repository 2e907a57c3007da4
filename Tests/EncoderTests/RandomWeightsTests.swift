@testable import Encoder
import XCTest

/// Seeded random weights stay the same across builds: benchmarks and parity runs compare against them.
final class RandomWeightsTests: XCTestCase {
    func testSeededWeightsAreRepeatable() {
        let config = ViTConfig(family: .dinoV2, hidden: 32, heads: 4, layers: 2, mlpHidden: 128, patch: 8, positionGrid: 7, eps: 1e-6)
        let weights = ViTWeights(random: config, seed: 7)
        // Values the generator gave before it moved to Tensor's SplitMix64: the first, second, a later
        // buffer's first, and the very last weight drawn.
        let pinned = [weights.patchWeight.pointer[0], weights.patchWeight.pointer[1], weights.finalBeta.pointer[0],
                      weights.blocks[1].layerScale2!.pointer[31]]
        XCTAssertEqual(pinned.map(\.bitPattern), [3_186_807_690, 1_036_608_637, 1_023_731_805, 1_049_212_542])
    }
}
