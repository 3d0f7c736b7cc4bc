package io.jgrok.engine;

/**
 * Softmax collapse (Prieto et al. 2025): the correct class's logit is so far above the others that the softmax's
 * sum of exponentials equals the correct class's term alone in floating point, so that the example's loss and its
 * correct-class gradient are exactly zero and it stops teaching the model anything.
 *
 * <p>Definition used throughout jgrok (both engines, and the tests' reference): an example with float32 logits z and
 * label y has collapsed in precision P when z_y is larger than every other logit and the exact sum
 * {@code S = sum_{j != y} exp(z_j - z_y)}, added to the correct class's term 1, rounds to 1 in P. With P's
 * round-to-nearest-even that is {@code S <= 2^-24} for float32 and {@code S <= 2^-53} for float64. The sum is
 * taken exactly and rounded once, so the measure does not depend on summation order (adding the terms to 1 one at a
 * time would absorb each of them separately and count some examples with a larger S as collapsed). Every logit of
 * the softmax counts, the {@code =} logit too where the config has one, as in the loss.
 *
 * <p>The CPU engine computes S in float64 only for examples that may have collapsed (the correct logit is the largest
 * and the float64 softmax sum it computes anyway is below {@link #CANDIDATE_SUM}); the CUDA kernel adds each
 * exponential it computes anyway into S as well. Neither slows the default training step measurably
 * (docs/stability.md, "Speed").
 */
public final class SoftmaxCollapse {
    private SoftmaxCollapse() {
    }

    /** Largest S that float32 rounds away: 1 + 2^-24 is a tie and rounds to the even 1. */
    public static final double F32_LIMIT = 0x1p-24;

    /** Largest S that float64 rounds away. */
    public static final double F64_LIMIT = 0x1p-53;

    /**
     * A float64 softmax sum (the correct term being exactly 1) above this cannot belong to a collapsed example: S <=
     * 2^-24 gives a computed sum of at most 1 + 2^-24 plus the rounding of a few hundred additions, far below it.
     */
    public static final double CANDIDATE_SUM = 1 + 0x1p-20;

    /** Bit of the result of {@link #of}: collapsed in float32. */
    public static final int F32 = 1;

    /** Bit of the result of {@link #of}: collapsed in float64 (implies {@link #F32}). */
    public static final int F64 = 2;

    /**
     * The collapse bits ({@link #F32}, {@link #F64}) of an example from S, the sum of the other classes'
     * exponentials relative to the correct one's (correct logit the strict maximum).
     */
    public static int fromOthers(double others) {
        return (others <= F32_LIMIT ? F32 : 0) | (others <= F64_LIMIT ? F64 : 0);
    }
}
