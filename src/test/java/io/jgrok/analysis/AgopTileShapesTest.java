package io.jgrok.analysis;

import io.jgrok.TestConfigs;
import io.jgrok.Tolerances;
import io.jgrok.config.RunConfig;
import io.jgrok.data.Split;
import io.jgrok.device.EmulatedDevice;
import io.jgrok.model.ParamLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AGOP on shapes that leave the first tile of {@code agop_example_z} (analysis_agop_jacobian.cu), which the
 * contract's shapes never do: more than 16 active neurons (its neurons are staged 16 at a time; the paper's model
 * has ~256 active), p above 128 (the logit tile) and d_model above 128 (the residual tile). CPU and emulated device
 * against the brute-force float64 evaluation on fresh random weights, over a subset of the training pairs.
 */
class AgopTileShapesTest {
    /** Neurons per staging step of agop_example_z. */
    static final int KC = 16;

    record Shape(String name, RunConfig config, int examples) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Shape> shapes() {
        return Stream.of(
                new Shape("many active neurons", TestConfigs.small(7, 8, 2, 160), 14),
                new Shape("p above the tile", TestConfigs.small(131, 8, 2, 12), 10),
                new Shape("d_model above the tile", TestConfigs.small(5, 136, 2, 40), 8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void cpuAndEmulatedDeviceEqualTheBruteForceAgop(Shape shape) {
        RunConfig config = shape.config();
        ParamLayout layout = new ParamLayout(config);
        int[] examples = Arrays.copyOf(Split.of(config).train(), shape.examples());
        float[] w = AgopBackendContract.weights(layout, 41);
        AgopReference ref = new AgopReference(layout, w);
        double[] expected = ref.agop(examples);
        if (shape.name().equals("many active neurons")) {
            int most = 0;
            for (int ex : examples) {
                int p = config.p();
                double[] pre = ref.forward(AgopReference.oneHot(p, ex / p), AgopReference.oneHot(p, ex % p)).pre;
                most = Math.max(most, (int) Arrays.stream(pre).filter(v -> v > 0).count());
            }
            assertTrue(most > 2 * KC, "some pair has more than two staging steps of active neurons: " + most + " of " + config.dMlp());
        }
        try (AnalysisBackend cpu = new CpuAnalysisBackend(config, 1);
             AnalysisBackend device = DeviceAnalysisBackend.open(EmulatedDevice.open(), config, System.err,
                     new DeviceAnalysisBackend.Options(2, true, true))) {
            for (AnalysisBackend backend : new AnalysisBackend[] {cpu, device}) {
                double[] got = backend.agop(new float[][] {w}, examples)[0];
                double err = AgopBackendContract.relErr(got, expected);
                assertTrue(err < Tolerances.FLOAT32_REL, backend.description() + ": error " + err);
            }
        }
    }
}
