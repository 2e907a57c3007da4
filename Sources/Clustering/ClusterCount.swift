import Foundation

/// The number of clusters herd makes when the user does not say (until it can estimate one).
public enum ClusterCount {
    /// Most clusters the default ever gives, so the folders stay browsable.
    public static let cap = 100

    /// For a library of `photos` photos: ⌊√(N/2)⌉ clamped to 2...100 (1 below 4 photos).
    /// Clusters then hold about √(2N) photos each: ≈ 45 at N = 1,000, ≈ 141 at 10,000; past 20,000 the cap holds.
    public static func suggested(for photos: Int) -> Int {
        guard photos >= 4 else { return 1 }
        let k = Int((Double(photos) / 2).squareRoot().rounded())
        return min(max(k, 2), cap)
    }
}
