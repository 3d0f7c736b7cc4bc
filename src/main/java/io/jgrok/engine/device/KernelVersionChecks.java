package io.jgrok.engine.device;

import io.jgrok.TestConfigs;
import io.jgrok.check.DeviceCheck;
import io.jgrok.check.Verdict;
import io.jgrok.config.GrokfastMode;
import io.jgrok.config.RunConfig;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.engine.cpu.RandomWeights;
import io.jgrok.engine.device.Workspace.Buf;
import io.jgrok.model.ParamLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.jgrok.Tolerances.FLOAT32_ABS_FLOOR;
import static io.jgrok.Tolerances.FLOAT32_REL;
import static io.jgrok.Tolerances.relativeError;

/**
 * The versions of each kernel that has more than one ({@link KernelVariants}) against each other, on the same fresh
 * random inputs: every version run twice gives the same bits (fixed summation orders, no timing in the result), and
 * every other version agrees with the default within float32 rounding (FLOAT32_REL; they add the same float32 terms
 * in another order). At a small odd shape (p = 7, d_model 16, 2 heads of 8; every partial warp and tile) and at the
 * paper's (p = 113, d_model 128, 4 heads; 3,830 train rows in 15 splits). Each version is also checked alone against
 * the float64 reference by {@link KernelChecks}, and in training by {@link EngineChecks}. Run by KernelTest (the
 * emulated device always, a GPU when there is one) and by {@code jgrok gpu-check}'s kernels part.
 */
public final class KernelVersionChecks implements AutoCloseable {
    private static final int MODELS = 2;

    private final Device device;
    private final Verdict verdict;
    private final Shape s;
    private final ParamLayout layout;
    private final int examples;
    private final int nTrain;
    private final Workspace ws;
    private final Random rnd = new Random(777);

    /** Every kernel with more than one version, at the small shape and at the paper's. */
    public static List<DeviceCheck> all() {
        List<DeviceCheck> checks = new ArrayList<>();
        for (boolean paper : new boolean[] {false, true}) {
            for (KernelVariants.Kernel k : KernelVariants.Kernel.values()) {
                checks.add(new DeviceCheck(k.kernelName() + ": versions " + String.join(", ", k.versions())
                        + " bit-reproducible and agreeing, " + (paper ? "paper shape" : "small shape"), paper,
                        (target, v) -> {
                            try (KernelVersionChecks c = new KernelVersionChecks(target.device(), v, paper)) {
                                c.versionsAgree(k);
                            }
                        }));
            }
        }
        return checks;
    }

    private KernelVersionChecks(Device device, Verdict verdict, boolean paper) {
        this.device = device;
        this.verdict = verdict;
        RunConfig config = paper ? TestConfigs.paper(1) : TestConfigs.small(7, 16, 2, 24);
        this.layout = new ParamLayout(config);
        this.s = Shape.of(layout);
        this.nTrain = paper ? 3830 : 21;
        this.examples = paper ? 3840 : 30;
        this.ws = new Workspace(device, new Workspace.Spec(s, MODELS, examples, nTrain, true, GrokfastMode.NONE, 1,
                4));
    }

    @Override
    public void close() {
        ws.close();
    }

