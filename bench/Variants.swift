import Clustering
import Tensor

/// Variants under investigation, kept apart from the baseline list.
let extraVariants: [Variant] = []
