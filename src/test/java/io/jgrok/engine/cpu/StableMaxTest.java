package io.jgrok.engine.cpu;

import io.jgrok.TestConfigs;
import io.jgrok.config.LossFunction;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.StableMax;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static io.jgrok.Tolerances.FINITE_DIFFERENCE_REL;
import static io.jgrok.Tolerances.FINITE_DIFFERENCE_STEP;
import static io.jgrok.Tolerances.FLOAT32_ABS_FLOOR;
import static io.jgrok.Tolerances.FLOAT32_REL;
import static io.jgrok.Tolerances.FLOAT64_REL;
import static io.jgrok.Tolerances.LOSS_REL;
import static io.jgrok.Tolerances.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * StableMax cross-entropy (Prieto et al. 2025): the formulas of {@link StableMax} against the definition written out
 * here and central finite differences; the float64 reference model's StableMax gradient against finite differences
 * of its loss, every parameter; and the CPU engine's StableMax loss and gradient against that reference, on fresh
 * random weights whose logits take both signs (both branches of s), over several shapes including the paper's.
 */
class StableMaxTest {

    /** s(x) from the paper's definition, for this test only. */
    private static double s(double x) {
        return x < 0 ? 1 / (1 - x) : x + 1;
    }

    /** -log(s(z_y) / sum_j s(z_j)). */
    private static double loss(double[] z, int y) {
        double sum = 0;
        for (double v : z) {
            sum += s(v);
        }
        return -Math.log(s(z[y]) / sum);
    }

    @Test
    void gradientOfTheLogitsMatchesFiniteDifferences() {
        Random rnd = new Random(11);
        int branchesNegative = 0;
        int branchesPositive = 0;
        for (int trial = 0; trial < 200; trial++) {
            int n = 2 + rnd.nextInt(120);
            double[] z = new double[n];
            double scale = trial % 3 == 0 ? 40 : 3;
            for (int j = 0; j < n; j++) {
                z[j] = scale * rnd.nextGaussian();
            }
            int y = rnd.nextInt(n);
            double sum = 0;
            for (int j = 0; j < n; j++) {
                double sj = StableMax.s(z[j]);
                assertEquals(s(z[j]), sj, FLOAT64_REL * sj, "s(" + z[j] + ")");
                sum += sj;
                if (z[j] < 0) {
                    branchesNegative++;
                } else {
                    branchesPositive++;
                }
            }
            double maxDiff = 0;
            double maxGrad = 1e-12;
            for (int j = 0; j < n; j++) {
                double sj = StableMax.s(z[j]);
                double analytic = StableMax.derivative(z[j], sj) / sum - (j == y ? StableMax.derivative(z[j], sj) / sj
                        : 0);
                double saved = z[j];
                double h = FINITE_DIFFERENCE_STEP * Math.max(1, Math.abs(saved));
                z[j] = saved + h;
                double up = loss(z, y);
                z[j] = saved - h;
                double down = loss(z, y);
                z[j] = saved;
                double numeric = (up - down) / (2 * h);
                maxDiff = Math.max(maxDiff, Math.abs(numeric - analytic));
                maxGrad = Math.max(maxGrad, Math.abs(numeric));
            }
            assertTrue(maxDiff / maxGrad < FINITE_DIFFERENCE_REL, "trial " + trial + ": relative error "
                    + maxDiff / maxGrad);
        }
        assertTrue(branchesNegative > 1000 && branchesPositive > 1000, "both branches of s exercised");
        // s and s' are continuous where the branches meet.
        assertEquals(1.0, StableMax.s(0.0));
        assertEquals(StableMax.derivative(-1e-300, StableMax.s(-1e-300)), StableMax.derivative(0.0, 1.0), 1e-15);
    }

    @Test
    void referenceModelGradientMatchesFiniteDifferences() {
        for (RunConfig config : new RunConfig[] {TestConfigs.small(7, 8, 2, 16),
            TestConfigs.with(TestConfigs.small(5, 6, 3, 10), b -> b.equalsLogit = false)}) {
            ParamLayout layout = new ParamLayout(config);
            ReferenceModel ref = new ReferenceModel(layout, LossFunction.STABLEMAX);
            Random rnd = new Random(config.p());
            double[] params = RandomWeights.doubles(layout, rnd, 0.7);
            int[] examples = RandomWeights.examples(config.p(), 12, rnd);
            ReferenceGradientCheck.assertMatchesFiniteDifferences(ref, layout, params, examples);
            // The StableMax loss is not the softmax loss of the same logits.
            double softmax = new ReferenceModel(layout).loss(params, examples, null);
            assertTrue(Math.abs(softmax - ref.loss(params, examples, null)) > 1e-3);
        }
    }

    static Stream<Arguments> engineCases() {
        return Stream.of(
                Arguments.of("p7 d8 h2 m16", TestConfigs.small(7, 8, 2, 16), 40, 1),
                Arguments.of("p7 d8 h2 m16, scalar loops", TestConfigs.small(7, 8, 2, 16), 40, 1),
                Arguments.of("p13 d16 h4 m24 no '=' logit, 2 threads", TestConfigs.with(TestConfigs.small(13, 16, 4,
                        24), b -> b.equalsLogit = false), 169, 2),
                Arguments.of("p31 d24 h3 m40", TestConfigs.small(31, 24, 3, 40), 300, 2),
                Arguments.of("paper config", TestConfigs.paper(1), 80, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engineCases")
    void cpuEngineMatchesTheFloat64Reference(String name, RunConfig base, int nExamples, int threads) {
        RunConfig config = TestConfigs.with(base, b -> {
            b.threads = threads;
            b.loss = LossFunction.STABLEMAX;
        });
        ParamLayout layout = new ParamLayout(config);
        Random rnd = new Random(name.hashCode());
        float[] params = RandomWeights.floats(layout, rnd, 0.6);
        int[] examples = RandomWeights.examples(config.p(), nExamples, rnd);
        double[] wide = RandomWeights.widen(params);
        ReferenceModel ref = new ReferenceModel(layout, LossFunction.STABLEMAX);
        double[] refLogits = ref.logits(wide, examples);
        long negative = Arrays.stream(refLogits).filter(v -> v < 0).count();
        assertTrue(negative > refLogits.length / 10 && negative < refLogits.length * 9 / 10,
                "logits of both signs: " + negative + " of " + refLogits.length + " negative");
        Ops ops = name.contains("scalar") ? new ScalarOps() : Ops.best();
        try (CpuEngine engine = new CpuEngine(config, Split.of(config), ops)) {
            float[] grad = new float[layout.size()];
            Arrays.fill(grad, Float.NaN);
            double loss = engine.lossAndGradient(params, examples, grad);
            double[] refGrad = new double[layout.size()];
            double refLoss = ref.loss(wide, examples, refGrad);
            assertEquals(refLoss, loss, LOSS_REL * refLoss, "StableMax loss");
            for (ParamLayout.Tensor t : layout.tensors()) {
                double err = relativeError(Arrays.copyOfRange(grad, t.offset(), t.end()),
                        Arrays.copyOfRange(refGrad, t.offset(), t.end()), FLOAT32_ABS_FLOOR);
                assertTrue(err < FLOAT32_REL, t.name() + " gradient relative error " + err);
            }
            for (float x : grad) {
                assertTrue(Float.isFinite(x), "every gradient element, gaps included, must be written");
            }
        }
    }
}
