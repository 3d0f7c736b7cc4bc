package io.jgrok.analysis;

import io.jgrok.Tolerances;
import io.jgrok.config.FourierOrder;
import io.jgrok.device.Device;
import io.jgrok.device.DevicePtr;
import io.jgrok.device.EmulatedDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transform kernels one at a time on the emulated device, against {@link Dft} (float64): the DFT kernel's half
 * spectrum, and the basis mapping for both row orders, odd and even p (the Nyquist row), with and without the axis
 * swap that the 2D transform uses. Outputs are poisoned, so an unwritten element fails the comparison.
 */
class AnalysisKernelsTest {
    static Device device;

    @BeforeAll
    static void open() {
        device = EmulatedDevice.open(2);
    }

    @AfterAll
    static void close() {
        device.close();
    }

    static double[] randomColumns(Random rnd, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    static float[] narrow(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }

    static float[] interleaved(Dft.HalfSpectrum s) {
        float[] out = new float[2 * s.re().length];
        for (int i = 0; i < s.re().length; i++) {
            out[2 * i] = (float) s.re()[i];
            out[2 * i + 1] = (float) s.im()[i];
        }
        return out;
    }

    @Test
    void dftKernelGivesTheHalfSpectrum() {
        Random rnd = new Random(51);
        for (int p : new int[] {2, 7, 12, 13}) {
            int cols = 150;  // more than one block of 128 columns
            double[] x = randomColumns(rnd, p * cols);
            Dft.HalfSpectrum ref = Dft.halfSpectrum(x, p, cols);
            try (DeviceScratch s = new DeviceScratch(device, true); DftHalfSpectra dft = new DftHalfSpectra(device, p)) {
                DevicePtr in = s.upload(narrow(x));
                DevicePtr out = s.floats(2L * ref.rows() * cols);
                dft.compute(out, in, cols);
                float[] got = s.downloadFloats(out, 2 * ref.rows() * cols);
                float[] expected = interleaved(ref);
                assertTrue(Tolerances.relativeError(got, expected, Tolerances.FLOAT32_ABS_FLOOR)
                        < Tolerances.FLOAT32_REL, "p = " + p);
            }
        }
    }

    @Test
    void basisMappingFollowsTheRowOrderAndTheNyquistRow() {
        Random rnd = new Random(52);
        for (FourierOrder order : FourierOrder.values()) {
            for (int p : new int[] {7, 12, 13}) {
                FourierBasis basis = new FourierBasis(p, order);
                int inner = 3;
                int outer = 5;
                int cols = outer * inner;
                double[] x = randomColumns(rnd, p * cols);
                Dft.HalfSpectrum spectrum = Dft.halfSpectrum(x, p, cols);
                double[] coef = Dft.toBasis(basis, spectrum);
                // The reference is also F x itself, by the basis route.
                double[] direct = new double[p * cols];
                for (int i = 0; i < p; i++) {
                    for (int t = 0; t < p; t++) {
                        for (int j = 0; j < cols; j++) {
                            direct[i * cols + j] += basis.get(i, t) * x[t * cols + j];
                        }
                    }
                }
                assertTrue(AnalysisBackendContract.relErr(coef, direct, 1.0) < Tolerances.FLOAT64_REL);
                for (boolean swap : new boolean[] {false, true}) {
                    double[] expected = new double[p * cols];
                    for (int i = 0; i < p; i++) {
                        for (int j = 0; j < cols; j++) {
                            int at = swap ? ((j / inner) * p + i) * inner + j % inner : i * cols + j;
                            expected[at] = coef[i * cols + j];
                        }
                    }
                    float[] got = map(basis, interleaved(spectrum), cols, inner, swap);
                    assertTrue(Tolerances.relativeError(got, expected, Tolerances.FLOAT32_ABS_FLOOR)
                            < Tolerances.FLOAT32_REL, order + " p = " + p + " swap " + swap);
                }
            }
        }
    }

    private static float[] map(FourierBasis basis, float[] spectrum, int cols, int inner, boolean swap) {
        int p = basis.p();
        HalfSpectra given = new HalfSpectra() {
            @Override
            public String description() {
                return "given";
            }

            @Override
            public void compute(DevicePtr out, DevicePtr x, int n) {
                device.copyToDevice(out, spectrum, 0, spectrum.length);
            }

            @Override
            public void close() {
            }
        };
        try (DeviceScratch s = new DeviceScratch(device, true)) {
            DevicePtr out = s.floats((long) p * cols);
            new DeviceTransforms(device, given, basis).alongFirstAxis(s, out, s.floats(1), cols, inner, swap);
            return s.downloadFloats(out, p * cols);
        }
    }
}
