package io.jgrok.engine.device;

import io.jgrok.check.Verdict;
import io.jgrok.config.GradProjection;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.LossFunction;
import io.jgrok.config.RunConfig;
import io.jgrok.device.Device;
import io.jgrok.engine.SoftmaxCollapse;
import io.jgrok.engine.cpu.RandomWeights;
import io.jgrok.engine.device.Workspace.Buf;
import io.jgrok.model.ParamLayout;
import io.jgrok.optim.OrthogonalGradient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.Random;

import static io.jgrok.Tolerances.FLOAT32_ABS_FLOOR;
import static io.jgrok.Tolerances.FLOAT32_FEW_ULPS_REL;
import static io.jgrok.Tolerances.FLOAT32_REL;
import static io.jgrok.Tolerances.FLOAT32_ROUNDING_REL;
import static io.jgrok.Tolerances.FLOAT64_REL;
import static io.jgrok.Tolerances.relativeError;
import static io.jgrok.engine.device.KernelFixture.MODELS;
import static io.jgrok.engine.device.KernelFixture.N;
import static io.jgrok.engine.device.KernelFixture.N_TRAIN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernels of the numerical-stability options alone, on a workspace of two models with poisoned outputs, as
 * {@link KernelTest} does for the rest: cross_entropy with StableMax against a float64 reference written here (raw
 * logits of both signs, magnitudes up to ~100), its softmax-collapse bits on hand-built rows at the float32 and
 * float64 edges, project_gradient against the definition (orthogonal per tensor, norm kept, gaps untouched), and the
 * ⊥Grad optimiser step (grad_filter, project_gradient, adamw_step) against the Java mask, Grokfast, projection and
 * AdamW. The Grokfast state must match bit for bit (the same float32 operations); the parameters to float32
 * rounding (the projection's float64 sums run in another order).
 */
abstract class StabilityKernelTest {
    protected Device device;
    private KernelFixture fx;
    private Shape s;
    private ParamLayout layout;
    private Random rnd;

    protected abstract Device openDevice();

    @BeforeEach
    void open() {
        device = openDevice();
        fx = new KernelFixture(device, 777);
        s = fx.s;
        layout = fx.layout;
        rnd = fx.rnd;
    }

    private ModelPasses workspace(GrokfastMode mode, int window, LossFunction loss) {
        Workspace ws = fx.open(mode, window, 8);
        fx.drawExamples();
        return new ModelPasses(ws, Launcher.plain(device), loss);
    }

    @AfterEach
    void close() {
        if (fx != null) {
            fx.close();
        }
        if (device != null) {
            device.close();
        }
    }

    @Test
    void stableMaxLossAndGradientsMatchTheFloat64Definition() {
        ModelPasses passes = workspace(GrokfastMode.NONE, 1, LossFunction.STABLEMAX);
        int v = s.nOut();
        int w = s.width();
        int m = s.dMlp();
        float[][] logits = new float[MODELS][N * v];
        for (int z = 0; z < MODELS; z++) {
            for (int i = 0; i < N * v; i++) {
                logits[z][i] = (float) ((i % 3 == 0 ? 30 : 2) * rnd.nextGaussian());
            }
            logits[z][3 * v] = 0f;  // the branch point of s
            device.copyToDevice(fx.at(Buf.LOGITS, z), logits[z], 0, N * v);
        }
        fx.poison(Buf.DACT);
        fx.poison(Buf.LOSS);
        passes.crossEntropy(0, N, N_TRAIN, N_TRAIN);
        for (int z = 0; z < MODELS; z++) {
            double[] loss = new double[N];
            device.copyToHost(loss, 0, fx.at(Buf.LOSS, z), N);
            float[] dact = fx.get(Buf.DACT, z, N_TRAIN * w);
            for (int i = 0; i < N; i++) {
                int y = fx.label(z, i);
                double sum = 0;
                double[] sv = new double[v];
                double[] ds = new double[v];
                for (int c = 0; c < v; c++) {
                    double x = logits[z][i * v + c];
                    sv[c] = x < 0 ? 1 / (1 - x) : 1 + x;
                    ds[c] = x < 0 ? sv[c] * sv[c] : 1;
                    sum += sv[c];
                }
                double expected = -Math.log(sv[y] / sum);
                assertEquals(expected, loss[i], FLOAT64_REL * Math.max(1, expected), "StableMax loss of row " + i);
                if (i < N_TRAIN) {
                    double[] g = new double[v];
                    for (int c = 0; c < v; c++) {
                        g[c] = (ds[c] / sum - (c == y ? ds[c] / sv[c] : 0)) / N_TRAIN;
                    }
                    float[] got = Arrays.copyOfRange(dact, i * w + m, i * w + w);
                    double err = relativeError(got, g, FLOAT32_ABS_FLOOR / N_TRAIN);
                    assertTrue(err < FLOAT32_FEW_ULPS_REL, "StableMax dlogits of row " + i + ": " + err);
                }
            }
        }
    }

    @Test
    void collapseBitsAtTheFloat32AndFloat64Edges() {
        ModelPasses passes = workspace(GrokfastMode.NONE, 1, LossFunction.SOFTMAX);
        int v = s.nOut();
        double g32 = 24 * Math.log(2);
        double g64 = 53 * Math.log(2);
        // Per row: the gap of the nearest other logit below the label's (all others far below), and the bits due.
        float[] gaps = {Math.nextUp((float) g32), Math.nextDown((float) g32), Math.nextUp((float) g64),
            Math.nextDown((float) g64), 5f, 0f, -3f};
        int[] bits = {SoftmaxCollapse.F32, 0, SoftmaxCollapse.F32 | SoftmaxCollapse.F64, SoftmaxCollapse.F32, 0, 0, 0};
        float[][] logits = new float[MODELS][N * v];
        for (int z = 0; z < MODELS; z++) {
            for (int i = 0; i < N; i++) {
                int y = fx.label(z, i);
                // Tops for which top - gap is exact in float32, so each row sits where the table says.
                float top = new float[] {0f, 0.5f, -1f, 2f, 1f}[rnd.nextInt(5)];
                Arrays.fill(logits[z], i * v, (i + 1) * v, top - 1000f);
                logits[z][i * v + y] = top;
                logits[z][i * v + (y + 1) % v] = top - gaps[i % gaps.length];
            }
            device.copyToDevice(fx.at(Buf.LOGITS, z), logits[z], 0, N * v);
        }
        fx.poison(Buf.COLLAPSED);
        passes.crossEntropy(0, N, N_TRAIN, N_TRAIN);
        for (int z = 0; z < MODELS; z++) {
            int[] got = new int[N];
            device.copyToHost(got, 0, fx.at(Buf.COLLAPSED, z), N);
            for (int i = 0; i < N; i++) {
                assertEquals(bits[i % gaps.length], definition(logits[z], i * v, v, fx.label(z, i)),
                        "the test's own table, row " + i);
                assertEquals(bits[i % gaps.length], got[i], "collapse bits of row " + i + " (gap "
                        + gaps[i % gaps.length] + ")");
            }
        }
    }

    /** Collapse bits by the definition: label's logit the strict max, 1 + S rounds to 1 in float32 / float64. */
    private static int definition(float[] z, int off, int n, int y) {
        double others = 0;
        for (int j = 0; j < n; j++) {
            if (j != y) {
                if (z[off + j] >= z[off + y]) {
                    return 0;
                }
                others += Math.exp((double) z[off + j] - z[off + y]);
            }
        }
        return ((float) (1 + others) == 1f ? SoftmaxCollapse.F32 : 0) | (1 + others == 1.0 ? SoftmaxCollapse.F64 : 0);
    }

    @Test
    void projectGradientIsOrthogonalPerTensorAndKeepsTheNorm() {
        ModelPasses passes = workspace(GrokfastMode.NONE, 1, LossFunction.SOFTMAX);
        float[][] params = new float[MODELS][];
        float[][] grads = new float[MODELS][];
        for (int z = 0; z < MODELS; z++) {
            params[z] = RandomWeights.floats(layout, rnd, 0.5 + z);
            grads[z] = RandomWeights.floats(layout, rnd, 0.01);
            for (ParamLayout.Tensor t : layout.tensors()) {  // a component along the weights, as late in training
                for (int i = t.offset(); i < t.end(); i++) {
                    grads[z][i] += 0.02f * params[z][i];
                }
            }
            Arrays.fill(params[z], layout.tensor(ParamLayout.B_IN).offset(), layout.tensor(ParamLayout.B_IN).end(),
                    0f);  // a zero tensor, as the biases at initialisation
            device.copyToDevice(fx.at(Buf.PARAMS, z), params[z], 0, params[z].length);
            device.copyToDevice(fx.at(Buf.GRAD, z), grads[z], 0, grads[z].length);
        }
        passes.projectGradient();
        for (int z = 0; z < MODELS; z++) {
            float[] got = fx.get(Buf.GRAD, z, s.size());
            float[] expected = grads[z].clone();
            OrthogonalGradient.project(layout, params[z], expected);
            for (ParamLayout.Tensor t : layout.tensors()) {
                float[] g = Arrays.copyOfRange(got, t.offset(), t.end());
                double err = relativeError(g, Arrays.copyOfRange(expected, t.offset(), t.end()), 0);
                assertTrue(err < FLOAT32_FEW_ULPS_REL, t.name() + " vs the Java projection: " + err);
                double wg = 0;
                double ww = 0;
                double gg = 0;
                double in = 0;
                for (int i = t.offset(); i < t.end(); i++) {
                    wg += (double) params[z][i] * got[i];
                    ww += (double) params[z][i] * params[z][i];
                    gg += (double) got[i] * got[i];
                    in += (double) grads[z][i] * grads[z][i];
                }
                assertTrue(Math.abs(wg) <= 4 * FLOAT32_ROUNDING_REL * Math.sqrt(ww * gg), t.name() + " orthogonal");
                assertEquals(Math.sqrt(in), Math.sqrt(gg), FLOAT32_ROUNDING_REL * Math.sqrt(in), t.name() + " norm");
            }
            // Gaps (zero in real buffers) are left as they were.
            int prev = 0;
            for (ParamLayout.Tensor t : layout.tensors()) {
                for (int i = prev; i < t.offset(); i++) {
                    assertEquals(grads[z][i], got[i], "gap element " + i);
                }
                prev = t.end();
            }
        }
    }

    /** Five ⊥Grad steps (mask, Grokfast, projection, AdamW) against the Java optimiser. */
    @ParameterizedTest
    @EnumSource(GrokfastMode.class)
    void orthogonalOptimiserStepMatchesTheJavaOptimiser(GrokfastMode mode) {
        RunConfig config = OptimiserTwin.config(mode, GradProjection.ORTHOGONAL);
        int window = OptimiserTwin.window(config);
        ModelPasses passes = workspace(mode, window, LossFunction.SOFTMAX);
        int size = s.size();
        float[][] start = new float[MODELS][];
        for (int z = 0; z < MODELS; z++) {
            start[z] = RandomWeights.floats(layout, rnd, 0.3);
        }
        OptimiserTwin twin = new OptimiserTwin(fx, config, start);
        for (int step = 1; step <= OptimiserTwin.STEPS; step++) {
            for (int z = 0; z < MODELS; z++) {
                twin.step(z, step, RandomWeights.floats(layout, rnd, 0.01));
            }
            passes.optimizerStep(mode, window, GradProjection.ORTHOGONAL);
            passes.advance(mode, window);
            // The two sides' float64 sums run in different orders, so the projected gradients may differ in the last
            // bit; each step is compared, then both carry on from the device's state, so that every step is tested
            // on its own rather than an accumulated drift.
            for (int z = 0; z < MODELS; z++) {
                float[][] mine = {twin.params[z], twin.adamM[z], twin.adamV[z]};
                Buf[] bufs = {Buf.PARAMS, Buf.ADAM_M, Buf.ADAM_V};
                for (int k = 0; k < 3; k++) {
                    float[] got = fx.get(bufs[k], z, size);
                    double err = relativeError(got, mine[k], 0);
                    assertTrue(err < FLOAT32_FEW_ULPS_REL, bufs[k] + " after step " + step + ", model " + z + ": "
                            + err);
                    System.arraycopy(got, 0, mine[k], 0, size);
                }
            }
        }
        for (int z = 0; z < MODELS; z++) {
            twin.checkGrokfastState(new Verdict(), z, OptimiserTwin.STEPS);  // bit for bit; fails as an assertion
            ParamLayout.Tensor bIn = layout.tensor(ParamLayout.B_IN);
            for (int i = bIn.offset(); i < bIn.end(); i++) {
                assertEquals(start[z][i], fx.get(Buf.PARAMS, z, size)[i], "frozen b_in unchanged");
            }
        }
    }
}
