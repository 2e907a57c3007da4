import Imaging

/// When two photo contents count as near-duplicates: features close (cosine distance at most `threshold`, the
/// `duplicate_threshold` setting) and perceptual signatures that agree (at most `confirmBits` of 64 bits differ),
/// or signatures almost equal (at most `signatureBits`) whatever the features say. Only pairs among each photo's
/// nearest neighbours in the index are ever judged. Docs/OVERVIEW.md says what the defaults catch.
public struct DuplicateRule: Sendable, Equatable {
    /// The default `duplicate_threshold`.
    public static let defaultThreshold = 0.05
    /// Largest cosine distance between the features of a near pair.
    public var threshold: Float
    /// Signature bits that may differ in a pair the features accept.
    public var confirmBits: Int
    /// Signature bits within which a pair is accepted on the signatures alone.
    public var signatureBits: Int

    /// A rule; `threshold` as the setting gives it.
    public init(threshold: Double = DuplicateRule.defaultThreshold, confirmBits: Int = 12, signatureBits: Int = 6) {
        self.threshold = Float(threshold)
        self.confirmBits = confirmBits
        self.signatureBits = signatureBits
    }

    /// Whether a pair at feature distance `distance`, whose signatures differ in `bits` (nil: a signature is
    /// missing), is a near-duplicate.
    public func matches(distance: Float, bits: Int?) -> Bool {
        guard let bits else { return distance <= threshold }
        return (distance <= threshold && bits <= confirmBits) || bits <= signatureBits
    }
}
