import Clustering
import Tensor

/// Variants under investigation, kept apart from the baseline list.
let extraVariants: [Variant] = [
    tspVariant("lr1e-3-steps2k") { c, _ in c.learningRate = 1e-3; c.minimumSteps = 2000 },
    tspVariant("lr1e-3-steps10k") { c, _ in c.learningRate = 1e-3; c.minimumSteps = 10000 },
    tspVariant("lr3e-3-steps3k") { c, _ in c.learningRate = 3e-3; c.minimumSteps = 3000 },
    tspVariant("lr1e-3-steps5k-heads3") { c, _ in c.learningRate = 1e-3; c.minimumSteps = 5000; c.heads = 3 },
    tspVariant("lr1e-3-steps5k-k10") { c, _ in c.learningRate = 1e-3; c.minimumSteps = 5000; c.neighbours = 10 },
    tspVariant("lr1e-3-steps5k-k40") { c, _ in c.learningRate = 1e-3; c.minimumSteps = 5000; c.neighbours = 40 },
    tspVariant("lr1e-3-steps5k-lambda2") { c, _ in c.learningRate = 1e-3; c.minimumSteps = 5000; c.entropyWeight = 2 },
    tspVariant("lr1e-3-steps5k-lambda5") { c, _ in c.learningRate = 1e-3; c.minimumSteps = 5000; c.entropyWeight = 5 },
    tspVariant("lr3e-3-steps5k") { c, _ in c.learningRate = 3e-3; c.minimumSteps = 5000 },
    tspVariant("lr1e-2-steps2k") { c, _ in c.learningRate = 1e-2; c.minimumSteps = 2000 },
    tspVariant("lr1e-2-steps5k") { c, _ in c.learningRate = 1e-2; c.minimumSteps = 5000 },
    tspVariant("lr3e-3-steps3k-heads3") { c, _ in c.learningRate = 3e-3; c.minimumSteps = 3000; c.heads = 3 },
    tspVariant("lr3e-3-steps3k-temp0.3") { c, _ in c.learningRate = 3e-3; c.minimumSteps = 3000; c.temperature = 0.3 },
]

/// The robust method with some of its options, for the ablation in Docs/CLUSTERING.md.
func robustVariant(_ name: String, _ change: @escaping @Sendable (inout RobustTSP) -> Void) -> Variant {
    Variant(name: name) { x, k, seed in
        var method = RobustTSP(clusters: k, seed: seed)
        change(&method)
        return try method.fit(x).assignments
    }
}

let robustVariants: [Variant] = [
    robustVariant("robust") { _ in },
    robustVariant("robust-noguard") { $0.guardAgainstKMeans = false },
    robustVariant("robust-agreementguard") { $0.guardOnModularityToo = false },
    robustVariant("robust-selflabel") { $0.selfLabelling = SelfLabelling() },
    robustVariant("robust-selflabel-t0.9") { var s = SelfLabelling(); s.threshold = 0.9; $0.selfLabelling = s },
    robustVariant("robust-selflabel-long") { var s = SelfLabelling(); s.steps = 1000; $0.selfLabelling = s },
    robustVariant("robust-trainedjudge") { $0.judgeOnHeldOutNeighbours = false },
    robustVariant("robust-trainedjudge-noguard") { $0.judgeOnHeldOutNeighbours = false; $0.guardAgainstKMeans = false },
    robustVariant("robust-heads1") { $0.configuration.heads = 1 },
    robustVariant("robust-lossselect") { $0.selectByAgreement = false },
    robustVariant("robust-heads1-noguard") { $0.configuration.heads = 1; $0.guardAgainstKMeans = false },
    robustVariant("robust-lossselect-noguard") { $0.selectByAgreement = false; $0.guardAgainstKMeans = false },
    robustVariant("robust-prior-noguard") { $0.configuration.sizePrior = .kmeans; $0.guardAgainstKMeans = false },
    robustVariant("robust-prior") { $0.configuration.sizePrior = .kmeans },
    robustVariant("robust-prior-heads1-noguard") { $0.configuration.sizePrior = .kmeans; $0.configuration.heads = 1; $0.guardAgainstKMeans = false },
    robustVariant("robust-consensus") { $0.confidenceFloor = 0.9 },
    robustVariant("robust-consensus-noguard") { $0.confidenceFloor = 0.9; $0.guardAgainstKMeans = false },
    robustVariant("robust-prior-consensus-noguard") { $0.confidenceFloor = 0.9; $0.guardAgainstKMeans = false; $0.configuration.sizePrior = .kmeans },
    robustVariant("robust-prior-consensus") { $0.confidenceFloor = 0.9; $0.configuration.sizePrior = .kmeans },
    robustVariant("robust-heads5-noguard") { $0.configuration.heads = 5; $0.guardAgainstKMeans = false },
]