    /** The outputs of one launch of {@code k} at {@code version}, per model, after poisoning them. */
    private float[][] run(KernelVariants.Kernel k, String version) {
        ModelPasses passes = new ModelPasses(ws, Launcher.plain(device), new KernelVariants(Map.of(k, version)));
        Buf[] outputs = switch (k) {
            case TABLES_ATTENTION -> new Buf[] {Buf.Q, Buf.KQ, Buf.S};
            case COLUMN_SUMS -> new Buf[] {Buf.DT, Buf.PART};
            case BACKWARD_QUERY -> new Buf[] {Buf.DKQ, Buf.DQ, Buf.DXEQ, Buf.DBOUT};
        };
        for (Buf b : outputs) {
            for (int z = 0; z < MODELS; z++) {
                DevicePtr p = ws.at(b, z);
                device.memset(p, 0xFF, p.bytes());
            }
        }
        switch (k) {
            case TABLES_ATTENTION -> passes.tablesAttention();
            case COLUMN_SUMS -> passes.columnSums(nTrain);
            case BACKWARD_QUERY -> passes.backwardQuery();
        }
        int d = s.d();
        int h = s.heads();
        int w = s.width();
        float[][] out = new float[MODELS][];
        for (int z = 0; z < MODELS; z++) {
            out[z] = switch (k) {
                case TABLES_ATTENTION -> concat(get(Buf.Q, z, 0, d), get(Buf.KQ, z, 0, d * h),
                        get(Buf.S, z, 0, s.rows() * h));
                // the '=' rows of dT and the sums row after them (column_sums writes nothing else of dT)
                case COLUMN_SUMS -> get(Buf.DT, z, (long) 2 * s.p() * h * w, (h + 1) * w);
                case BACKWARD_QUERY -> concat(get(Buf.DKQ, z, 0, d * h), get(Buf.DQ, z, 0, d), get(Buf.DXEQ, z, 0, d),
                        get(Buf.DBOUT, z, 0, d));
            };
        }
        return out;
    }

    private void versionsAgree(KernelVariants.Kernel k) {
        fillInputs(k);
        float[][] reference = run(k, k.defaultVersion());
        for (int z = 0; z < MODELS; z++) {
            for (float x : reference[z]) {
                if (!Float.isFinite(x)) {
                    verdict.isTrue(k.kernelName() + " model " + z + ": an output was not written (" + x + ")", false);
                    return;
                }
            }
        }
        verdict.isTrue("the two models' outputs differ (each launch reads its own model's inputs)",
                !java.util.Arrays.equals(reference[0], reference[1]));
        for (String version : k.versions()) {
            float[][] first = version.equals(k.defaultVersion()) ? reference : run(k, version);
            float[][] again = run(k, version);
            for (int z = 0; z < MODELS; z++) {
                verdict.same(k.kernelOf(version) + " model " + z + ": a second launch gives the same bits", first[z],
                        again[z]);
                if (!version.equals(k.defaultVersion())) {
                    verdict.within(k.kernelOf(version) + " model " + z + " vs " + k.kernelName() + " (relative)",
                            relativeError(first[z], reference[z], FLOAT32_ABS_FLOOR), FLOAT32_REL);
                }
            }
        }
    }

    /** Fresh random values in every buffer the kernel reads, different per model. */
    private void fillInputs(KernelVariants.Kernel k) {
        for (int z = 0; z < MODELS; z++) {
            float[] params = RandomWeights.floats(layout, rnd, 0.8);
            device.copyToDevice(ws.at(Buf.PARAMS, z), params, 0, params.length);
            put(Buf.X, z, random(s.rows() * s.d()));
            switch (k) {
                case TABLES_ATTENTION -> { }
                case COLUMN_SUMS -> {
                    float[] alpha = new float[nTrain * s.heads() * 3];
                    for (int e = 0; e < nTrain * s.heads(); e++) {
                        double a = rnd.nextDouble();
                        double b = rnd.nextDouble();
                        double c = rnd.nextDouble();
                        alpha[3 * e] = (float) (a / (a + b + c));
                        alpha[3 * e + 1] = (float) (b / (a + b + c));
                        alpha[3 * e + 2] = (float) (c / (a + b + c));
                    }
                    put(Buf.ALPHA, z, alpha);
                    put(Buf.DACT, z, random(nTrain * s.width()));
                }
                case BACKWARD_QUERY -> {
                    put(Buf.DSCORES, z, random(s.rows() * s.heads()));
                    put(Buf.DT, z, random((s.slots() + 1) * s.width()));
                }
            }
        }
    }

    private float[] random(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    private void put(Buf b, int z, float[] values) {
        device.copyToDevice(ws.at(b, z), values, 0, values.length);
    }

    private float[] get(Buf b, int z, long offset, int n) {
        float[] out = new float[n];
        device.copyToHost(out, 0, ws.at(b, z).floatAt(offset), n);
        return out;
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
