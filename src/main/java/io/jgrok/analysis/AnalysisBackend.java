package io.jgrok.analysis;

/**
 * The numeric core of {@code jgrok analyze}: everything that touches p^2-sized data or many checkpoints. The CPU
 * implementation ({@link CpuAnalysisBackend}) is the reference; a device implementation computes the same
 * quantities with kernels (many checkpoints per launch) and must agree with it within the test tolerances, method
 * by method. The host side ({@link FinalAnalysis}, {@link ProgressMeasures}) only selects, labels and writes.
 *
 * <p>Conventions shared by all methods: inputs are indexed a*p + b; tensors are row-major float32 with the token (or
 * input-grid) axes first and channels last; Fourier coefficients are in the rows of {@link #basis()}, in the run's
 * order (cos-first or sin-first). Batch methods take one entry per checkpoint and return results in the same order;
 * a backend may process a batch in one launch. Instances are bound to one model shape and are not thread-safe.
 */
public interface AnalysisBackend extends AutoCloseable {

    /** One line: where the arithmetic runs. */
    String description();

    /** The Fourier basis (p and row order) all coefficients refer to. */
    FourierBasis basis();

    /** How many checkpoints the progress pass should hand to the batch methods at once. */
    int preferredBatch();

    /** Logits [p*p, nOutputs] of every input for each parameter buffer (flat {@code ParamLayout} buffers). */
    float[][] logits(float[][] params);

    /** Logits, MLP activations and attention at {@code =} for every input (the final model). */
    ModelOutputs outputs(float[] params);

    /** F x along the first axis: x is [p, m], the result [p, m]. */
    float[] transform1d(float[] x, int m);

    /** F X F^T over the first two axes of x [p, p, m] (one p x p grid per channel); the result is [p, p, m]. */
    float[] transform2d(float[] x, int m);

    /**
     * Per-neuron fraction of variance explained by each frequency, from activations [p*p, nNeurons]: each neuron is
     * centred over the p^2 inputs and 2D-transformed; for frequency k the 8 terms {const, cos k, sin k}^2 except
     * (const, const) are summed in square and divided by the total sum of squares. Returns [nNeurons, K] with
     * column k-1 for frequency k = 1..K (K = {@link FourierBasis#nFrequencies()}); a neuron with zero variance gets
     * all zeros.
     */
    double[] fracExplained(float[] neurons, int nNeurons);

    /** Plain and Fourier-ablated losses and accuracies of each logits buffer ([p*p, nOutputs]). */
    LogitMeasures[] logitMeasures(float[][] logits, AblationPlan plan);

    /** Fourier norms of W_E and W_L, their Gini coefficients and the sum of squared weights, per buffer. */
    WeightMeasures[] weightMeasures(float[][] params);

    /**
     * The AGOP of each parameter buffer: the mean over {@code examples} (pair indices a*p + b, normally the training
     * pairs) of K^T K, K [p, 2p] the Jacobian of the p number logits with respect to the one-hot inputs at positions
     * 0 and 1 (see docs/agop.md). Each result is 2p x 2p, row-major, rows and columns a's p entries then b's;
     * symmetric and PSD up to rounding; the sum over examples is float64.
     */
    double[][] agop(float[][] params, int[] examples);

    /**
     * Whether {@link #agop} is cheap enough to run by default ({@code analyze --agop auto}): true on a GPU; the CPU
     * (about a second per paper-size checkpoint per core) and the emulated device say no.
     */
    default boolean agopIsCheap() {
        return false;
    }

    @Override
    void close();
}
