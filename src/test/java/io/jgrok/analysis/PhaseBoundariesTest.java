package io.jgrok.analysis;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The phase rule on synthetic curves shaped like the paper's run: test loss high until circuit formation ends, then
 * a descent linear in log-loss with a slow tail, test accuracy rising to 100% early in the descent (as in real runs,
 * where it saturates while the loss is still decades above its final level), excluded loss falling to a minimum when
 * memorization ends and rising after. The rule must recover the planted boundaries.
 */
class PhaseBoundariesTest {
    static final int EVERY = 100;
    static final int EPOCHS = 40_000;

    /** Piecewise-linear curve through the given (epoch, value) knots, sampled at the checkpoints. */
    static double[] linear(long[] epochs, double[][] knots, Random noise, double noiseScale) {
        double[] out = new double[epochs.length];
        for (int i = 0; i < epochs.length; i++) {
            double e = epochs[i];
            double v = knots[knots.length - 1][1];
            for (int j = 1; j < knots.length; j++) {
                if (e <= knots[j][0]) {
                    double t = (e - knots[j - 1][0]) / (knots[j][0] - knots[j - 1][0]);
                    v = knots[j - 1][1] + t * (knots[j][1] - knots[j - 1][1]);
                    break;
                }
            }
            out[i] = v + (noise == null ? 0 : noiseScale * noise.nextGaussian());
        }
        return out;
    }

    /** A loss curve from knots in log10. */
    static double[] loss(long[] epochs, double[][] knots, Random noise, double noiseDecades) {
        double[] log = linear(epochs, knots, noise, noiseDecades);
        double[] out = new double[log.length];
        for (int i = 0; i < log.length; i++) {
            out[i] = Math.pow(10, log[i]);
        }
        return out;
    }

    static long[] epochs() {
        long[] e = new long[EPOCHS / EVERY];
        for (int i = 0; i < e.length; i++) {
            e[i] = (long) i * EVERY;
        }
        return e;
    }

    static final double[][] FLAT_TEST = {{0, 1.0}, {9400, 1.0}, {14000, -4.0}, {40000, -6.6}};
    static final double[][] ACCURACY = {{0, 0.0}, {9400, 0.02}, {11000, 0.99}, {11100, 1.0}, {40000, 1.0}};
    static final double[][] EXCLUDED = {{0, 0.67}, {1400, -2.0}, {9400, 0.8}, {40000, 1.5}};

    @Test
    void recoversPlantedBoundariesDespiteTheSlowTail() {
        long[] e = epochs();
        PhaseBoundaries.Phases ph = PhaseBoundaries.estimate(e, loss(e, FLAT_TEST, null, 0),
                linear(e, ACCURACY, null, 0), loss(e, EXCLUDED, null, 0));
        assertEquals(1400L, ph.memorizationEnd());
        // The 20% and 50% points fall on the steep part, so the extrapolated onset is exact.
        assertEquals(9400L, ph.circuitFormationEnd());
        // The steep drop ends at 14,000 although accuracy was 99% at 11,000 and the loss keeps creeping down.
        assertEquals(14000L, ph.cleanupEnd());
    }

    @Test
    void cleanupDoesNotEndBeforeTheTestAccuracyReaches99Percent() {
        long[] e = epochs();
        double[][] lateAccuracy = {{0, 0.0}, {9400, 0.02}, {15000, 0.95}, {16000, 0.99}, {16100, 1.0}, {40000, 1.0}};
        PhaseBoundaries.Phases ph = PhaseBoundaries.estimate(e, loss(e, FLAT_TEST, null, 0),
                linear(e, lateAccuracy, null, 0), loss(e, EXCLUDED, null, 0));
        assertEquals(16000L, ph.cleanupEnd());
    }

