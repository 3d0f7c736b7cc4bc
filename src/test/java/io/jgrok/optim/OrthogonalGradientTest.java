package io.jgrok.optim;

import io.jgrok.TestConfigs;
import io.jgrok.config.GradProjection;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.engine.cpu.CpuEngine;
import io.jgrok.engine.cpu.RandomWeights;
import io.jgrok.io.History;
import io.jgrok.model.ParamLayout;
import io.jgrok.model.TrainingState;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static io.jgrok.Tolerances.FLOAT32_FEW_ULPS_REL;
import static io.jgrok.Tolerances.FLOAT32_ROUNDING_REL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ⊥Grad ({@link OrthogonalGradient}): per tensor the output is orthogonal to the weights and has the gradient's norm,
 * and equals the projection written out here in float64 (with the norm of the projected vector taken directly, not
 * through the expanded formula the implementation uses); the alignment gaps are not touched; the degenerate tensors
 * (zero weights, zero gradient, a gradient almost parallel to the weights) behave; and the CPU engine's optimiser step
 * is mask, Grokfast, projection, AdamW in that order.
 */
class OrthogonalGradientTest {
    private final RunConfig config = TestConfigs.small(11, 16, 2, 24);
    private final ParamLayout layout = new ParamLayout(config);

    private static double dot(float[] a, float[] b, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void everyTensorComesOutOrthogonalToItsWeightsWithTheGradientsNorm() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 20; trial++) {
            float[] w = RandomWeights.floats(layout, rnd, 0.5 + trial);
            float[] g = RandomWeights.floats(layout, rnd, 1e-3 * (trial + 1));
            // Give every tensor a component along its weights, as late training does.
            for (ParamLayout.Tensor t : layout.tensors()) {
                double k = rnd.nextGaussian();
                for (int i = t.offset(); i < t.end(); i++) {
                    g[i] += (float) (k * 1e-3 * w[i]);
                }
            }
            float[] gap = gapsMarked(g);
            float[] before = gap.clone();
            OrthogonalGradient.project(layout, w, gap);
            for (ParamLayout.Tensor t : layout.tensors()) {
                int a = t.offset();
                int b = t.end();
                double wn = Math.sqrt(dot(w, w, a, b));
                double outNorm = Math.sqrt(dot(gap, gap, a, b));
                double inNorm = Math.sqrt(dot(before, before, a, b));
                assertTrue(Math.abs(dot(w, gap, a, b)) <= 4 * FLOAT32_ROUNDING_REL * wn * outNorm,
                        t.name() + ": w.g' = " + dot(w, gap, a, b) + " against " + wn * outNorm);
                assertEquals(inNorm, outNorm, FLOAT32_ROUNDING_REL * inNorm, t.name() + ": norm kept");
                double[] expected = reference(w, before, a, b);
                double maxRef = Arrays.stream(expected).map(Math::abs).max().orElse(0);
                for (int i = a; i < b; i++) {
                    assertEquals(expected[i - a], gap[i], FLOAT32_FEW_ULPS_REL * maxRef, t.name() + " element " + i);
                }
            }
            assertGapsUntouched(before, gap);
        }
    }

    /** g - (w.g / w.w) w, rescaled to ||g|| by the projected vector's own norm, all in float64. */
    private static double[] reference(float[] w, float[] g, int a, int b) {
        double ww = 0;
        double wg = 0;
        double gg = 0;
        for (int i = a; i < b; i++) {
            ww += (double) w[i] * w[i];
            wg += (double) w[i] * g[i];
            gg += (double) g[i] * g[i];
        }
        double[] out = new double[b - a];
        double pp = 0;
        for (int i = a; i < b; i++) {
            out[i - a] = g[i] - wg / ww * w[i];
            pp += out[i - a] * out[i - a];
        }
        double scale = Math.sqrt(gg / pp);
        for (int i = 0; i < out.length; i++) {
            out[i] *= scale;
        }
        return out;
    }

    /** A copy of g with 7 in every alignment gap (real buffers hold 0 there). */
    private float[] gapsMarked(float[] g) {
        float[] out = g.clone();
        int prev = 0;
        for (ParamLayout.Tensor t : layout.tensors()) {
            Arrays.fill(out, prev, t.offset(), 7f);
            prev = t.end();
        }
        Arrays.fill(out, prev, out.length, 7f);
        return out;
    }

    private void assertGapsUntouched(float[] before, float[] after) {
        int prev = 0;
        for (ParamLayout.Tensor t : layout.tensors()) {
            for (int i = prev; i < t.offset(); i++) {
                assertEquals(before[i], after[i], "gap element " + i);
            }
            prev = t.end();
        }
    }

    @Test
    void degenerateTensors() {
        float[] w = {0f, 0f, 0f};
        float[] g = {1f, -2f, 3f};
        OrthogonalGradient.project(w, g, 0, 3);
        assertArrayEquals(new float[] {1f, -2f, 3f}, g, "zero weights (biases at init): gradient unchanged");
        float[] w2 = {1f, 2f, 3f};
        float[] zero = {0f, 0f, 0f};
        OrthogonalGradient.project(w2, zero, 0, 3);
        assertArrayEquals(new float[] {0f, 0f, 0f}, zero, "zero gradient stays zero, no NaN");
        float[] parallel = {2f, 4f, 6f};
        OrthogonalGradient.project(w2, parallel, 0, 3);
        for (float x : parallel) {
            assertTrue(Float.isFinite(x), "a gradient along the weights gives no NaN");
        }
        // Almost parallel (late training): what is left is orthogonal and has the full norm.
        Random rnd = new Random(9);
        int n = 4096;
        float[] wn = new float[n];
        float[] gn = new float[n];
        for (int i = 0; i < n; i++) {
            wn[i] = (float) rnd.nextGaussian();
            gn[i] = (float) (-3 * wn[i] + 1e-4 * rnd.nextGaussian());
        }
        double norm = Math.sqrt(dot(gn, gn, 0, n));
        OrthogonalGradient.project(wn, gn, 0, n);
        double outNorm = Math.sqrt(dot(gn, gn, 0, n));
        assertEquals(norm, outNorm, FLOAT32_ROUNDING_REL * norm);
        assertTrue(Math.abs(dot(wn, gn, 0, n)) <= 4 * FLOAT32_ROUNDING_REL * Math.sqrt(dot(wn, wn, 0, n)) * outNorm);
    }

    /** One CPU engine epoch = loss gradient, mask, Grokfast EMA, projection, AdamW, assembled here; bit for bit. */
    @Test
    void cpuEngineProjectsBetweenGrokfastAndAdamW() {
        RunConfig c = TestConfigs.with(config, b -> {
            b.gradProjection = GradProjection.ORTHOGONAL;
            b.grokfast = GrokfastMode.EMA;
            b.warmupSteps = 0;
            b.lr = 1e-2;
            b.threads = 1;
            b.trainMlpBiases = false;
        });
        // p = 11 fits in one of the engine's 16 x 16 tiles, so its tile order is index order: with the train set
        // sorted, lossAndGradient below sums in the order the engine's epoch does.
        int[] train = Split.of(c).train().clone();
        Arrays.sort(train);
        Split split = Split.fromTrainIndices(c.p(), train, "sorted test split");
        float[] params = RandomWeights.floats(layout, new Random(3), 0.6);
        for (String frozen : new String[] {ParamLayout.B_IN, ParamLayout.B_OUT}) {
            ParamLayout.Tensor t = layout.tensor(frozen);
            Arrays.fill(params, t.offset(), t.end(), 0f);
        }
        float[] expected = params.clone();
        float[] m = new float[params.length];
        float[] v = new float[params.length];
        try (CpuEngine engine = new CpuEngine(c, split)) {
            float[] grad = new float[params.length];
            engine.lossAndGradient(params, split.train(), grad);
            TrainableRanges trainable = TrainableRanges.of(c, layout);
            trainable.maskGradient(grad);
            Grokfast.restore(c, new float[0][], grad.length).filter(grad);
            OrthogonalGradient.project(layout, expected, grad);
            AdamW.Scalars s = AdamW.scalars(c, 1);
            for (int r = 0; r < trainable.count(); r++) {
                AdamW.apply(s, expected, grad, m, v, trainable.from(r), trainable.to(r));
            }
            engine.setState(TrainingState.fresh(params));
            engine.runEpochs(0, 1, new History());
            assertArrayEquals(expected, engine.state().params(), "params after one ⊥Grad step");
        }
        try (CpuEngine plain = new CpuEngine(TestConfigs.with(c, b -> b.gradProjection = GradProjection.NONE),
                split)) {
            plain.setState(TrainingState.fresh(params));
            plain.runEpochs(0, 1, new History());
            assertFalse(Arrays.equals(expected, plain.state().params()), "the projection changes the step");
        }
    }
}
