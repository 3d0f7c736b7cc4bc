package io.jgrok.engine.cpu;

import io.jgrok.model.ParamLayout;

import static io.jgrok.Tolerances.FINITE_DIFFERENCE_REL;
import static io.jgrok.Tolerances.FINITE_DIFFERENCE_STEP;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float64 reference model's analytic gradient against central finite differences of its loss, every parameter of
 * every tensor: the check {@link GradientCheckTest} makes for the softmax loss and {@link StableMaxTest} for StableMax.
 */
final class ReferenceGradientCheck {
    private ReferenceGradientCheck() {
    }

    /**
     * Asserts that {@code ref}'s gradient at {@code params} (left as it was) agrees with finite differences to
     * {@link io.jgrok.Tolerances#FINITE_DIFFERENCE_REL} of the largest component, and that the gradient is not
     * vanishingly small (a check of zeros against zeros would prove nothing).
     */
    static void assertMatchesFiniteDifferences(ReferenceModel ref, ParamLayout layout, double[] params,
                                               int[] examples) {
        double[] analytic = new double[layout.size()];
        ref.loss(params, examples, analytic);
        double maxDiff = 0;
        double maxGrad = 1e-12;
        for (ParamLayout.Tensor t : layout.tensors()) {
            for (int i = t.offset(); i < t.end(); i++) {
                double saved = params[i];
                params[i] = saved + FINITE_DIFFERENCE_STEP;
                double up = ref.loss(params, examples, null);
                params[i] = saved - FINITE_DIFFERENCE_STEP;
                double down = ref.loss(params, examples, null);
                params[i] = saved;
                double numeric = (up - down) / (2 * FINITE_DIFFERENCE_STEP);
                maxDiff = Math.max(maxDiff, Math.abs(numeric - analytic[i]));
                maxGrad = Math.max(maxGrad, Math.abs(numeric));
            }
        }
        double rel = maxDiff / maxGrad;
        assertTrue(rel < FINITE_DIFFERENCE_REL, "relative gradient error " + rel + " (max |grad| " + maxGrad + ")");
        assertTrue(maxGrad > 1e-4, "gradient is suspiciously small: " + maxGrad);
    }
}