    @Test
    void aPeakAboveTheCircuitFormationPlateauMovesTheOnsetByLittle() {
        long[] e = epochs();
        double[][] test = {{0, 0.67}, {1400, 1.2}, {9400, 1.0}, {14000, -5.5}, {40000, -5.7}};
        PhaseBoundaries.Phases ph = PhaseBoundaries.estimate(e, loss(e, test, null, 0), linear(e, ACCURACY, null, 0),
                loss(e, EXCLUDED, null, 0));
        assertTrue(Math.abs(ph.circuitFormationEnd() - 9400) <= 2 * EVERY, "onset " + ph.circuitFormationEnd());
        assertEquals(14000L, ph.cleanupEnd());
    }

    @Test
    void ignoresIsolatedSpikesAndToleratesNoise() {
        long[] e = epochs();
        double[] test = loss(e, FLAT_TEST, new Random(3), 0.05);
        double[] excluded = loss(e, EXCLUDED, new Random(4), 0.05);
        double[] acc = linear(e, ACCURACY, null, 0);
        test[40] *= 1e4;       // a loss spike at epoch 4000, far above the plateau
        excluded[200] *= 1e-4; // and a downward glitch in the excluded loss late in training
        PhaseBoundaries.Phases ph = PhaseBoundaries.estimate(e, test, acc, excluded);
        assertTrue(Math.abs(ph.memorizationEnd() - 1400) <= 3 * EVERY, "memorization " + ph.memorizationEnd());
        assertTrue(Math.abs(ph.circuitFormationEnd() - 9400) <= 3 * EVERY, "onset " + ph.circuitFormationEnd());
        assertTrue(Math.abs(ph.cleanupEnd() - 14000) <= 3 * EVERY, "cleanup " + ph.cleanupEnd());
    }

    @Test
    void noGrokkingMeansNoCleanup() {
        long[] e = epochs();
        double[][] test = {{0, 0.67}, {1400, 1.2}, {40000, 0.9}};
        double[][] acc = {{0, 0}, {40000, 0.05}};
        PhaseBoundaries.Phases ph = PhaseBoundaries.estimate(e, loss(e, test, null, 0), linear(e, acc, null, 0),
                loss(e, EXCLUDED, null, 0));
        assertNull(ph.circuitFormationEnd());
        assertNull(ph.cleanupEnd());
        assertEquals(1400L, ph.memorizationEnd());
    }

    @Test
    void aDescentThatNeverReachesFullAccuracyHasNoCleanupEnd() {
        long[] e = epochs();
        double[][] acc = {{0, 0}, {9400, 0.02}, {14000, 0.95}, {40000, 0.97}};
        PhaseBoundaries.Phases ph = PhaseBoundaries.estimate(e, loss(e, FLAT_TEST, null, 0), linear(e, acc, null, 0),
                loss(e, EXCLUDED, null, 0));
        assertEquals(9400L, ph.circuitFormationEnd());
        assertNull(ph.cleanupEnd());
    }

    @Test
    void excludedLossThatNeverDipsHasNoMemorizationEnd() {
        long[] e = {0, 100, 200, 300, 400, 500};
        double[] excluded = {2.0, 2.5, 3.5, 5.0, 8.0, 9.0};
        PhaseBoundaries.Phases ph = PhaseBoundaries.estimate(e, new double[] {3, 3, 3, 3, 3, 3},
                new double[] {0, 0, 0, 0, 0, 0}, excluded);
        assertNull(ph.memorizationEnd(), "a rising excluded loss has no minimum after the first checkpoint");
        excluded[1] = 1.5;  // one dip, and the rule finds it again
        ph = PhaseBoundaries.estimate(e, new double[] {3, 3, 3, 3, 3, 3}, new double[] {0, 0, 0, 0, 0, 0}, excluded);
        assertEquals(100L, ph.memorizationEnd());
    }

    @Test
    void worksOnAFewCheckpoints() {
        long[] e = {0, 50};
        PhaseBoundaries.Phases ph = PhaseBoundaries.estimate(e, new double[] {3, 4}, new double[] {0, 0},
                new double[] {3, 2});
        assertEquals(50L, ph.memorizationEnd());
        assertNull(ph.cleanupEnd());
    }
}
