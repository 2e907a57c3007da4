/// Activation buffers for one forward pass, reused while batches fit in them.
/// Rows are tokens of all images back to back: row b·T + t is token t of image b (t = 0 is CLS).
final class Scratch {
    let rowCapacity: Int, tokenCapacity: Int, patchRowCapacity: Int, workers: Int
    private(set) var images: Int, tokens: Int
    let x: FloatBuffer        // [M, D] residual stream
    let qkv: FloatBuffer      // [M, 3D] Q | K | V per row
    let context: FloatBuffer  // [M, D] attention output before the projection
    let normed: FloatBuffer   // [M, D] LayerNorm output
    let hidden: FloatBuffer   // [M, H] MLP hidden layer
    let projected: FloatBuffer  // [M, D] output of a projection before bias and residual
    let scores: FloatBuffer   // [workers, T, T] attention weights, one matrix per worker thread
    let patches: FloatBuffer  // [N·g, 3·p·p] image patches (im2col)
    /// bf16 copies of the inputs of the weight products, for oneDNN (empty on the other engines):
    /// normed [M, D], context [M, D], hidden [M, H] (written by fc1 itself), patches [N·g, 3·p·p].
    let normed16, context16, hidden16, patches16: BF16Buffer

    /// Buffers for `images` × `tokens` rows of `config` and `workers` threads; `bf16Inputs`: also the
    /// bf16 input buffers oneDNN's products read.
    init(config: ViTConfig, images: Int, tokens: Int, workers: Int, bf16Inputs: Bool = false) {
        let m = images * tokens, d = config.hidden
        rowCapacity = m
        tokenCapacity = tokens
        patchRowCapacity = images * (tokens - 1)
        self.workers = workers
        self.images = images
        self.tokens = tokens
        x = FloatBuffer(count: m * d)
        qkv = FloatBuffer(count: m * 3 * d)
        context = FloatBuffer(count: m * d)
        normed = FloatBuffer(count: m * d)
        hidden = FloatBuffer(count: m * config.mlpHidden)
        projected = FloatBuffer(count: m * d)
        scores = FloatBuffer(count: workers * tokens * tokens)
        patches = FloatBuffer(count: images * (tokens - 1) * 3 * config.patch * config.patch)
        let half = { (count: Int) in BF16Buffer(count: bf16Inputs ? count : 0) }
        normed16 = half(m * d)
        context16 = half(m * d)
        hidden16 = half(m * config.mlpHidden)
        patches16 = half(patches.count)
    }

    /// Whether `images` × `tokens` fit in these buffers.
    func fits(images: Int, tokens: Int) -> Bool {
        images * tokens <= rowCapacity && tokens <= tokenCapacity && images * (tokens - 1) <= patchRowCapacity
    }

    /// Uses the buffers for `images` × `tokens` rows (which must fit).
    func resize(images: Int, tokens: Int) {
        precondition(fits(images: images, tokens: tokens))
        self.images = images
        self.tokens = tokens
    }

    /// Rows in use.
    var rows: Int { images * tokens }
}
