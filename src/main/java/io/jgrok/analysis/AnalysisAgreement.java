package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.check.DeviceCheck;
import io.jgrok.check.Verdict;
import io.jgrok.config.RunConfig;
import io.jgrok.io.RunDirectory;
import io.jgrok.train.Trainer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Compares two complete analyses of the same run output by output: what {@code jgrok analyze} would write with two
 * backends (CPU and device, or two thread counts). Discrete results (key frequencies, cluster membership, phase
 * boundaries, accuracies) must be identical; continuous ones must agree within float32 tolerances (losses
 * relatively, arrays relative to their scale). Used by DeviceAnalysisAgreementTest and, through {@link #check()},
 * by {@code jgrok gpu-check}.
 */
public final class AnalysisAgreement {
    private AnalysisAgreement() {
    }

    /**
     * The device analysis against the CPU analysis: a small model trained here on the CPU (p 17, 301 epochs,
     * checkpoints every 50), analysed by {@code jgrok analyze} with the CPU backend and on the device under check
     * (cuFFT on a GPU when a libcufft loads), compared on every output.
     */
    public static DeviceCheck check() {
        return DeviceCheck.of("device analysis = CPU analysis on every output (p 17, 7 checkpoints)",
                (target, v) -> {
                    RunDirectory run = trainSmallRun(target.scratch().resolve("analysis-run"));
                    AnalysisResults cpu = analyze(run, "cpu");
                    AnalysisResults device = analyze(run, target.kind());
                    v.isTrue("the device backend was used: " + device.backend(),
                            device.backend().startsWith("device analysis on"));
                    v.equal("checkpoints 0, 50, ..., 300", 7, device.progress().size());
                    agree(v, cpu, device);
                });
    }

    /** The run {@link #check()} analyses. */
    public static RunDirectory trainSmallRun(Path dir) {
        RunConfig config = TestConfigs.with(TestConfigs.small(17, 32, 4, 48), b -> {
            b.nEpochs = 301;
            b.checkpointEvery = 50;
            b.evalEvery = 10;
        });
        RunDirectory run = new RunDirectory(dir);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        Trainer.Outcome outcome = Trainer.start(config, run, null, null, false, new Trainer.Options(false, sink,
                sink));
        if (outcome.status() != Trainer.Status.DONE) {
            throw new IllegalStateException("training the run to analyse ended " + outcome.status());
        }
        return run;
    }

    /** {@code jgrok analyze} of the run on a device kind (output discarded). */
    public static AnalysisResults analyze(RunDirectory run, String device) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        return Analyzer.run(run, new Analyzer.Options(null, device, 2, false, sink, sink));
    }

    /** {@link #agree} with a fresh verdict: throws an AssertionError naming the first output that differs. */
    public static void assertAgree(AnalysisResults expected, AnalysisResults actual) {
        agree(new Verdict(), expected, actual);
    }

    /** Every output of {@code actual} against {@code expected}. */
    public static void agree(Verdict v, AnalysisResults expected, AnalysisResults actual) {
        FinalAnalysis.Result e = expected.fin();
        FinalAnalysis.Result a = actual.fin();
        v.equal("epoch", e.epoch(), a.epoch());
        v.same("key frequencies", e.clusters().keyFrequencies(), a.clusters().keyFrequencies());
        v.same("neuron frequencies", e.clusters().frequencies(), a.clusters().frequencies());
        v.isTrue("clustered neurons", java.util.Arrays.equals(e.clusters().clusteredMask(),
                a.clusters().clusteredMask()));
        close(v, e.fracExplained(), a.fracExplained(), 1.0, "frac_explained");
        close(v, e.outputs().logits(), a.outputs().logits(), "logits");
        close(v, e.outputs().neurons(), a.outputs().neurons(), "neurons");
        close(v, e.outputs().attention(), a.outputs().attention(), "attention");
        close(v, e.embedFourier(), a.embedFourier(), "F W_E");
        close(v, e.neuronLogitFourier(), a.neuronLogitFourier(), "F W_L");
        close(v, e.logitFourierNorms(), a.logitFourierNorms(), "logit Fourier norms");
        close(v, e.meanAttention(), a.meanAttention(), 1.0, "mean attention");
        weights(v, e.weights(), a.weights(), "final");
        measures(v, e.logits(), a.logits(), Tolerances.LOSS_REL, "final");
        v.within("degree-2 loss (relative): " + a.degree2Loss() + " vs " + e.degree2Loss(),
                lossErr(a.degree2Loss(), e.degree2Loss()), Tolerances.LOSS_REL);
        v.equal("degree-2 accuracy", e.degree2Accuracy(), a.degree2Accuracy());
        v.equal("progress rows", expected.progress().size(), actual.progress().size());
        for (int i = 0; i < expected.progress().size(); i++) {
            ProgressMeasures.Row re = expected.progress().get(i);
            ProgressMeasures.Row ra = actual.progress().get(i);
            v.equal("epoch of progress row " + i, re.epoch(), ra.epoch());
            measures(v, re.logits(), ra.logits(), Tolerances.LOSS_REL, "checkpoint " + re.epoch());
            weights(v, re.weights(), ra.weights(), "checkpoint " + re.epoch());
        }
        v.equal("phase boundaries", expected.phases(), actual.phases());
        v.isTrue("both or neither with AGOP measures", (expected.agop() == null) == (actual.agop() == null));
        if (expected.agop() != null) {
            agop(v, expected.agop(), actual.agop());
        }
    }

    /**
     * The AGOP part: the final AGOP within float32 tolerance of its largest entry; the measures of sqrt(AGOP) within
     * {@link Tolerances#AGOP_MEASURE_ABS} (the square root turns rounding in G into larger changes on G's small
     * eigenvalues); the same heatmap checkpoints.
     */
    public static void agop(Verdict v, AgopResults e, AgopResults a) {
        v.equal("AGOP examples", e.examples(), a.examples());
        v.equal("AGOP reference epoch", e.referenceEpoch(), a.referenceEpoch());
        close(v, e.finalG(), a.finalG(), Tolerances.FLOAT32_ABS_FLOOR, "final AGOP");
        v.isTrue("AGOP epochs", java.util.Arrays.equals(e.epochs(), a.epochs()));
        v.isTrue("AGOP heatmap epochs", java.util.Arrays.equals(e.heatmapEpochs(), a.heatmapEpochs()));
        for (int i = 0; i < e.measures().size(); i++) {
            double[] ve = e.values(i);
            double[] va = a.values(i);
            // The trace is linear in G: float32 tolerance; the others are measures of sqrt(G) in [0, 1].
            v.within("AGOP trace at epoch " + e.epochs()[i] + " (relative)", relErr(va[0], ve[0]),
                    Tolerances.FLOAT32_REL);
            for (int k = 1; k < ve.length; k++) {
                v.close(AgopResults.COLUMNS.get(k) + " at epoch " + e.epochs()[i], ve[k], va[k],
                        Tolerances.AGOP_MEASURE_ABS);
            }
        }
    }

    /** The logit measures of one checkpoint: losses relatively (no floor), accuracies exactly. */
    public static void measures(Verdict v, LogitMeasures ref, LogitMeasures got, double tol, String where) {
        String[] names = {"loss (all)", "loss (train)", "loss (test)", "restricted loss", "excluded loss"};
        double[] a = {got.lossAll(), got.lossTrain(), got.lossTest(), got.restrictedLoss(), got.excludedLoss()};
        double[] b = {ref.lossAll(), ref.lossTrain(), ref.lossTest(), ref.restrictedLoss(), ref.excludedLoss()};
        for (int i = 0; i < a.length; i++) {
            v.within(where + ": " + names[i] + " " + a[i] + " vs " + b[i] + " (relative)", lossErr(a[i], b[i]), tol);
        }
        // Accuracies are counts over the same rows: equal unless a row's top two logits tie within rounding.
        v.close(where + ": accuracy (all)", ref.accuracyAll(), got.accuracyAll(), Tolerances.FLOAT64_ABS);
        v.close(where + ": accuracy (train)", ref.accuracyTrain(), got.accuracyTrain(), Tolerances.FLOAT64_ABS);
        v.close(where + ": accuracy (test)", ref.accuracyTest(), got.accuracyTest(), Tolerances.FLOAT64_ABS);
        v.close(where + ": restricted accuracy", ref.restrictedAccuracy(), got.restrictedAccuracy(),
                Tolerances.FLOAT64_ABS);
        v.close(where + ": excluded accuracy", ref.excludedAccuracy(), got.excludedAccuracy(),
                Tolerances.FLOAT64_ABS);
        v.equal(where + ": key frequencies measured", ref.excludedLossPerFrequency().length,
                got.excludedLossPerFrequency().length);
        for (int i = 0; i < ref.excludedLossPerFrequency().length; i++) {
            v.within(where + ": excluded loss of key frequency " + i + " (relative)",
                    lossErr(got.excludedLossPerFrequency()[i], ref.excludedLossPerFrequency()[i]), tol);
            // Amplitudes are in logit units and ~0 before the circuit forms (1.7e-5 at initialisation), where two
            // forward passes' float32 logits move them by ~1e-9: relative to max(|amplitude|, 1 logit).
            v.within(where + ": amplitude " + got.keyAmplitudes()[i] + " vs " + ref.keyAmplitudes()[i],
                    relErr(new double[] {got.keyAmplitudes()[i]}, new double[] {ref.keyAmplitudes()[i]}, 1.0), tol);
        }
        if (ref.restrictedLossPerFrequency() == null) {
            v.isTrue(where + ": no restricted loss per frequency", got.restrictedLossPerFrequency() == null);
        } else {
            for (int i = 0; i < ref.restrictedLossPerFrequency().length; i++) {
                v.within(where + ": restricted loss of key frequency " + i + " (relative)",
                        lossErr(got.restrictedLossPerFrequency()[i], ref.restrictedLossPerFrequency()[i]), tol);
            }
        }
    }

    private static void weights(Verdict v, WeightMeasures e, WeightMeasures a, String where) {
        close(v, e.embedRowNorms(), a.embedRowNorms(), 1.0, where + ": W_E Fourier norms");
        close(v, e.neuronLogitRowNorms(), a.neuronLogitRowNorms(), 1.0, where + ": W_L Fourier norms");
        v.within(where + ": Gini of W_E (relative)", relErr(a.giniEmbed(), e.giniEmbed()), Tolerances.FLOAT32_REL);
        v.within(where + ": Gini of W_L (relative)", relErr(a.giniNeuronLogit(), e.giniNeuronLogit()),
                Tolerances.FLOAT32_REL);
        v.within(where + ": sum of squared weights (relative)", relErr(a.sumOfSquares(), e.sumOfSquares()),
                Tolerances.FLOAT32_REL);
    }

    private static void close(Verdict v, float[] e, float[] a, String what) {
        v.equal(what + ": length", e.length, a.length);
        v.within(what + " (relative)", Tolerances.relativeError(a, e, Tolerances.FLOAT32_ABS_FLOOR),
                Tolerances.FLOAT32_REL);
    }

    private static void close(Verdict v, double[] e, double[] a, double floor, String what) {
        v.equal(what + ": length", e.length, a.length);
        v.within(what + " (relative)", relErr(a, e, floor), Tolerances.FLOAT32_REL);
    }

    /** max|actual - expected| / max(max|expected|, floor). */
    public static double relErr(double[] actual, double[] expected, double floor) {
        double diff = 0;
        double ref = floor;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            ref = Math.max(ref, Math.abs(expected[i]));
        }
        return diff / ref;
    }

    /** |actual - expected| / max(|expected|, FLOAT32_ABS_FLOOR). */
    public static double relErr(double actual, double expected) {
        return Math.abs(actual - expected) / Math.max(Math.abs(expected), Tolerances.FLOAT32_ABS_FLOOR);
    }

    /** Relative error of a loss, with no absolute floor: losses of 1e-12 must still agree in their leading digits. */
    public static double lossErr(double actual, double expected) {
        return Math.abs(actual - expected) / Math.max(Math.abs(expected), Double.MIN_NORMAL);
    }
}
