package io.jgrok;

/**
 * The numeric tolerances of the tests and of {@code jgrok gpu-check} (which runs the device checks from the jar, so
 * they live in main), in one place. Each says what it bounds and why it has that size; a check picks the one that
 * matches the comparison it makes instead of inventing its own.
 */
public final class Tolerances {
    private Tolerances() {
    }

    /**
     * Relative error of a float32 computation against a float64 reference of the same quantity (logits,
     * activations, gradients of size ~1), measured as max|a - b| / max(max|b|, FLOAT32_ABS_FLOOR): float32 has
     * 2^-24 ~ 6e-8 unit roundoff, and a dot product of length ~512 accumulates a few hundred ulps at worst.
     */
    public static final double FLOAT32_REL = 2e-4;

    /** Absolute floor under FLOAT32_REL so that tensors that are ~0 everywhere do not demand exact zeros. */
    public static final double FLOAT32_ABS_FLOOR = 1e-6;

    /** Two float64 implementations of the same formula (different summation order): a few ulps per term. */
    public static final double FLOAT64_REL = 1e-10;

    /**
     * Absolute error of float64 results of size O(1) that are exact in exact arithmetic: accuracies (ratios of
     * counts), transforms of a pure sinusoid, a few ulps (2^-52 ~ 2e-16 each) after O(p) operations.
     */
    public static final double FLOAT64_ABS = 1e-12;

    /**
     * Relative error of a short float32 computation (a handful of operations on values of order 1 to 100) against
     * its exact value: a few float32 ulps (2^-24 ~ 6e-8 each).
     */
    public static final double FLOAT32_FEW_ULPS_REL = 1e-6;

    /**
     * Relative error of one float32 rounding of a float64 value (AdamW's float32 state against a float64 recursion
     * of the same steps): 2^-24 ~ 6e-8, with a little room for the few float32 operations per step.
     */
    public static final double FLOAT32_ROUNDING_REL = 1e-7;

    /**
     * Relative error of a float64 elementary function (the engine's own exp against Math.exp): a few ulps
     * (2^-52 ~ 2e-16 each), and of a sum of such values.
     */
    public static final double FLOAT64_FUNCTION_REL = 1e-14;

    /**
     * Central finite differences in float64 against an analytic gradient: truncation error O(h^2) with h = 1e-5,
     * plus rounding O(eps/h); relative to the gradient's scale.
     */
    public static final double FINITE_DIFFERENCE_REL = 1e-6;

    /** Step of the central finite differences above. */
    public static final double FINITE_DIFFERENCE_STEP = 1e-5;

    /**
     * Cross-entropy losses of float32 logits: the loss is computed in float64, but from float32 logits, so it
     * inherits their relative error (FLOAT32_REL) times the logit scale (<= ~10 here).
     */
    public static final double LOSS_REL = 1e-4;

    /**
     * Engines that compute the same float32 training steps with different summation orders (CPU engine vs CUDA
     * kernels, PyTorch vs jgrok): after a few AdamW steps, updates of size lr can differ where m/sqrt(v) is
     * ill-conditioned (g ~ 0), so parameters are compared relative to their scale.
     */
    public static final double TRAINING_STEP_REL = 1e-3;

    /**
     * CUDA's fast intrinsics against exact float64 functions (device self-tests): __expf is off by up to
     * 2 + 1.16|x| ulp (about 20 ulp, 1.2e-6 relative, at |x| = 16), __logf by 2^-21.4 absolute near 1, __fdividef by
     * 2 ulp; relative to max(1, |value|). The emulated device computes them exactly, a GPU does not.
     */
    public static final double DEVICE_FAST_MATH_REL = 1e-5;

    /**
     * A few AdamW steps from the same weights by two float32 engines, compared as each tensor's update
     * (after - before) by ||update_a - update_b||_2 / ||update_b||_2. Elementwise the comparison is ill-conditioned:
     * where a gradient entry is ~1e-9 (float32 noise next to entries of ~1e-2) sqrt(v) is of the order of eps, and
     * m / (sqrt(v) + eps) differs by a large fraction between equally correct runs (seen against PyTorch at the
     * paper's size: 1 element of 14,592 in W_E and W_U off by ~0.4% of the largest update, the L2 measure 5e-5).
     * An element wrong by a whole update still shows as ~1/sqrt(n) >= 4e-3 for tensors of n <= 65,536 elements,
     * and a wrong learning rate, decay or warmup step as O(1e-1), so this bound keeps its teeth.
     */
    public static final double ADAM_UPDATE_L2_REL = 1e-3;

    /**
     * History losses (relative) of two float32 engines over the first ten or so epochs from the same weights: the CPU
     * engine and the CUDA kernels sum in different orders, so the first epoch's losses agree to ~1e-9 and the AdamW
     * steps then amplify the rounding differences (where g ~ 0, m/sqrt(v) is ill-conditioned, see
     * ADAM_UPDATE_L2_REL). Measured on the emulated device: 1.1e-6 after ten epochs at the paper's config, 1.8e-7
     * after thirty epochs of a small one with Grokfast. A schedule mistake (one warmup step off, a wrong decay) moves
     * the loss by ~1e-4 to 1e-3 of its value per epoch, far above this bound.
     */
    public static final double TRAINING_HISTORY_REL = 1e-5;

    /**
     * Each tensor's total update (after - before) after ten AdamW epochs by two float32 engines with different
     * summation orders, as ||update_a - update_b||_2 / ||update_b||_2. Adam divides by sqrt(v), so elements whose
     * gradient is small next to its float32 rounding move by lr-sized steps in directions that depend on the
     * summation order, and the next epochs' gradients inherit that. Measured at the paper's config after ten epochs
     * (warmup from lr 0): the CPU engine against itself with 1 vs 3 threads differs by up to 1.6e-3 (W_in), the CPU
     * engine against the CUDA kernels by up to 1.3e-2 (W_in; 5e-3 for W_E, 6e-4 for W_U), both with history losses
     * equal to 1e-6 and gradients at the start equally close to a float64 reference. A tensor without weight decay
     * (~10% of its update at the paper's config) still exceeds this bound; the warmup schedule is checked through
     * the history losses (TRAINING_HISTORY_REL) and the optimiser kernel bit for bit against the Java optimiser.
     */
    public static final double TRAINING_UPDATE_L2_REL = 5e-2;

    /**
     * Measures of sqrt(AGOP) (correlations, circulant deviations, alignment, key share: all in [0, 1] or [-1, 1])
     * from two AGOPs that agree to float32 precision (CPU and device backends). The square root maps a perturbation
     * of size eps |G| on an eigenvalue near 0 to ~sqrt(eps |G|): 2e-4 of sqrt|G| at float32's eps, entering the
     * measures through the few smallest eigenvalues only. Measured between the CPU and the emulated device at p = 13
     * (DeviceAgopAgreementTest's run): at most 3.3e-7, with the AGOPs 4e-8 apart.
     */
    public static final double AGOP_MEASURE_ABS = 1e-4;

    /** Max relative difference with a floor: max|a - b| / max(max|b|, floor). */
    public static double relativeError(float[] actual, double[] expected, double floor) {
        double maxDiff = 0;
        double maxRef = floor;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / maxRef;
    }

    public static double relativeError(float[] actual, float[] expected, double floor) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        return relativeError(actual, e, floor);
    }

    /** Relative L2 difference: ||a - b||_2 / ||b||_2 (0 when both are zero, infinite when only b is). */
    public static double relativeL2Error(float[] actual, float[] expected) {
        double diff = 0;
        double ref = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = (double) actual[i] - expected[i];
            diff += d * d;
            ref += (double) expected[i] * expected[i];
        }
        if (diff == 0) {
            return 0;
        }
        return Math.sqrt(diff) / Math.sqrt(ref);
    }
}
